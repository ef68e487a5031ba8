"""Booking's reactions to shift cancellation and erasure."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nattvandring import clock, events
from nattvandring.booking.models import Assignment, Booking, ReserveEntry
from nattvandring.planning.models import Shift


def _shift(db, world, days: int) -> Shift:
    start = clock.utcnow() + timedelta(days=days)
    shift = Shift(
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        start_at=start,
        end_at=start + timedelta(hours=4),
        status="booked",
    )
    db.add(shift)
    db.flush()
    return shift


def test_cancelled_shift_withdraws_its_reserve_list(app, db, world):
    shift = _shift(db, world, 5)
    db.add(ReserveEntry(shift_id=shift.id, association_id=world.ids["assoc_b"]))
    db.flush()
    with app.app_context():
        events.emit(db, events.ShiftCancelled(shift_id=shift.id, reason="Storm"))
    statuses = db.exec(select(ReserveEntry.status).where(ReserveEntry.shift_id == shift.id)).all()
    assert statuses == ["withdrawn"]


def test_erased_person_leaves_future_walks_but_not_past_ones(app, db, world):
    past, future = _shift(db, world, -3), _shift(db, world, 3)
    for shift in (past, future):
        booking = Booking(shift_id=shift.id, association_id=world.ids["assoc_a"])
        db.add(booking)
        db.flush()
        db.add(Assignment(shift_id=shift.id, booking_id=booking.id, user_id=world.ids["vol_a"]))
    db.flush()
    with app.app_context():
        events.emit(db, events.PersonErased(user_id=world.ids["vol_a"]))
    remaining = db.exec(select(Assignment.shift_id).where(Assignment.user_id == world.ids["vol_a"]))
    assert remaining.all() == [past.id]
