"""Helpers shared by the planning services: active bookings, bumping and cancelling shifts."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import null
from sqlmodel import Session, select

from .. import events
from ..booking.models import Booking, BookingStatus
from ..clock import utcnow
from .models import Shift, ShiftStatus


def store_optional(row: object, name: str, value: object) -> None:
    """Set a nullable column that has a Python default, storing a real NULL for ``None``.

    The ORM leaves ``None`` out of an INSERT when the column has a default, so the default
    (e.g. 6 walkers) would be stored instead of "no limit"; ``null()`` forces NULL.
    """
    setattr(row, name, null() if value is None else value)


def booked_shift_ids(session: Session, shift_ids: Iterable[int]) -> set[int]:
    """Ids among ``shift_ids`` that have at least one active booking (one query)."""
    ids = list(shift_ids)
    if not ids:
        return set()
    rows = session.exec(
        select(Booking.shift_id)
        .where(Booking.shift_id.in_(ids), Booking.status == BookingStatus.ACTIVE)
        .distinct()
    )
    return set(rows)


def active_bookings_of(session: Session, shift_id: int) -> list[int]:
    """Ids of the shift's active bookings."""
    return list(
        session.exec(
            select(Booking.id).where(
                Booking.shift_id == shift_id, Booking.status == BookingStatus.ACTIVE
            )
        )
    )


def touch(shift: Shift) -> None:
    """A change calendars must see: SEQUENCE up, last change now."""
    shift.sequence = (shift.sequence or 0) + 1
    shift.updated_at = utcnow()


def cancel_shift_row(session: Session, shift: Shift, *, reason: str, actor_id: int | None) -> int:
    """Cancel ``shift``; emits ShiftCancelled. Returns how many active bookings it had.

    Booking ends those bookings on ShiftCancelled (``booking.subscribers.end_bookings``),
    without BookingCancelled events: the shift cancellation is the one notification
    subscribers act on.
    """
    shift.status = ShiftStatus.CANCELLED
    shift.cancelled_at = utcnow()
    shift.cancel_reason = reason.strip()[:500]
    touch(shift)
    session.add(shift)
    session.flush()
    assert shift.id is not None
    hit = len(active_bookings_of(session, shift.id))
    events.emit(
        session,
        events.ShiftCancelled(shift_id=shift.id, reason=shift.cancel_reason, actor_id=actor_id),
    )
    return hit
