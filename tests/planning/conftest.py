"""Fixtures for the planning tests: a frozen clock, an event recorder and a planned series.

Shifts, series and bookings are built with tests/support/shifts.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nattvandring import clock, events
from tests.support.shifts import book, make_series

#: Tuesday 2026-09-01 12:00 local time.
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    clock.freeze(NOW)
    yield NOW
    clock.freeze(None)


@pytest.fixture
def recorded():  # type: ignore[no-untyped-def]
    """Every ShiftChanged/ShiftCancelled/BookingCancelled emitted during the test."""
    seen: list = []

    def handler(_session, event):  # type: ignore[no-untyped-def]
        seen.append(event)

    kinds = (events.ShiftChanged, events.ShiftCancelled, events.BookingCancelled)
    for kind in kinds:
        events.subscribe(kind)(handler)
    yield seen
    for kind in kinds:
        events._handlers[kind].remove(handler)


@pytest.fixture
def planned(app, world, db, frozen):  # type: ignore[no-untyped-def]
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
