"""Read models for the booking pages, the leader's home and the group page.

The calendar queries run a fixed number of statements whatever the number of shifts,
bookings and assignments: one per kind of row, filtered by the same conditions (no query
per shift).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ..accounts.models import User
from ..associations.models import Association
from ..clock import ensure_utc, utcnow
from ..errors import RuleViolation
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from . import capacity
from .models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    ReserveEntry,
    ReserveStatus,
)
from .offers import offer_running
from .services_booking import offer_holds

OCCUPYING = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)


@dataclass
class ShiftRow:
    """One shift as a leader sees it in the calendar."""

    shift: Shift
    area_name: str
    booked_by: list[tuple[int, str]] = field(default_factory=list)  # (association id, name)
    # Walkers (declined answers excluded) of each active group on the shift, by booking.
    groups: dict[int, int] = field(default_factory=dict)
    confirmed: int = 0  # confirmed walkers of our group
    reserve_status: str | None = None  # this association's reserve entry, if any
    # Offered to another association from the reserve list: nobody else may book it now.
    offered_to_other: bool = False
    # Offers to other associations whose window still runs: each holds a group's room.
    offers: int = 0
    offer_expires: datetime | None = None  # when the first of those offers runs out
    own_booking_id: int | None = None

    @property
    def is_ours(self) -> bool:
        return self.own_booking_id is not None

    @property
    def walkers(self) -> int:
        """Our group's walkers; on a shared shift the other groups are not ours to count."""
        return self.groups.get(self.own_booking_id, 0) if self.own_booking_id else 0

    @property
    def status(self) -> capacity.GroupStatus:
        """Our group against its minimum and maximum, as its own page tells it."""
        others = capacity.groups_holding_room(self.groups, self.offers, besides=self.own_booking_id)
        room = capacity.room_for_group(
            max_walkers=self.shift.max_walkers,
            min_walkers=self.shift.min_walkers,
            own=self.walkers,
            others=others,
        )
        return capacity.group_status(
            confirmed=self.confirmed,
            waiting=self.walkers - self.confirmed,
            min_walkers=self.shift.min_walkers,
            max_walkers=None if room is None else self.walkers + room,
        )

    @property
    def room_for_a_group(self) -> bool:
        """Whether one more association's group still fits (its minimum, at least)."""
        try:
            capacity.check_room_to_book(
                max_walkers=self.shift.max_walkers,
                min_walkers=self.shift.min_walkers,
                groups=capacity.groups_holding_room(self.groups, self.offers),
            )
        except RuleViolation:
            return False
        return True


def calendar_rows(
    session: Session,
    *,
    association: Association,
    start: datetime,
    end: datetime,
    area_id: int | None = None,
    only_open: bool = False,
    max_associations: int = 1,
    now: datetime | None = None,
) -> list[ShiftRow]:
    """Shifts of the association's municipality starting in ``[start, end)`` (4 queries)."""
    moment = now or utcnow()
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
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(*conditions)
        .order_by(col(Shift.start_at), PatrolArea.name, col(Shift.id))
    ).all()
    rows = {shift.id: ShiftRow(shift=shift, area_name=name) for shift, name in shifts}
    bookings = session.exec(
        select(Booking.id, Booking.shift_id, Booking.association_id, Association.name)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .join(Association, col(Association.id) == Booking.association_id)
        .where(Booking.status == BookingStatus.ACTIVE, *conditions)
    ).all()
    for booking_id, shift_id, association_id, name in bookings:
        row = rows[shift_id]
        row.booked_by.append((association_id, name))
        row.groups[booking_id] = 0  # type: ignore[index]
        if association_id == association.id:
            row.own_booking_id = booking_id
    counts = session.exec(
        select(Assignment.booking_id, Assignment.shift_id, Assignment.status, func.count())
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .where(
            col(Assignment.status).in_(OCCUPYING),
            Booking.status == BookingStatus.ACTIVE,
            *conditions,
        )
        .group_by(col(Assignment.booking_id), col(Assignment.shift_id), Assignment.status)
    ).all()
    for booking_id, shift_id, status, count in counts:
        row = rows[shift_id]
        row.groups[booking_id] = row.groups.get(booking_id, 0) + count
        if booking_id == row.own_booking_id and status == AssignmentStatus.CONFIRMED:
            row.confirmed += count
    reserves = session.exec(
        select(
            ReserveEntry.shift_id,
            ReserveEntry.association_id,
            ReserveEntry.status,
            ReserveEntry.offer_expires_at,
        )
        .join(Shift, col(Shift.id) == ReserveEntry.shift_id)
        .where(
            (ReserveEntry.association_id == association.id)
            | (ReserveEntry.status == ReserveStatus.OFFERED),
            *conditions,
        )
    ).all()
    for shift_id, holder, status, expires in reserves:
        if holder == association.id:
            rows[shift_id].reserve_status = status
        else:
            # Nobody else may book until the sweep passes the offer on (``check_offer_allows``),
            # but only a running offer holds room against the groups already booked.
            rows[shift_id].offered_to_other = True
            if offer_running(expires, moment):
                row = rows[shift_id]
                row.offers += 1
                if expires is not None:
                    expires = ensure_utc(expires)
                    row.offer_expires = min(expires, row.offer_expires or expires)
    result = list(rows.values())
    if only_open:
        result = [
            r
            for r in result
            if len(r.booked_by) < max_associations
            and r.room_for_a_group
            and (not r.offered_to_other or r.reserve_status == ReserveStatus.OFFERED)
        ]
    return result


def rows_change_at(rows: list[ShiftRow], *, list_view: bool) -> datetime:
    """When the clock alone changes what these calendar rows show: a list drops a night when
    it starts, and a running reserve offer stops holding a group's room when it expires.
    ``datetime.max`` (UTC) when nothing shown waits on the clock."""
    moments = [row.offer_expires for row in rows if row.offer_expires is not None]
    if list_view:
        moments += [row.shift.start_at for row in rows]
    return min(moments, default=datetime.max.replace(tzinfo=UTC))


@dataclass
class OurBooking:
    booking: Booking
    shift: Shift
    area_name: str
    walkers: int = 0
    confirmed: int = 0
    declined: int = 0
    # Walkers of the other associations' groups on the same shift (a shared shift), by booking.
    others: dict[int, int] = field(default_factory=dict)
    offers: int = 0  # running offers from the shift's reserve list (each holds a group's room)

    @property
    def status(self) -> capacity.GroupStatus:
        room = capacity.room_for_group(
            max_walkers=self.shift.max_walkers,
            min_walkers=self.shift.min_walkers,
            own=self.walkers,
            others=capacity.groups_holding_room(self.others, self.offers),
        )
        return capacity.group_status(
            confirmed=self.confirmed,
            waiting=self.walkers - self.confirmed,
            min_walkers=self.shift.min_walkers,
            max_walkers=None if room is None else self.walkers + room,
        )


def association_bookings(
    session: Session,
    association_id: int,
    *,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
) -> list[OurBooking]:
    """The association's active bookings of shifts starting in ``[start, end)`` (4 queries)."""
    conditions = [
        Booking.association_id == association_id,
        Booking.status == BookingStatus.ACTIVE,
        Shift.start_at >= start,
        Shift.start_at < end,
    ]
    found = session.exec(
        select(Booking, Shift, PatrolArea.name)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(*conditions)
        .order_by(col(Shift.start_at), col(Booking.id))
    ).all()
    rows = {b.id: OurBooking(booking=b, shift=s, area_name=name) for b, s, name in found}
    counts = session.exec(
        select(Assignment.booking_id, Assignment.status, func.count())
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .where(*conditions)
        .group_by(col(Assignment.booking_id), Assignment.status)
    ).all()
    for booking_id, status, count in counts:
        row = rows[booking_id]
        if status in OCCUPYING:
            row.walkers += count
        if status == AssignmentStatus.CONFIRMED:
            row.confirmed += count
        if status == AssignmentStatus.DECLINED:
            row.declined += count
    by_shift = {row.shift.id: row for row in rows.values()}
    other = aliased(Booking)
    shared = session.exec(
        select(other.shift_id, other.id, func.count(col(Assignment.id)))
        .select_from(other)
        .join(Booking, (col(Booking.shift_id) == other.shift_id) & (Booking.id != other.id))
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .outerjoin(
            Assignment,
            (col(Assignment.booking_id) == other.id) & col(Assignment.status).in_(OCCUPYING),
        )
        .where(other.status == BookingStatus.ACTIVE, *conditions)
        .group_by(col(other.shift_id), col(other.id))
    ).all()
    for shift_id, other_id, count in shared:
        by_shift[shift_id].others[other_id] = int(count)  # type: ignore[index]
    offered = session.exec(
        select(ReserveEntry.shift_id, func.count())
        .select_from(ReserveEntry)
        .join(Booking, col(Booking.shift_id) == ReserveEntry.shift_id)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .where(
            offer_holds(now or utcnow()),
            ReserveEntry.association_id != association_id,
            *conditions,
        )
        .group_by(col(ReserveEntry.shift_id))
    ).all()
    for shift_id, count in offered:
        by_shift[shift_id].offers = int(count)
    return list(rows.values())


def roster_of(session: Session, booking_id: int) -> list[tuple[Assignment, object]]:
    """Assignments of a booking with their users, by name."""

    return list(
        session.exec(
            select(Assignment, User)
            .join(User, col(User.id) == Assignment.user_id)
            .where(Assignment.booking_id == booking_id)
            .order_by(User.name, col(Assignment.id))
        ).all()
    )


def municipality_of(session: Session, association: Association) -> Municipality:
    municipality = session.get(Municipality, association.municipality_id)
    assert municipality is not None
    return municipality
