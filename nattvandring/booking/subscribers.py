"""Booking's reactions to other areas' events (same transaction, flush only)."""

from __future__ import annotations

from sqlmodel import Session, select

from .. import events
from ..audit.services import record
from ..clock import utcnow
from ..planning.models import Shift
from .models import Assignment, ReserveEntry, ReserveStatus
from .services_booking import end_bookings_of_cancelled_shift


@events.subscribe(events.ShiftCancelled)
def end_bookings(session: Session, event: events.ShiftCancelled) -> None:
    """A cancelled shift ends its active bookings (booking's own cancel, no second copy)."""
    end_bookings_of_cancelled_shift(
        session, shift_id=event.shift_id, actor_id=event.actor_id, reason=event.reason
    )


@events.subscribe(events.ShiftCancelled)
def withdraw_reserve_list(session: Session, event: events.ShiftCancelled) -> None:
    """A cancelled shift can no longer be offered to anyone waiting for it."""
    entries = session.exec(
        select(ReserveEntry).where(
            ReserveEntry.shift_id == event.shift_id,
            ReserveEntry.status.in_([ReserveStatus.WAITING, ReserveStatus.OFFERED]),  # type: ignore[attr-defined]
        )
    ).all()
    for entry in entries:
        entry.status = ReserveStatus.WITHDRAWN
        session.add(entry)


@events.subscribe(events.PersonErased)
def leave_future_walks(session: Session, event: events.PersonErased) -> None:
    """An erased person walks no more: their places on walks that have not started free up."""
    now = utcnow()
    rows = session.exec(
        select(Assignment, Shift)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Assignment.user_id == event.user_id, Shift.start_at > now)
    ).all()
    for assignment, shift in rows:
        record(
            session,
            actor_id=None,
            action="roster.removed_on_erasure",
            object_type="shift",
            object_id=shift.id,
            municipality_id=shift.municipality_id,
        )
        session.delete(assignment)
    if rows:
        session.flush()
