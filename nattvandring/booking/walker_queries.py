"""Read models of a volunteer's walks: the personal page and the answers to their SMS.

Each runs a fixed number of statements whatever the number of walks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ..accounts.models import User
from ..associations.models import Association
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .models import Assignment, AssignmentStatus, Booking, BookingStatus
from .queries import OCCUPYING


def next_assignment(session: Session, user_id: int, now: datetime) -> Assignment | None:
    """The user's assignment on their soonest walk that has not started yet.

    For SMS replies (JA/NEJ): any answer state is returned (assigned, confirmed or
    declined), so a repeated "NEJ" hits the same walk instead of the one after it.
    Cancelled bookings and shifts are skipped.
    """
    return session.exec(
        select(Assignment)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(
            Assignment.user_id == user_id,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at > now,
        )
        .order_by(col(Shift.start_at), col(Assignment.id))
    ).first()


@dataclass
class Walk:
    assignment: Assignment
    shift: Shift
    area_name: str
    meeting_point: str
    association_name: str
    latitude: float | None = None
    longitude: float | None = None
    equipment_note: str = ""
    leader_name: str = ""
    leader_phone: str = ""  # E.164, the association's contact person


def walks_of(session: Session, user_id: int) -> list[Walk]:
    """All of the user's walks on live bookings, oldest first (one query), with the place
    and the association's contact person."""
    found = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types up to 4 entities
            Assignment,
            Shift,
            col(PatrolArea.name),
            col(PatrolArea.meeting_point),
            col(Association.name),
            col(PatrolArea.latitude),
            col(PatrolArea.longitude),
            col(PatrolArea.equipment_note),
            col(Association.contact_name),
            col(Association.contact_phone),
        )
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Booking, Booking.id == Assignment.booking_id)
        .join(Association, Association.id == Booking.association_id)
        .where(
            Assignment.user_id == user_id,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
        )
        .order_by(Shift.start_at, Assignment.id)
    ).all()
    return [Walk(*row) for row in found]


def fellow_walkers(
    session: Session, booking_ids: list[int], user_id: int
) -> dict[int, list[tuple[int, str]]]:
    """Per booking, the other walkers who have not declined, as (user id, full name), in
    one query; the page shows first names only."""
    if not booking_ids:
        return {}
    rows = session.exec(
        select(Assignment.booking_id, User.id, User.name)
        .join(User, col(User.id) == Assignment.user_id)
        .where(
            col(Assignment.booking_id).in_(booking_ids),
            Assignment.user_id != user_id,
            Assignment.status != AssignmentStatus.DECLINED,
            col(User.anonymized_at).is_(None),
        )
        .order_by(col(User.name), col(User.id))
    ).all()
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for booking_id, other_id, name in rows:
        found[booking_id].append((other_id, name))  # type: ignore[arg-type]
    return dict(found)


@dataclass
class OpenPlace:
    booking_id: int
    shift: Shift
    area_name: str
    association_name: str
    free: int | None  # None: no maximum


def open_places_for(
    session: Session, user_id: int, association_ids: list[int], now: datetime
) -> list[OpenPlace]:
    """Upcoming booked walks of the user's self-signup associations with a free place."""
    if not association_ids:
        return []
    found = session.exec(
        select(Booking.id, Shift, PatrolArea.name, Association.name)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .join(Association, col(Association.id) == Booking.association_id)
        .where(
            col(Booking.association_id).in_(association_ids),
            Booking.status == BookingStatus.ACTIVE,
            col(Association.allow_self_signup).is_(True),
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at > now,
        )
        .order_by(col(Shift.start_at))
    ).all()
    if not found:
        return []
    shift_ids = [shift.id for _, shift, _, _ in found]
    taken: defaultdict[int, int] = defaultdict(int)
    mine: set[int] = set()
    for shift_id, uid, status in session.exec(
        select(Assignment.shift_id, Assignment.user_id, Assignment.status).where(
            col(Assignment.shift_id).in_(shift_ids)
        )
    ):
        if status in OCCUPYING:
            taken[shift_id] += 1
        if uid == user_id:
            mine.add(shift_id)
    places = []
    for booking_id, shift, area, association_name in found:
        assert shift.id is not None
        if shift.id in mine:
            continue
        free = None if shift.max_walkers is None else shift.max_walkers - taken[shift.id]
        if free is not None and free <= 0:
            continue
        places.append(OpenPlace(booking_id, shift, area, association_name, free))  # type: ignore[arg-type]
    return places
