"""Random histories of changes: the feeds' validators and SEQUENCE stay right by construction.

A history's steps commit one by one or several in one transaction (as a request that adds a
whole walking group does, each walker in a savepoint of its own). After every transaction,
for every feed: SEQUENCE per UID never went down (nor below what an e-mailed invite said)
and went up where the walk's event changed, ETag and Last-Modified moved exactly when the
body changed, the Last-Modified never went back, and two parsers read the body.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from nattvandring import clock
from nattvandring.booking import services_booking, services_roster
from nattvandring.booking.models import Assignment, Booking, BookingStatus
from nattvandring.calendars.changes import recorded_at_the_end
from nattvandring.calendars.models import EventVersion, FeedVersion
from nattvandring.errors import RuleViolation
from nattvandring.mail.models import EmailMessage
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.planning.services_common import cancel_shift_row
from tests.calendars.conftest import (
    association_feed_path,
    booked_walk,
    events_of,
    personal_feed_path,
)

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
STEPS = [
    "time",
    "move_area",
    "rename_area",
    "coordinator_cancel",
    "leader_cancel",
    "rebook",
    "remove_walker",
    "decline",
    "add_walker",
    "notes",  # shown nowhere: moves nothing
]


def _apply(step: str, db, world, state: dict) -> None:
    ids = world.ids
    shift = db.get(Shift, state["shift"])
    booking = db.exec(
        select(Booking).where(Booking.shift_id == shift.id).order_by(Booking.id.desc())
    ).first()
    walkers = db.exec(
        select(Assignment).where(Assignment.shift_id == shift.id).order_by(Assignment.id)
    ).all()
    active = booking is not None and booking.status == BookingStatus.ACTIVE
    if step == "time":
        shift.start_at += timedelta(minutes=30)
        shift.end_at += timedelta(minutes=30)
        shift.sequence += 1
    elif step == "move_area":
        shift.area_id = (
            state["areas"][1] if shift.area_id == state["areas"][0] else state["areas"][0]
        )
        shift.sequence += 1
    elif step == "rename_area":
        area = db.get(PatrolArea, shift.area_id)
        area.name = f"{area.name[:40]}, norr"
    elif step == "coordinator_cancel" and shift.status != "cancelled":
        cancel_shift_row(db, shift, reason="Storm", actor_id=ids["coord_h"])
    elif step == "leader_cancel" and active:
        services_booking.cancel_booking(
            db, booking_id=booking.id, actor_id=ids["leader_a"], as_coordinator=False
        )
    elif step == "rebook" and not active and shift.status != "cancelled":
        services_booking.book_shift(
            db, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=ids["leader_a"]
        )
    elif step == "remove_walker" and walkers:
        services_roster.remove_from_roster(db, assignment_id=walkers[0].id, actor_id=None)
    elif step == "decline" and walkers:
        services_roster.decline_assignment(db, walkers[-1])
    elif step == "add_walker" and active:
        on = {w.user_id for w in walkers}
        free = [u for u in (ids["vol_a"], ids["vol_a2"]) if u not in on]
        if free:
            services_roster.add_to_roster(
                db, booking_id=booking.id, user_id=free[0], actor_id=ids["leader_a"]
            )
    elif step == "notes":
        shift.notes = f"{shift.notes}x"


@pytest.fixture
def small_world(app, db, world):
    clock.freeze(NOW)
    ids = world.ids
    other = PatrolArea(municipality_id=ids["hassleholm"], name="Söder", meeting_point="Torget")
    db.add(other)
    db.flush()
    paths = {
        "municipality": "/feeds/kommun/hässleholm.ics",
        "area": f"/feeds/kommun/hässleholm/{ids['area_h']}.ics",
        "other_area": f"/feeds/kommun/hässleholm/{other.id}.ics",
        "association": association_feed_path(db, ids["assoc_a"]),
        "vol_a": personal_feed_path(db, ids["vol_a"]),
        "vol_a2": personal_feed_path(db, ids["vol_a2"]),
    }
    db.commit()
    return {"areas": [ids["area_h"], other.id], "paths": paths, "day": 0}


def _booked_walk(db, world, small_world) -> Shift:
    """A new night (one day later each example), booked, with one walker; committed."""
    day = date(2026, 10, 10) + timedelta(days=small_world["day"])
    return booked_walk(db, world, area_id=small_world["areas"][0], day=day)[0]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(STEPS), st.booleans()),  # (step, whether it commits)
        min_size=1,
        max_size=8,
    )
)
def test_random_histories_keep_the_validators_and_sequence_right(
    client, db, world, small_world, steps
):
    small_world["day"] += 1
    clock.freeze(NOW + timedelta(minutes=small_world["day"] * 20))
    shift = _booked_walk(db, world, small_world)
    state = {**small_world, "shift": shift.id}
    uid = f"shift-{shift.id}@nattvandring.local"
    paths = small_world["paths"]

    def look() -> dict[str, tuple[bytes, str, datetime]]:
        seen = {}
        for name, path in paths.items():
            response = client.get(path)
            assert response.status_code == 200, name
            events_of(response.data)  # icalendar and vobject both read it
            seen[name] = (response.data, response.headers["ETag"], response.last_modified)
        return seen

    def sequences(seen) -> dict[str, int]:
        found = {}
        for name, (body, _etag, _modified) in seen.items():
            event = events_of(body).get(uid)
            if event is not None:
                found[name] = int(event["SEQUENCE"])
        return found

    def contents(seen) -> dict[str, list[tuple[str, bytes]]]:
        """The walk's event in each feed, without its SEQUENCE and time stamps."""
        found = {}
        for name, (body, _etag, _modified) in seen.items():
            event = events_of(body).get(uid)
            if event is not None:
                found[name] = sorted(
                    (key, value.to_ical() if hasattr(value, "to_ical") else repr(value))
                    for key, value in event.property_items(recursive=False)
                    if key not in ("SEQUENCE", "DTSTAMP", "LAST-MODIFIED")
                )
        return found

    before = look()
    highest = sequences(before)
    joined = 0  # the steps in the open transaction
    for number, (step, commits) in enumerate(steps, start=1):
        clock.freeze(NOW + timedelta(minutes=small_world["day"] * 20, seconds=number))
        joined += 1
        try:
            _apply(step, db, world, state)
            db.flush()
        except RuleViolation:
            db.rollback()  # with the transaction's earlier steps
        else:
            if not commits and number < len(steps):
                continue  # the next step joins this transaction
            db.commit()
        after = look()
        for name in paths:
            body, etag, modified = after[name]
            old_body, old_etag, old_modified = before[name]
            changed = body != old_body
            moved = etag != old_etag
            if joined == 1:
                assert moved == changed, (step, name)
            else:
                # Steps that undo each other in one transaction (a walk moved away and
                # back) may move a validator of a feed that ends up the same: never the
                # other way round.
                assert moved or not changed, (step, name)
            assert (modified != old_modified) == moved, (step, name)
            assert modified >= old_modified, (step, name)
            # A conditional request with the old validators is answered truthfully.
            status = client.get(paths[name], headers={"If-None-Match": old_etag}).status_code
            assert status == (200 if moved else 304), (step, name)
            weak = client.get(paths[name], headers={"If-None-Match": f"W/{etag}"}).status_code
            assert weak == 304, (step, name)
        now = sequences(after)
        for name, sequence in now.items():
            assert sequence >= highest.get(name, 0), (step, name, sequence, highest)
            highest[name] = sequence
        # A walk whose event a feed shows differently has a higher SEQUENCE there.
        old_contents = contents(before)
        for name, content in contents(after).items():
            if name in old_contents and content != old_contents[name]:
                assert now[name] > sequences(before)[name], (step, name)
        # No mailbox holds a higher SEQUENCE for this walk than the feeds show.
        for message in db.exec(select(EmailMessage).where(EmailMessage.ics.is_not(None))).all():
            invite = next(iter(icalendar.Calendar.from_ical(message.ics).events))
            if str(invite["UID"]) == uid:
                assert int(invite["SEQUENCE"]) <= max(now.values(), default=10**9), step
        before = after
        joined = 0


def _versions(db) -> dict[object, int]:
    found: dict[object, int] = {
        (row.kind, row.owner_id): row.version for row in db.exec(select(FeedVersion)).all()
    }
    found |= {row.shift_id: row.sequence for row in db.exec(select(EventVersion)).all()}
    return found


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=8))
def test_recording_at_the_end_of_a_bulk_load_moves_what_each_flush_would(
    db, world, small_world, steps
):
    """The same history in one transaction, recorded after each flush and then once at the
    end (as the demo loads): the same feeds and walks move. (How far differs: an invite
    may lift a SEQUENCE before or after the walk's own raise.)"""
    small_world["day"] += 1
    shift = _booked_walk(db, world, small_world)
    before = _versions(db)
    state = {**small_world, "shift": shift.id}
    moved = []
    for deferred in (False, True):
        with recorded_at_the_end(db) if deferred else nullcontext():
            try:
                for step in steps:
                    _apply(step, db, world, state)
                    db.flush()
            except RuleViolation:
                db.rollback()
                assume(False)
        after = _versions(db)
        moved.append({key for key, value in after.items() if value != before.get(key)})
        assert all(value >= before.get(key, 0) for key, value in after.items())
        db.rollback()
    assert moved[0] == moved[1]
