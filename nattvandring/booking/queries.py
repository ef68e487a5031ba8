"""Read models for the booking pages and for other areas (SMS replies, personal page).

The calendar queries run a fixed number of statements whatever the number of shifts,
bookings and assignments: one per kind of row, filtered by the same conditions (no query
per shift).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, func, select

from ..associations.models import Association
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from . import rules
from .models import Assignment, AssignmentStatus, Booking, BookingStatus, ReserveEntry

OCCUPYING = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)


@dataclass
class ShiftRow:
    """One shift as a leader sees it in the calendar."""

    shift: Shift
    area_name: str
    booked_by: list[tuple[int, str]] = field(default_factory=list)  # (association id, name)
    walkers: int = 0
    reserve_status: str | None = None  # this association's reserve entry, if any
    own_booking_id: int | None = None

    @property
    def is_ours(self) -> bool:
        return self.own_booking_id is not None

    @property
    def fill_state(self) -> str:
        return rules.shift_fill_state(
            booked=bool(self.booked_by),
            cancelled=self.shift.status == ShiftStatus.CANCELLED,
            walkers=self.walkers,
            min_walkers=self.shift.min_walkers,
        )


def calendar_rows(
    session: Session,
    *,
    association: Association,
    start: datetime,
    end: datetime,
    area_id: int | None = None,
    only_open: bool = False,
    max_associations: int = 1,
) -> list[ShiftRow]:
    """Shifts of the association's municipality starting in ``[start, end)`` (4 queries)."""
    conditions = [
        Shift.municipality_id == association.municipality_id,
        Shift.start_at >= start,
        Shift.start_at < end,
        Shift.status != ShiftStatus.CANCELLED,
    ]
    if area_id:
        conditions.append(Shift.area_id == area_id)
    shifts = session.exec(
        select(Shift, PatrolArea.name)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .where(*conditions)
        .order_by(Shift.start_at, PatrolArea.name, Shift.id)
    ).all()
    rows = {shift.id: ShiftRow(shift=shift, area_name=name) for shift, name in shifts}
    bookings = session.exec(
        select(Booking.id, Booking.shift_id, Booking.association_id, Association.name)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(Association, Association.id == Booking.association_id)
        .where(Booking.status == BookingStatus.ACTIVE, *conditions)
    ).all()
    for booking_id, shift_id, association_id, name in bookings:
        row = rows[shift_id]
        row.booked_by.append((association_id, name))
        if association_id == association.id:
            row.own_booking_id = booking_id
    counts = session.exec(
        select(Assignment.shift_id, func.count())
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Assignment.status.in_(OCCUPYING), *conditions)
        .group_by(Assignment.shift_id)
    ).all()
    for shift_id, count in counts:
        rows[shift_id].walkers = count
    reserves = session.exec(
        select(ReserveEntry.shift_id, ReserveEntry.status)
        .join(Shift, Shift.id == ReserveEntry.shift_id)
        .where(ReserveEntry.association_id == association.id, *conditions)
    ).all()
    for shift_id, status in reserves:
        rows[shift_id].reserve_status = status
    result = list(rows.values())
    if only_open:
        result = [r for r in result if len(r.booked_by) < max_associations]
    return result


@dataclass
class OurBooking:
    booking: Booking
    shift: Shift
    area_name: str
    walkers: int = 0
    confirmed: int = 0
    declined: int = 0

    @property
    def below_minimum(self) -> bool:
        return rules.is_below_minimum(walkers=self.walkers, min_walkers=self.shift.min_walkers)


def association_bookings(
    session: Session, association_id: int, *, start: datetime, end: datetime
) -> list[OurBooking]:
    """The association's active bookings of shifts starting in ``[start, end)`` (2 queries)."""
    conditions = [
        Booking.association_id == association_id,
        Booking.status == BookingStatus.ACTIVE,
        Shift.start_at >= start,
        Shift.start_at < end,
    ]
    found = session.exec(
        select(Booking, Shift, PatrolArea.name)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .where(*conditions)
        .order_by(Shift.start_at, Booking.id)
    ).all()
    rows = {b.id: OurBooking(booking=b, shift=s, area_name=name) for b, s, name in found}
    counts = session.exec(
        select(Assignment.booking_id, Assignment.status, func.count())
        .join(Booking, Booking.id == Assignment.booking_id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(*conditions)
        .group_by(Assignment.booking_id, Assignment.status)
    ).all()
    for booking_id, status, count in counts:
        row = rows[booking_id]
        if status in OCCUPYING:
            row.walkers += count
        if status == AssignmentStatus.CONFIRMED:
            row.confirmed += count
        if status == AssignmentStatus.DECLINED:
            row.declined += count
    return list(rows.values())


def roster_of(session: Session, booking_id: int) -> list[tuple[Assignment, object]]:
    """Assignments of a booking with their users, by name."""
    from ..accounts.models import User

    return list(
        session.exec(
            select(Assignment, User)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.booking_id == booking_id)
            .order_by(User.name, Assignment.id)
        ).all()
    )


def municipality_of(session: Session, association: Association) -> Municipality:
    municipality = session.get(Municipality, association.municipality_id)
    assert municipality is not None
    return municipality


def next_assignment(session: Session, user_id: int, now: datetime) -> Assignment | None:
    """The user's assignment on their soonest walk that has not started yet.

    For SMS replies (JA/NEJ): any answer state is returned (assigned, confirmed or
    declined), so a repeated "NEJ" hits the same walk instead of the one after it.
    Cancelled bookings and shifts are skipped.
    """
    return session.exec(
        select(Assignment)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(
            Assignment.user_id == user_id,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at > now,
        )
        .order_by(Shift.start_at, Assignment.id)
    ).first()


@dataclass
class Walk:
    assignment: Assignment
    shift: Shift
    area_name: str
    meeting_point: str
    association_name: str


def walks_of(session: Session, user_id: int) -> list[Walk]:
    """All of the user's walks on live bookings, oldest first (one query)."""
    found = session.exec(
        select(Assignment, Shift, PatrolArea.name, PatrolArea.meeting_point, Association.name)
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
    return [Walk(a, s, area, meeting, assoc) for a, s, area, meeting, assoc in found]


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
        .join(Shift, Shift.id == Booking.shift_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Association, Association.id == Booking.association_id)
        .where(
            Booking.association_id.in_(association_ids),
            Booking.status == BookingStatus.ACTIVE,
            Association.allow_self_signup.is_(True),
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at > now,
        )
        .order_by(Shift.start_at)
    ).all()
    if not found:
        return []
    shift_ids = [shift.id for _, shift, _, _ in found]
    taken = defaultdict(int)
    mine: set[int] = set()
    for shift_id, uid, status in session.exec(
        select(Assignment.shift_id, Assignment.user_id, Assignment.status).where(
            Assignment.shift_id.in_(shift_ids)
        )
    ):
        if status in OCCUPYING:
            taken[shift_id] += 1
        if uid == user_id:
            mine.add(shift_id)
    places = []
    for booking_id, shift, area, association_name in found:
        if shift.id in mine:
            continue
        free = None if shift.max_walkers is None else shift.max_walkers - taken[shift.id]
        if free is not None and free <= 0:
            continue
        places.append(OpenPlace(booking_id, shift, area, association_name, free))
    return places
