"""Keep a cancelled booking's walks in its walkers' calendars (see ``CancelledWalk``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from ..booking.models import Assignment, AssignmentStatus
from ..clock import utcnow
from ..planning.models import Shift
from .feeds import PAST_DAYS
from .models import CancelledWalk


def remember_booking(session: Session, booking_id: int) -> int:
    """Record the walks of a booking about to lose its group; returns how many.

    Called while the assignments still exist. Declined walkers are not recorded: their
    feed already dropped the walk.
    """
    group = session.exec(
        select(Assignment).where(
            Assignment.booking_id == booking_id,
            Assignment.status != AssignmentStatus.DECLINED,
        )
    ).all()
    for assignment in group:
        forget(session, shift_id=assignment.shift_id, user_id=assignment.user_id)
        session.add(
            CancelledWalk(
                shift_id=assignment.shift_id,
                booking_id=booking_id,
                user_id=assignment.user_id,
                assigned_at=assignment.created_at,
                responded_at=assignment.responded_at,
            )
        )
    session.flush()
    return len(group)


def forget(session: Session, *, shift_id: int, user_id: int) -> None:
    """The volunteer is on the shift again: their live assignment is the one event."""
    session.exec(  # type: ignore[call-overload]
        delete(CancelledWalk).where(
            CancelledWalk.shift_id == shift_id, CancelledWalk.user_id == user_id
        )
    )


def forget_person(session: Session, user_id: int) -> None:
    session.exec(delete(CancelledWalk).where(CancelledWalk.user_id == user_id))  # type: ignore[call-overload]


def purge_old(session: Session, *, now: datetime | None = None) -> int:
    """Drop records of walks too old for any feed to scan; returns how many."""
    # A month beyond the window: the window's day may lag the clock by a missed job or two.
    cutoff = (now or utcnow()) - timedelta(days=PAST_DAYS + 31)
    old_shifts = select(Shift.id).where(Shift.start_at < cutoff)
    result = session.exec(  # type: ignore[call-overload]
        delete(CancelledWalk).where(CancelledWalk.shift_id.in_(old_shifts))  # type: ignore[attr-defined]
    )
    return int(result.rowcount or 0)
