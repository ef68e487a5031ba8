"""Loading shifts for calendars and overviews in a constant number of queries.

Three queries whatever the number of shifts: the shifts with their areas, the active bookings
with association names, and the walker counts per shift.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..booking.rules import FILL_BELOW_MINIMUM, shift_fill_state
from ..clock import local_to_utc, to_local
from .models import PatrolArea, Shift, ShiftStatus


@dataclass
class ShiftRow:
    shift: Shift
    area_name: str
    meeting_point: str
    associations: list[str] = field(default_factory=list)
    walkers: int = 0
    # Walkers of each active booking's group: on a shared shift every group needs the
    # minimum, so the shift is only as staffed as its thinnest group.
    groups: dict[int, int] = field(default_factory=dict)

    @property
    def booked(self) -> bool:
        return bool(self.associations)

    @property
    def cancelled(self) -> bool:
        return self.shift.status == ShiftStatus.CANCELLED

    @property
    def fill_state(self) -> str:
        return shift_fill_state(
            booked=self.booked,
            cancelled=self.cancelled,
            walkers=self.thinnest_group,
            min_walkers=self.shift.min_walkers,
        )

    @property
    def thinnest_group(self) -> int:
        """Walkers of the booked group with fewest (the shift's walkers when none is booked)."""
        return min(self.groups.values(), default=self.walkers)

    @property
    def below_minimum(self) -> bool:
        return self.fill_state == FILL_BELOW_MINIMUM

    @property
    def local_day(self) -> date:
        return to_local(self.shift.start_at).date()


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants from local midnight of ``first`` to local midnight after ``last``."""
    return local_to_utc(first, datetime.min.time()), local_to_utc(
        last + timedelta(days=1), datetime.min.time()
    )


def load_shift_rows(
    session: Session,
    *,
    municipality_id: int,
    start: datetime,
    end: datetime,
    area_id: int | None = None,
    include_cancelled: bool = True,
) -> list[ShiftRow]:
    """Shifts starting in ``[start, end)``, in start order, with bookings and walker counts."""
    in_range = [
        Shift.municipality_id == municipality_id,
        Shift.start_at >= start,
        Shift.start_at < end,
    ]
    if area_id is not None:
        in_range.append(Shift.area_id == area_id)
    if not include_cancelled:
        in_range.append(Shift.status != ShiftStatus.CANCELLED)

    shifts = session.exec(
        select(Shift, PatrolArea.name, PatrolArea.meeting_point)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(*in_range)
        .order_by(col(Shift.start_at), col(PatrolArea.name), col(Shift.id))
    ).all()
    rows = {shift.id: ShiftRow(shift, name, point) for shift, name, point in shifts}
    if not rows:
        return []

    bookings = session.exec(
        select(Booking.id, Booking.shift_id, Association.name)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .join(Association, col(Association.id) == Booking.association_id)
        .where(*in_range, Booking.status == BookingStatus.ACTIVE)
        .order_by(col(Booking.created_at), col(Booking.id))
    ).all()
    names: dict[int, list[str]] = defaultdict(list)
    for booking_id, shift_id, association_name in bookings:
        names[shift_id].append(association_name)
        if shift_id in rows:
            rows[shift_id].groups[booking_id] = 0  # type: ignore[index]

    counts = session.exec(
        select(Assignment.booking_id, Assignment.shift_id, func.count(col(Assignment.id)))
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .where(
            *in_range,
            Booking.status == BookingStatus.ACTIVE,
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .group_by(col(Assignment.booking_id), col(Assignment.shift_id))
    ).all()
    for booking_id, shift_id, count in counts:
        if shift_id in rows:
            rows[shift_id].walkers += int(count)
            rows[shift_id].groups[booking_id] = int(count)
    for shift_id, association_names in names.items():
        if shift_id in rows:
            rows[shift_id].associations = association_names
    return list(rows.values())


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """Weeks (Monday first) of the month; days outside the month are ``None``."""
    first = date(year, month, 1)
    next_month = date(year + month // 12, month % 12 + 1, 1)
    weeks: list[list[date | None]] = []
    week: list[date | None] = [None] * first.weekday()
    day = first
    while day < next_month:
        week.append(day)
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    return weeks
