"""The liaison's dashboard is cached by data version (web/page_cache.py): after any history
of approvals, corrections and renames it equals a fresh render, and it never crosses sponsors.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.db import get_engine
from nattvandring.reports.models import PatrolReport
from nattvandring.sponsorship.models import SponsorAgreement
from nattvandring.web.caching import cache
from tests.sponsorship.conftest import agreement, correct_walker_out, login_as, walk
from tests.support.database import uncached_twin

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
MAIN = re.compile(r"<main.*?</main>", re.S)
CLUBS = ("assoc_a", "assoc_b", "assoc_c")


def step(db, world, place, deal_id: int, name: str, n: int) -> None:
    """One change, committed; ``n`` chooses the association, evening and names."""
    try:
        change(db, world, place, deal_id, name, n)
        db.commit()
    except IntegrityError:  # a walk on a night the area already has: refused, no change
        db.rollback()


def change(db, world, place, deal_id: int, name: str, n: int) -> None:
    club = CLUBS[n % len(CLUBS)]
    if name == "walk":
        walk(
            db,
            **place[club],
            evening=date(2026, 1, 2) + timedelta(days=n % 270),
            birth_years=[1980] * (3 + n % 3),
        )
    elif name == "correct":  # a ledger row alone: the hours of an earlier walk change
        reports = db.exec(select(PatrolReport).order_by(PatrolReport.id)).all()
        if reports:
            correct_walker_out(db, reports[n % len(reports)], recorded_at=clock.utcnow())
    elif name == "rename club":
        row = db.get(Association, world.ids[club])
        row.name = f"Förening {n}"
    elif name == "rename agreement":
        row = db.get(SponsorAgreement, deal_id)
        row.name = f"Avtal {n}"


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(
        st.tuples(
            st.sampled_from(["walk", "correct", "rename club", "rename agreement"]),
            st.integers(min_value=0, max_value=10_000),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_the_cached_dashboard_equals_a_fresh_render(app, db, world, place, history):
    # Each history starts at NOW with an empty cache (time never runs back within one).
    clock.freeze(NOW)
    with app.app_context():
        cache.clear()
    deal = db.exec(select(SponsorAgreement)).first() or agreement(db, world, budget_ore=5_000_000)
    db.commit()
    twin = uncached_twin(app)
    try:
        cached, fresh = app.test_client(), twin.test_client()
        for client in (cached, fresh):
            login_as(client, world.emails["liaison"])
        db.commit()  # read afresh after the logins' writes
        pages = ["/sponsorship/", f"/sponsorship/?municipality={world.ids['bjuv']}"]
        for name, n in history:
            step(db, world, place, deal.id, name, n)
            for page in pages:
                seen = MAIN.search(cached.get(page).get_data(as_text=True))
                expected = MAIN.search(fresh.get(page).get_data(as_text=True))
                assert seen and expected
                assert seen.group(0) == expected.group(0), (name, page)
    finally:
        clock.freeze(None)
        get_engine(twin).dispose()
