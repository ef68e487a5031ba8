"""The personal page cached per person by data version (volunteers/personal_page.py): it is
always the page a fresh render gives, over random histories; it is its holder's alone; and
no cache holds the link's token."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest
from hypothesis import HealthCheck, example, given, settings
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.booking.models import Assignment, Booking
from nattvandring.calendars import services_links
from nattvandring.db import get_engine
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.volunteers import personal_page, services
from nattvandring.volunteers.models import MembershipRequest
from nattvandring.web.caching import cache
from tests.support.database import SECRET_KEY as SECRET
from tests.support.database import uncached_twin
from tests.support.pages import committed, histories, main_of
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 9, 10, 12, 0, tzinfo=UTC)


def page_of(db, world, key: str) -> str:
    token = services.personal_token(db, db.get(User, world.ids[key]), SECRET)
    db.commit()
    return f"/me/{token}"


def _walks(db, world) -> list[Shift]:
    return list(
        db.exec(
            select(Shift)
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(Assignment.user_id == world.ids["vol_a"])
            .order_by(Shift.id)
        ).all()
    )


def change(db, world, name: str, n: int) -> None:
    """One change of the kind ``name`` that the page of vol_a may show; ``n`` chooses."""
    walks = _walks(db, world)
    shift = walks[n % len(walks)] if walks else None
    day = date(2026, 9, 10) + timedelta(days=n % 12)
    if name == "walk" or shift is None:  # vol_a and vol_a2 on a night of IFK Hässleholm
        night = make_shift(
            db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], day=day
        )
        book(db, night, world.ids["assoc_a"], [world.ids["vol_a"], world.ids["vol_a2"]])
    elif name == "open place":  # a night the club takes sign-ups for, without vol_a
        club = db.get(Association, world.ids["assoc_a"])
        club.allow_self_signup = True
        night = make_shift(
            db,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            day=day,
            max_walkers=3,
        )
        book(db, night, world.ids["assoc_a"], [world.ids["vol_a2"]])
    elif name == "answer":
        mine = db.exec(
            select(Assignment).where(
                Assignment.shift_id == shift.id, Assignment.user_id == world.ids["vol_a"]
            )
        ).one()
        mine.status = ("confirmed", "declined", "assigned")[n % 3]
    elif name == "cancel shift":
        shift.status = "cancelled"
        shift.cancelled_at = clock.utcnow()
    elif name == "cancel booking":
        for booking in db.exec(select(Booking).where(Booking.shift_id == shift.id)):
            booking.status = "cancelled"
    elif name == "move":
        shift.start_at += timedelta(hours=1)
        shift.end_at += timedelta(hours=1)
    elif name == "rename area":
        db.get(PatrolArea, world.ids["area_h"]).name = f"Centrum {n}"
    elif name == "rename club":
        db.get(Association, world.ids["assoc_a"]).name = f"IFK Hässleholm {n}"
    elif name == "rename fellow":
        db.get(User, world.ids["vol_a2"]).name = f"Kim {n}"
    elif name == "rename self":
        db.get(User, world.ids["vol_a"]).name = f"Alex {n}"
    elif name == "asked elsewhere":  # Bjuv's club asks: a municipality the page never showed
        if not db.exec(select(MembershipRequest)).first():
            db.add(
                MembershipRequest(
                    association_id=world.ids["assoc_c"],
                    user_id=world.ids["vol_a"],
                    name="Vol A",
                    phone_e164="+46701234567",
                    asked_at=clock.utcnow(),
                )
            )
    elif name == "rename elsewhere":
        db.get(Association, world.ids["assoc_c"]).name = f"Bjuvs IF {n}"
    elif name == "rotate feed":
        services_links.rotate_personal_feed(
            db, user_id=world.ids["vol_a"], secret_key=SECRET, base_url="http://localhost"
        )
    elif name == "tick":
        clock.freeze(clock.utcnow() + timedelta(hours=1 + n % 30))


STEPS = histories(
    [
        "walk",
        "open place",
        "answer",
        "cancel shift",
        "cancel booking",
        "move",
        "rename area",
        "rename club",
        "rename fellow",
        "rename self",
        "asked elsewhere",
        "rename elsewhere",
        "rotate feed",
        "tick",
    ]
)


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=STEPS)
# Tonight's walk starts (21:00) and ends (01:00): its buttons go, then it moves to the past.
@example(history=[("walk", 0), ("tick", 8), ("tick", 3)])
# A club in another municipality asks, then renames itself: the question shows the new name.
@example(history=[("asked elsewhere", 0), ("rename elsewhere", 1)])
def test_the_cached_page_equals_a_fresh_render_after_every_change(app, db, world, history):
    clock.freeze(NOW)  # each history starts at NOW with an empty cache
    with app.app_context():
        cache.clear()
    twin = uncached_twin(app)
    try:
        pages = [page_of(db, world, "vol_a"), page_of(db, world, "vol_a2")]
        cached, fresh = app.test_client(), twin.test_client()
        for name, n in [("walk", 0), *history]:
            committed(db, partial(change, db, world, name, n))
            for page in pages:
                assert main_of(cached.get(page)) == main_of(fresh.get(page)), (name, page)
    finally:
        clock.freeze(None)
        get_engine(twin).dispose()


@pytest.fixture
def frozen_now():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


def test_each_person_sees_their_own_page_and_no_cache_holds_their_link(app, db, world, frozen_now):
    with app.app_context():
        cache.clear()
    night = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], day=NOW.date()
    )
    book(db, night, world.ids["assoc_a"], [world.ids["vol_a"], world.ids["vol_a2"]])
    db.commit()
    client = app.test_client()
    mine, theirs = page_of(db, world, "vol_a"), page_of(db, world, "vol_a2")
    for _ in range(2):  # rendered, then from the cache
        page, other = main_of(client.get(mine)), main_of(client.get(theirs))
        assert '<span class="subtitle">Vol A</span>' in page
        assert '<span class="subtitle">Vol A2</span>' in other
        assert f'action="{mine}/rotate"' in page  # the link's own token, put back
        assert f'action="{theirs}/rotate"' in other
    with app.app_context():
        stored = " ".join(str(value) for value in cache.cache._cache.values())
        assert "volunteers.personal" in " ".join(cache.cache._cache)
    for link in (mine, theirs):
        assert link.removeprefix("/me/") not in stored
    assert personal_page.token_slot(app.config["SECRET_KEY"]) in stored


def test_a_new_secret_key_never_serves_a_page_with_the_old_keys_slot(app, db, world, frozen_now):
    """After a key rotation (the old key a fallback, so the links still open) the page's
    links carry the real token, not the slot of the key that filled the cache."""
    with app.app_context():
        cache.clear()
    page = page_of(db, world, "vol_a")
    client = app.test_client()
    old_slot = personal_page.token_slot(app.config["SECRET_KEY"])
    main_of(client.get(page))  # cached with the old key's slot
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "a-new-secret-key-that-is-long-enough-0001"
    shown = main_of(client.get(page))
    assert old_slot not in shown
    assert f'action="{page}/rotate"' in shown
