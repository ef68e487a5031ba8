"""Fixtures for the planning tests: a frozen clock, shifts, bookings and an event recorder."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from nattvandring import clock, events
from nattvandring.booking.models import Assignment, Booking
from nattvandring.clock import local_to_utc
from nattvandring.planning.models import Shift, ShiftSeries

#: Tuesday 2026-09-01 12:00 local time.
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def recorded():
    """Every ShiftChanged/ShiftCancelled/BookingCancelled emitted during the test."""
    seen: list = []

    def handler(_session, event):
        seen.append(event)

    kinds = (events.ShiftChanged, events.ShiftCancelled, events.BookingCancelled)
    for kind in kinds:
        events.subscribe(kind)(handler)
    yield seen
    for kind in kinds:
        events._handlers[kind].remove(handler)


def make_shift(
    session,
    *,
    municipality_id: int,
    area_id: int,
    day: date,
    start: time = time(21),
    end: time = time(1),
    series_id: int | None = None,
    min_walkers: int = 3,
    max_walkers: int | None = 6,
) -> Shift:
    end_day = date.fromordinal(day.toordinal() + 1) if end <= start else day
    shift = Shift(
        municipality_id=municipality_id,
        area_id=area_id,
        series_id=series_id,
        start_at=local_to_utc(day, start),
        end_at=local_to_utc(end_day, end),
        min_walkers=min_walkers,
        max_walkers=max_walkers,
    )
    session.add(shift)
    session.flush()
    return shift


def make_series(
    session,
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


def book(session, shift: Shift, association_id: int, walkers: list[int] = ()) -> Booking:
    booking = Booking(shift_id=shift.id, association_id=association_id)
    session.add(booking)
    shift.status = "booked"
    session.add(shift)
    session.flush()
    for user_id in walkers:
        session.add(Assignment(shift_id=shift.id, booking_id=booking.id, user_id=user_id))
    session.flush()
    return booking


@pytest.fixture
def planned(app, world, db, frozen):
    """A Hässleholm series with one booked future shift."""
    series, shifts = make_series(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        name="Hösten",
        weekdays="4,5",
        days=(date(2026, 9, 4), date(2026, 9, 5), date(2026, 9, 11), date(2026, 9, 12)),
    )
    book(db, shifts[1], world.ids["assoc_a"], walkers=[world.ids["vol_a"]])
    db.commit()
    return {"series": series.id, "shift": shifts[0].id, "booked": shifts[1].id}
