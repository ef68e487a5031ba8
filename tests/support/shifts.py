"""Shifts, series and bookings for arranging tests: the one ``make_shift`` of the suite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from nattvandring.booking.models import Assignment, Booking
from nattvandring.clock import local_to_utc
from nattvandring.planning.models import Shift, ShiftSeries
from tests.support.booking import FRIDAY_EVENING


def make_shift(
    session: Session,
    *,
    municipality_id: int,
    area_id: int,
    day: date | None = None,
    start: time | datetime | None = None,
    end: time = time(1),
    hours: float = 4,
    **fields,  # type: ignore[no-untyped-def]
) -> Shift:
    """A shift, either on a local ``day`` from ``start`` to ``end`` (local times, default
    21:00-01:00; an end at or before the start is on the next day), or without ``day`` from
    the instant ``start`` (default FRIDAY_EVENING) for ``hours``. ``fields`` are Shift's."""
    if day is not None:
        start = time(21) if start is None else start
        assert isinstance(start, time), "with a day, start is a local time"
        end_day = day + timedelta(days=1) if end <= start else day
        start_at, end_at = local_to_utc(day, start), local_to_utc(end_day, end)
    else:
        start_at = FRIDAY_EVENING if start is None else start
        assert isinstance(start_at, datetime), "without a day, start is an instant"
        end_at = start_at + timedelta(hours=hours)
    shift = Shift(
        municipality_id=municipality_id,
        area_id=area_id,
        start_at=start_at,
        end_at=end_at,
        **fields,
    )
    session.add(shift)
    session.flush()
    return shift


def make_series(
    session: Session,
    *,
    municipality_id: int,
    area_id: int,
    name: str,
    weekdays: str,
    days: tuple[date, ...],
) -> tuple[ShiftSeries, list[Shift]]:
    """A 21:00-01:00 series from the first to the last of ``days``, with a shift on each."""
    series = ShiftSeries(
        municipality_id=municipality_id,
        name=name,
        weekdays=weekdays,
        start_date=days[0],
        end_date=days[-1],
        start_time=time(21),
        end_time=time(1),
    )
    session.add(series)
    session.flush()
    shifts = [
        make_shift(
            session,
            municipality_id=municipality_id,
            area_id=area_id,
            day=day,
            series_id=series.id,
        )
        for day in days
    ]
    return series, shifts


def book(
    session: Session, shift: Shift, association_id: int, walkers: Sequence[int] = ()
) -> Booking:
    """``shift`` booked by the association, with ``walkers`` (user ids) assigned."""
    booking = Booking(shift_id=shift.id, association_id=association_id)
    session.add(booking)
    shift.status = "booked"
    session.add(shift)
    session.flush()
    for user_id in walkers:
        session.add(Assignment(shift_id=shift.id, booking_id=booking.id, user_id=user_id))
    session.flush()
    return booking
