"""What messaging needs to know about walks, groups and leaders.

Answering a walk (JA/NEJ) uses the booking area's own services, re-exported here, so that
capacity and the "already started" rule are decided in one place.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role, User
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..booking.services_roster import confirm_assignment, decline_assignment  # noqa: F401
from ..booking.walker_queries import next_assignment  # noqa: F401 - used by webhooks
from ..planning.models import PatrolArea, Shift, ShiftStatus


def shift_and_area(session: Session, shift_id: int | None) -> tuple[Shift, PatrolArea] | None:
    shift = session.get(Shift, shift_id) if shift_id is not None else None
    if shift is None:
        return None
    area = session.get(PatrolArea, shift.area_id)
    if area is None:
        return None
    return shift, area


def walkers(
    session: Session,
    shift_id: int,
    *,
    association_id: int | None = None,
    booking_id: int | None = None,
    active_only: bool = True,
) -> list[tuple[Assignment, User]]:
    """Assigned or confirmed (not declined) volunteers of the shift's (active) bookings."""
    query = (
        select(Assignment, User)
        .join(User, col(User.id) == Assignment.user_id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(Assignment.shift_id == shift_id, Assignment.status != AssignmentStatus.DECLINED)
        .order_by(col(Assignment.id))
    )
    if active_only:
        query = query.where(Booking.status == BookingStatus.ACTIVE)
    if association_id is not None:
        query = query.where(Booking.association_id == association_id)
    if booking_id is not None:
        query = query.where(Assignment.booking_id == booking_id)
    return list(session.exec(query).all())


def group_size(session: Session, shift_id: int, association_id: int) -> int:
    return len(walkers(session, shift_id, association_id=association_id))


def leaders(session: Session, association_id: int) -> list[User]:
    """The association's leaders (active users), by name."""
    query = (
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.role == Role.LEADER,
            Membership.association_id == association_id,
            col(User.is_active).is_(True),
        )
        .order_by(col(User.name), col(User.id))
    )
    return list(session.exec(query).unique().all())


def association(session: Session, association_id: int) -> Association | None:
    return session.get(Association, association_id)


def booking_association(session: Session, assignment: Assignment) -> int:
    booking = session.get(Booking, assignment.booking_id)
    assert booking is not None
    return booking.association_id


def upcoming_bookings(
    session: Session, *, now: datetime, until: datetime
) -> list[tuple[Shift, Booking]]:
    """Active bookings of shifts that start in (now, until] and are not cancelled."""
    query = (
        select(Shift, Booking)
        .join(Booking, col(Booking.shift_id) == Shift.id)
        .where(
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at > now,
            Shift.start_at <= until,
        )
        .order_by(col(Shift.start_at), col(Booking.id))
    )
    return list(session.exec(query).all())


def user_by_phone(session: Session, e164: str) -> User | None:
    if not e164:
        return None
    return session.exec(
        select(User).where(User.phone_e164 == e164, col(User.anonymized_at).is_(None))
    ).first()
