"""Where calendar versions move (nattvandring/calendars/changes.py), within one transaction.

A transaction raises each walk and each feed once. Every roster addition flushes inside a
savepoint of its own, so the raises must outlive a savepoint that is released, and be
forgotten with one that is rolled back. Random histories over several transactions are in
test_feed_versions.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.booking import services_group, services_roster
from nattvandring.calendars.models import EventVersion, FeedVersion
from nattvandring.planning.models import Shift
from tests.calendars.conftest import booked_walk
from tests.factories import phone, user

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def booked(db, world):
    """Association A's booked walk with Vol A on it; committed."""
    clock.freeze(NOW)
    shift, booking = booked_walk(db, world, area_id=world.ids["area_h"], day=date(2026, 10, 10))
    return {"shift": shift.id, "booking": booking.id}


def _sequence(db, shift_id: int) -> int:
    return db.exec(select(EventVersion.sequence).where(EventVersion.shift_id == shift_id)).one()


def _feed(db, kind: str, owner_id: int) -> int:
    """The feed's version; -1 before its first raise (which makes the row, at 0)."""
    found = db.exec(
        select(FeedVersion.version).where(
            FeedVersion.kind == kind, FeedVersion.owner_id == owner_id
        )
    ).one_or_none()
    return -1 if found is None else found


def test_a_walker_added_after_another_change_of_the_walk_moves_their_own_feed(db, world, booked):
    """The walk was raised already in the transaction; the new walker's feed still moves."""
    ids = world.ids
    before = _feed(db, "person", ids["vol_a2"])
    db.get(Shift, booked["shift"]).sequence += 1  # raises the walk and the feeds showing it
    db.flush()
    services_roster.add_to_roster(
        db, booking_id=booked["booking"], user_id=ids["vol_a2"], actor_id=ids["leader_a"]
    )
    db.commit()
    assert _feed(db, "person", ids["vol_a2"]) > before


def test_a_whole_group_added_in_one_transaction_raises_the_walk_once(db, world, booked):
    ids = world.ids
    third = user(db, "Tredje Vandrare", phone_e164=phone(), birth_year=1980)
    grant(db, third, Role.VOLUNTEER, association_id=ids["assoc_a"])
    db.commit()
    before = _sequence(db, booked["shift"])
    services_group.add_members(
        db, booking_id=booked["booking"], user_ids=[ids["vol_a2"], third.id], actor_id=None
    )
    db.commit()
    assert _sequence(db, booked["shift"]) == before + 1


def test_a_change_after_a_savepoint_rolled_back_raises_again(db, world, booked):
    """The savepoint's raise was undone with it: the walk's next change raises it anew."""
    before = _sequence(db, booked["shift"])
    savepoint = db.begin_nested()
    db.get(Shift, booked["shift"]).sequence += 1
    db.flush()
    savepoint.rollback()
    db.get(Shift, booked["shift"]).start_at += timedelta(minutes=30)
    db.commit()
    assert _sequence(db, booked["shift"]) == before + 1
