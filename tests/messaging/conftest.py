"""Fixtures for the messaging tests: a booked walk with a group, and event helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from nattvandring import clock, events
from nattvandring.accounts.models import User
from nattvandring.booking.models import Assignment, Booking
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a Friday morning, outside quiet hours


@dataclass
class Walk:
    shift_id: int
    booking_id: int
    association_id: int


def make_walk(
    session: Session,
    world,
    *,
    start: datetime,
    hours: int = 4,
    assoc: str = "assoc_a",
    min_walkers: int = 3,
) -> Walk:
    area_key = "area_b" if assoc == "assoc_c" else "area_h"
    municipality = "bjuv" if assoc == "assoc_c" else "hassleholm"
    shift = Shift(
        municipality_id=world.ids[municipality],
        area_id=world.ids[area_key],
        start_at=start,
        end_at=start + timedelta(hours=hours),
        min_walkers=min_walkers,
        status="booked",
    )
    session.add(shift)
    session.flush()
    booking = Booking(shift_id=shift.id, association_id=world.ids[assoc])
    session.add(booking)
    session.flush()
    return Walk(shift.id, booking.id, world.ids[assoc])


def assign(session: Session, walk: Walk, user_id: int, *, emit: bool = True) -> Assignment:
    assignment = Assignment(shift_id=walk.shift_id, booking_id=walk.booking_id, user_id=user_id)
    session.add(assignment)
    session.flush()
    if emit:
        events.emit(
            session,
            events.AssignmentAdded(
                assignment_id=assignment.id,
                shift_id=walk.shift_id,
                user_id=user_id,
                association_id=walk.association_id,
                actor_id=None,
            ),
        )
    return assignment


def rows(session: Session, **filters) -> list[SmsMessage]:
    query = select(SmsMessage).order_by(SmsMessage.id)
    for key, value in filters.items():
        query = query.where(getattr(SmsMessage, key) == value)
    return list(session.exec(query).all())


def user(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    assert found is not None
    return found


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)
