"""Cached fragments and QR codes (web/fragments.py): keyed by data version, locale and viewer;
every committed write invalidates; nothing is served to another viewer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select

from nattvandring import clock
from nattvandring.calendars import qr
from nattvandring.calendars.models import FeedVersion
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.web import fragments
from tests.factories import login
from tests.support.shifts import make_shift

MONTH = "/planning/{}/calendar?month=2026-09&view=list"


@pytest.fixture
def frozen():
    clock.freeze(datetime(2026, 9, 1, 10, 0, tzinfo=UTC))
    yield
    clock.freeze(None)


def _version(db) -> tuple[int, int] | None:
    db.expire_all()
    row = db.execute(
        select(FeedVersion.version, FeedVersion.changed).where(
            FeedVersion.kind == fragments.KIND, FeedVersion.owner_id == 0
        )
    ).first()
    db.commit()
    return None if row is None else (row[0], row[1])


def _fragments(app) -> list[str]:
    backend = app.extensions["cache"][fragments.cache]
    return [key for key in backend._cache if "_template_fragment_cache_" in key]


@pytest.fixture
def shift(app, world, db, frozen):
    row = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 9, 4),
    )
    db.commit()
    return row


def test_caching_is_on_by_default(app):
    assert type(app.extensions["cache"][fragments.cache]).__name__ == "SimpleCache"


def test_a_committed_write_moves_the_version_and_a_read_does_not(app, client, world, db, shift):
    login(client, world.emails["coord_h"])
    before = _version(db)
    assert client.get(MONTH.format(world.ids["hassleholm"])).status_code == 200
    assert client.get(MONTH.format(world.ids["hassleholm"])).status_code == 200
    assert _version(db) == before
    db.get(Shift, shift.id).notes = "Samling vid stationen"
    db.commit()
    after = _version(db)
    assert after is not None and (before is None or after[0] == before[0] + 1)


def test_the_month_is_rendered_once_and_again_after_a_change(app, client, world, db, shift):
    login(client, world.emails["coord_h"])
    url = MONTH.format(world.ids["hassleholm"])
    first = client.get(url).get_data(as_text=True)
    assert "Centrum" in first
    assert len(_fragments(app)) == 1
    assert client.get(url).get_data(as_text=True) == first
    assert len(_fragments(app)) == 1  # served from the cache
    db.get(PatrolArea, world.ids["area_h"]).name = "Stortorget"
    db.commit()
    changed = client.get(url).get_data(as_text=True)
    assert "Stortorget" in changed and "Centrum" not in changed.split("<main", 1)[1]
    make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 9, 11),
    )
    db.commit()
    assert changed.count("/planning/shifts/") < client.get(url).get_data(as_text=True).count(
        "/planning/shifts/"
    )


def test_a_core_update_also_invalidates(app, client, world, db, shift):
    from sqlalchemy import update

    login(client, world.emails["coord_h"])
    url = MONTH.format(world.ids["hassleholm"])
    assert "21:00" in client.get(url).get_data(as_text=True)
    db.execute(
        update(Shift).where(Shift.id == shift.id).values(start_at=shift.start_at.replace(hour=18))
    )
    db.commit()
    assert "20:00" in client.get(url).get_data(as_text=True)  # 18 UTC is 20 in September


def test_each_viewer_has_their_own_fragment(app, world, db, shift):
    """Two people allowed the same page never share its fragment."""
    coordinator, admin = app.test_client(), app.test_client()
    login(coordinator, world.emails["coord_h"])
    login(admin, world.emails["admin"])
    url = MONTH.format(world.ids["hassleholm"])
    assert coordinator.get(url).status_code == 200
    assert admin.get(url).status_code == 200
    assert coordinator.get(url).status_code == 200
    keys = _fragments(app)
    assert len(keys) == 2


def test_the_public_page_is_the_same_for_everyone_but_keyed_apart(app, client, world, db, shift):
    slug = quote(db.get(Municipality, world.ids["hassleholm"]).slug)
    anonymous = client.get(f"/kommun/{slug}").get_data(as_text=True)
    leader = app.test_client()
    login(leader, world.emails["leader_a"])
    assert leader.get(f"/kommun/{slug}").status_code == 200
    keys = _fragments(app)
    assert len(keys) == 2 and "Centrum" in anonymous


def test_the_fragment_key_names_version_locale_and_viewer(app, world, db, shift):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        key = fragments.fragment_key(1, "month")
    version, hour, locale, viewer, *parts = key.split(":")
    assert locale == "en" and viewer == "anon" and parts == ["1", "month"]
    assert len(hour) == 10


def test_the_qr_code_is_drawn_once_per_url(app, monkeypatch):
    drawn: list[str] = []
    real = qr._draw

    def counting(data: str, title: str):
        drawn.append(data)
        return real(data, title)

    monkeypatch.setattr(qr, "_draw", counting)
    with app.app_context():
        first = qr.qr_svg("webcal://localhost/feeds/personal/abc.ics", title="QR")
        again = qr.qr_svg("webcal://localhost/feeds/personal/abc.ics", title="QR")
        other = qr.qr_svg("webcal://localhost/feeds/personal/xyz.ics", title="QR")
    assert first == again and first != other
    assert drawn == [
        "webcal://localhost/feeds/personal/abc.ics",
        "webcal://localhost/feeds/personal/xyz.ics",
    ]
    assert "<svg" in str(first)


def test_null_cache_turns_caching_off(tmp_path):
    from tests.support.database import make_test_app

    app = make_test_app(tmp_path, CACHE_TYPE="NullCache")
    assert type(app.extensions["cache"][fragments.cache]).__name__ == "NullCache"
    with app.app_context():
        assert "<svg" in str(qr.qr_svg("https://localhost/x"))
