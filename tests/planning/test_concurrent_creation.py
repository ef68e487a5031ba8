"""Ten identical "Planera säsong" posts at once create each night exactly once; so do ten
identical posts of one special night.

Real processes: two gunicorn servers with two workers each (production config), real HTTP
with real CSRF tokens, ten browser sessions of one coordinator, on PostgreSQL (the municipality
lock and the unique index) and on a SQLite file (BEGIN IMMEDIATE and the unique index).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from nattvandring import migrate
from nattvandring.db import make_engine, session_scope
from nattvandring.planning import special_nights as specials
from nattvandring.planning.models import Shift, ShiftSeries
from nattvandring.planning.schedule import generate_series
from tests import factories
from tests.ops.multiprocess_support import Browser, fire, migrated_schema
from tests.support import processes
from tests.support.database import PG_URL

pytestmark = pytest.mark.slow

POSTS = 10
SECRET = "concurrent-creation-secret-key-long-enough-0001"
#: Outside the season's Fridays and Saturdays: a night of its own for the special-night race.
HALLOWEEN = date(2027, 10, 31)
SEASON = {
    "weekdays": ["4", "5"],
    "start_date": "2027-01-01",
    "end_date": "2027-07-02",
    "start_time": "21:00",
    "end_time": "01:00",
    "action": "create",
}


@contextmanager
def _sqlite_schema(path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _seed(engine: Engine) -> tuple[int, list[int], str]:
    with session_scope(engine) as session:
        world = factories.build_world(session)
        municipality = session.get(factories.Municipality, world.ids["hassleholm"])
        second = factories.area(session, municipality, "Stationen")
        return world.ids["hassleholm"], [world.ids["area_h"], second.id], world.emails["coord_h"]


def _race(url: str) -> None:
    nights = generate_series(
        start_date=date(2027, 1, 1),
        end_date=date(2027, 7, 2),
        weekdays=[4, 5],
        start_time=time(21),
        end_time=time(1),
    )
    settings = {
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "RATELIMIT_LOGIN": "1000 per minute",
        "LOG_LEVEL": "WARNING",
    }
    engine = make_engine(url)
    try:
        municipality_id, area_ids, email = _seed(engine)
        logs: list[str] = []
        try:
            with processes.gunicorn_servers(settings, 2, workers=2, threads=4, logs=logs) as bases:
                browsers = [Browser(f"10.0.2.{n + 1}") for n in range(POSTS)]
                for n, browser in enumerate(browsers):
                    assert browser.login(bases[n % 2], email).status_code == 302
                calls = []
                for n, browser in enumerate(browsers):
                    page = f"{bases[n % 2]}/planning/{municipality_id}/series/new"
                    data = {**SEASON, "area_ids": [str(a) for a in area_ids]}
                    data["csrf_token"] = browser.token_from(page)
                    calls.append(lambda b=browser, p=page, d=data: b.post(p, d))
                answers = fire(calls)
                assert Counter(a.status_code for a in answers) == Counter({302: POSTS})
                # What each coordinator's tab shows after the redirect.
                shown = []
                for n, (browser, answer) in enumerate(zip(browsers, answers, strict=True)):
                    location = answer.headers["Location"]
                    if location.startswith("/"):
                        location = bases[n % 2] + location
                    shown.append(browser.get(location).text)
                # The same special night, ten times at once, from the special nights page.
                calls = []
                for n, browser in enumerate(browsers):
                    page = f"{bases[n % 2]}/planning/{municipality_id}/special-nights"
                    data = {
                        "day": HALLOWEEN.isoformat(),
                        "key": specials.HALLOWEEN,
                        "area_ids": [str(a) for a in area_ids],
                        "return_to": "special_nights",
                        "csrf_token": browser.token_from(page),
                    }
                    calls.append(lambda b=browser, p=page, d=data: b.post(p, d))
                answers = fire(calls)
                assert Counter(a.status_code for a in answers) == Counter({302: POSTS})
                special_shown = []
                for n, (browser, answer) in enumerate(zip(browsers, answers, strict=True)):
                    location = answer.headers["Location"]
                    if location.startswith("/"):
                        location = bases[n % 2] + location
                    special_shown.append(browser.get(location).text)
                    browser.close()
        except BaseException:
            for printed in logs:
                print(printed[-3000:])
            raise
        expected = len(nights) * len(area_ids)
        assert len(nights) == 53
        created = [page for page in shown if f"Skapade {expected} pass." in page]
        repeated = [
            page
            for page in shown
            if f"Inga nya pass skapades: alla {expected} kvällar fanns redan." in page
        ]
        assert (len(created), len(repeated)) == (1, POSTS - 1)
        day = HALLOWEEN.isoformat()
        created = [p for p in special_shown if f"Skapade 2 pass den {day}. 0 fanns redan." in p]
        repeated = [
            p
            for p in special_shown
            if f"Inga nya pass skapades: alla 2 pass den {day} fanns redan." in p
        ]
        assert (len(created), len(repeated)) == (1, POSTS - 1)
        with session_scope(engine, write=False) as session:
            specials_made = session.exec(
                select(Shift.area_id).where(Shift.special_key == specials.HALLOWEEN)
            ).all()
            assert sorted(specials_made) == sorted(area_ids)
            assert session.exec(select(func.count()).select_from(Shift)).one() == expected + 2
            per_night = session.exec(
                select(Shift.area_id, Shift.start_at, func.count()).group_by(
                    Shift.area_id, Shift.start_at
                )
            ).all()
            assert {count for _a, _s, count in per_night} == {1}
            assert session.exec(select(func.count()).select_from(ShiftSeries)).one() == 1
    finally:
        engine.dispose()


def test_ten_identical_posts_on_sqlite_create_each_night_once(tmp_path):
    with _sqlite_schema(tmp_path / "race.sqlite3"):
        _race(f"sqlite:///{tmp_path / 'race.sqlite3'}")


@pytest.mark.postgres
def test_ten_identical_posts_on_postgresql_create_each_night_once():
    with migrated_schema(PG_URL):
        _race(PG_URL)
