"""Cached page fragments (web/page_cache.py): which writes move which version, and the
invariant that a cached page always equals a fresh render, over random histories."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

import pytest
from flask import g
from hypothesis import HealthCheck, example, given, settings
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.booking.models import Assignment, ReserveEntry, ReserveStatus
from nattvandring.db import get_engine
from nattvandring.messaging.models import SmsMessage
from nattvandring.municipalities.models import Municipality
from nattvandring.ops.models import WorkerHeartbeat
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.web import page_cache
from nattvandring.web.caching import cache
from nattvandring.web.models import PageVersion
from nattvandring.web.page_cache import EVERYTHING_ELSE
from tests import factories
from tests.factories import login
from tests.support.database import uncached_twin
from tests.support.pages import committed, histories, main_of
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 9, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


def versions(db) -> dict[int, int]:
    db.commit()  # a fresh read
    return {row.scope: row.version for row in db.exec(select(PageVersion)).all()}


def raised(db, before: dict[int, int]) -> set[int]:
    after = versions(db)
    return {scope for scope, version in after.items() if version != before.get(scope)}


def a_shift(
    db, world, town: str = "hassleholm", day: date = date(2026, 9, 18), evening: bool = False
) -> Shift:
    """A night walk, 21:00-01:00, or with ``evening`` one that ends the same day."""
    area = "area_h" if town == "hassleholm" else "area_b"
    start, end = (time(18), time(22)) if evening else (time(21), time(1))
    return make_shift(
        db,
        municipality_id=world.ids[town],
        area_id=world.ids[area],
        day=day,
        start=start,
        end=end,
    )


def test_a_write_raises_its_own_municipality_only(db, world):
    shift = a_shift(db, world)
    db.commit()
    before = versions(db)
    shift.notes = "Samling vid stationen"
    db.add(shift)
    db.commit()
    assert raised(db, before) == {world.ids["hassleholm"]}

    before = versions(db)
    a_shift(db, world, "bjuv")
    db.commit()
    assert raised(db, before) == {world.ids["bjuv"]}


def test_rows_find_their_municipality_through_association_shift_and_booking(db, world):
    shift = a_shift(db, world)
    db.commit()
    before = versions(db)
    booking = book(db, shift, world.ids["assoc_a"], [world.ids["vol_a"]])
    db.commit()
    assert raised(db, before) == {world.ids["hassleholm"]}

    before = versions(db)
    assignment = db.exec(select(Assignment).where(Assignment.booking_id == booking.id)).one()
    db.delete(assignment)
    db.commit()
    assert raised(db, before) == {world.ids["hassleholm"]}

    before = versions(db)
    club = db.get(Association, world.ids["assoc_c"])
    club.name = "Bjuvs IF Nattvandrare"
    db.add(club)
    db.commit()
    assert raised(db, before) == {world.ids["bjuv"]}


def test_reads_rollbacks_and_quiet_tables_move_nothing(db, world):
    a_shift(db, world)
    db.commit()
    before = versions(db)
    db.exec(select(Shift)).all()
    db.commit()
    a_shift(db, world, day=date(2026, 9, 19))
    db.rollback()
    db.add(WorkerHeartbeat(worker_id="w1", hostname="h", pid=1, started_at=NOW, beat_at=NOW))
    db.add(SmsMessage(to_e164="+46701234567", body="Hej", kind="notice", dedupe_key="t1"))
    person = db.get(User, world.ids["vol_a"])
    person.last_login_at = NOW
    db.add(person)
    db.commit()
    assert raised(db, before) == set()


def test_a_savepoint_rolled_back_keeps_the_transactions_earlier_writes(db, world):
    """As when queue_sms loses its dedupe race after the service changed a shift."""
    shift = a_shift(db, world)
    db.add(SmsMessage(to_e164="+46701234567", body="Hej", kind="notice", dedupe_key="taken"))
    db.commit()
    before = versions(db)
    shift.notes = "Samling vid stationen"
    db.add(shift)
    db.flush()
    with pytest.raises(IntegrityError), db.begin_nested():
        db.add(SmsMessage(to_e164="+46701234567", body="Hej", kind="notice", dedupe_key="taken"))
        db.flush()
    db.commit()
    assert raised(db, before) == {world.ids["hassleholm"]}


def test_versions_are_raised_at_the_commit_not_when_a_savepoint_is_released(db, world):
    shift = a_shift(db, world)
    db.commit()
    before = versions(db)
    shift.notes = "Samling vid stationen"
    db.add(shift)
    with db.begin_nested():  # as book_shift and add_to_roster do
        db.flush()
    in_the_transaction = {row.scope: row.version for row in db.exec(select(PageVersion)).all()}
    assert in_the_transaction == before
    db.commit()
    assert raised(db, before) == {world.ids["hassleholm"]}


def test_a_row_without_a_municipality_raises_everything_else(db, world):
    before = versions(db)
    person = db.get(User, world.ids["vol_a"])
    person.name = "Vol A Andersson"
    db.add(person)
    db.commit()
    assert raised(db, before) == {EVERYTHING_ELSE}


def test_another_release_never_reads_a_cached_fragment(app, db, monkeypatch):
    """A fragment's key holds a digest of the code, templates and translations: after a
    deploy (or beside a rolling one's old workers) nothing rendered by other code is read."""
    rendered: list[str] = []

    def render() -> tuple[str, None]:
        rendered.append(page_cache.code_version())
        return f"<p>{len(rendered)}</p>", None

    def show() -> str:
        return str(page_cache.fragment("probe", municipality_ids=None, parts=(), render=render))

    with app.test_request_context():
        assert show() == show() == "<p>1</p>"
        monkeypatch.setattr(page_cache, "code_version", lambda: "another release")
        assert show() == show() == "<p>2</p>"
    assert len(rendered) == 2


def test_the_cached_month_is_shared_by_coordinators_but_never_crosses_tenants(
    app, client, db, world
):
    a_shift(db, world)
    db.commit()
    url = f"/planning/{world.ids['hassleholm']}/calendar?month=2026-09"
    login(client, world.emails["coord_h"])
    first = client.get(url)
    assert first.status_code == 200 and "/planning/shifts/" in first.get_data(as_text=True)
    other = app.test_client()
    login(other, world.emails["coord_b"])
    assert other.get(url).status_code == 404
    leader = app.test_client()
    login(leader, world.emails["leader_a"])
    assert leader.get(url).status_code == 403


def test_the_leaders_calendar_is_the_leaders_own_and_follows_the_clock(app, db, world, frozen):
    """A reserve offer holds a group's room until it expires; the cached calendar offers
    "Boka" again from that moment, and its form carries the viewer's own CSRF token."""
    town = db.get(Municipality, world.ids["hassleholm"])
    town.max_associations_per_shift = 3
    shift = a_shift(db, world)
    book(db, shift, world.ids["assoc_b"])
    third = factories.association(db, town, "Tredje föreningen")
    db.add(
        ReserveEntry(
            shift_id=shift.id,
            association_id=third.id,
            status=ReserveStatus.OFFERED,
            offered_at=NOW,
            offer_expires_at=NOW + timedelta(hours=2),
        )
    )
    db.commit()
    club = world.ids["assoc_a"]
    url = f"/booking/{club}/calendar?month=2026-09"
    form = f'action="/booking/{club}/shifts/{shift.id}/book"'
    leader = app.test_client()
    login(leader, world.emails["leader_a"])
    assert form not in leader.get(url).get_data(as_text=True)  # the offer holds the room
    assert form not in leader.get(url).get_data(as_text=True)  # from the cache
    clock.freeze(NOW + timedelta(hours=3))
    other = app.test_client()  # the same leader on another device: another session
    login(other, world.emails["leader_a"])
    # The test's app context outlives its requests, and Flask-WTF keeps a request's token on
    # ``g``: drop it, so that each request signs its own session's token as in production.
    g.pop("csrf_token", None)
    assert form in other.get(url).get_data(as_text=True)  # rendered, and cached, for it
    g.pop("csrf_token", None)
    page = leader.get(url).get_data(as_text=True)  # the cached fragment
    assert form in page
    # The Boka form's own field (the page's header has forms with a fresh token too).
    boka = page[page.index(form) :]
    token = re.search(r'name="csrf_token" value="([^"<]+)"', boka).group(1)
    signed = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    with leader.session_transaction() as cookie:
        assert signed.loads(token) == cookie["csrf_token"]  # this session's own token


# --- the invariant: a cached page is the page a fresh render gives --------------------------


def _pick(db, world, index: int) -> Shift | None:
    shifts = db.exec(
        select(Shift).where(Shift.municipality_id == world.ids["hassleholm"]).order_by(Shift.id)
    ).all()
    return shifts[index % len(shifts)] if shifts else None


def change(db, world, name: str, n: int) -> None:
    shift = _pick(db, world, n)
    if name == "new shift":
        a_shift(db, world, day=date(2026, 9, 10) + timedelta(days=n % 20), evening=n % 2 == 1)
    elif name == "other town" or shift is None:
        a_shift(db, world, "bjuv", day=date(2026, 9, 10) + timedelta(days=n % 20))
    elif name == "book":
        if shift.status != "booked":
            book(db, shift, world.ids["assoc_a" if n % 2 else "assoc_b"], [world.ids["vol_a"]])
    elif name == "cancel":
        shift.status = "cancelled"
        shift.cancelled_at = clock.utcnow()
    elif name == "move":
        shift.start_at += timedelta(hours=1)
        shift.end_at += timedelta(hours=1)
    elif name == "remove walker":
        walker = db.exec(select(Assignment).where(Assignment.shift_id == shift.id)).first()
        if walker is not None:
            db.delete(walker)
    elif name == "rename area":
        area = db.get(PatrolArea, world.ids["area_h"])
        area.name = f"Centrum {n}"
    elif name == "rename association":
        club = db.get(Association, world.ids["assoc_a"])
        club.name = f"IFK Hässleholm {n}"
    elif name == "rename town":
        town = db.get(Municipality, world.ids["hassleholm"])
        town.name = f"Hässleholm {n}"
    elif name == "offer":  # offered to another association from the reserve list, for hours
        if (
            shift.status == "booked"
            and not db.exec(select(ReserveEntry).where(ReserveEntry.shift_id == shift.id)).first()
        ):
            db.add(
                ReserveEntry(
                    shift_id=shift.id,
                    association_id=world.ids["assoc_b"],
                    status=ReserveStatus.OFFERED,
                    offered_at=clock.utcnow(),
                    offer_expires_at=clock.utcnow() + timedelta(hours=1 + n % 5),
                )
            )
    elif name == "far shift":  # beyond the coming six weeks: it enters the list later
        a_shift(db, world, day=date(2026, 10, 22) + timedelta(days=n % 3))
    elif name == "heartbeat":
        db.merge(WorkerHeartbeat(worker_id="w", hostname="h", pid=n, started_at=NOW, beat_at=NOW))
    elif name == "tick":
        clock.freeze(clock.utcnow() + timedelta(hours=1 + n % 30))


STEPS = histories(
    [
        "new shift",
        "other town",
        "book",
        "cancel",
        "move",
        "remove walker",
        "rename area",
        "rename association",
        "rename town",
        "offer",
        "far shift",
        "heartbeat",
        "tick",
    ]
)


@settings(max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=STEPS)
# An evening walk (18-22) tomorrow, then the clock to 20:00 and to 23:00 that day: the walk
# leaves the public page at its end, within the same day's fragment.
@example(history=[("new shift", 1), ("tick", 29), ("tick", 2)])
# 22:00 the same day: tonight's walk has started and leaves the leader's list of coming nights.
@example(history=[("tick", 7)])
def test_cached_pages_equal_fresh_renders_after_every_change(app, db, world, history):
    # Each history starts at NOW with an empty cache (time never runs back within one).
    clock.freeze(NOW)
    with app.app_context():
        cache.clear()
    twin = uncached_twin(app)
    try:
        town = db.get(Municipality, world.ids["hassleholm"])
        pages = [
            f"/planning/{town.id}/calendar?month=2026-09",
            f"/planning/{town.id}/calendar?month=2026-09&view=month",
            f"/kommun/{town.slug}",
        ]
        cached, fresh = app.test_client(), twin.test_client()
        for client in (cached, fresh):
            login(client, world.emails["coord_h"])
        visitors = {"/": (app.test_client(), twin.test_client())}  # the start page
        leader = (app.test_client(), twin.test_client())
        for client in leader:
            login(client, world.emails["leader_a"])
        club = world.ids["assoc_a"]
        for page in (  # the coming weeks, the open nights, a month as a list and a grid
            f"/booking/{club}/calendar",
            f"/booking/{club}/calendar?open=1",
            f"/booking/{club}/calendar?month=2026-09",
            f"/booking/{club}/calendar?month=2026-09&view=month",
        ):
            visitors[page] = leader
        db.commit()  # the arranging session reads afresh after the logins' writes
        for name, n in [("new shift", 0), *history]:
            committed(db, partial(change, db, world, name, n))
            seen_by = [(page, cached, fresh) for page in pages]
            seen_by += [(page, *pair) for page, pair in visitors.items()]
            for page, one, other in seen_by:
                assert main_of(one.get(page)) == main_of(other.get(page)), (name, page)
    finally:
        clock.freeze(None)
        get_engine(twin).dispose()
