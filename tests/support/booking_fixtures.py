"""Fixtures shared by the booking and volunteers tests (imported by their conftest files)."""

from __future__ import annotations

import pytest

from nattvandring import clock, events
from tests.support.booking import NOW

BOOKING_EVENTS = (
    events.BookingCreated,
    events.BookingCancelled,
    events.ReserveOffered,
    events.AssignmentAdded,
    events.AssignmentRemoved,
    events.AssignmentConfirmed,
    events.AssignmentDeclined,
)


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    clock.freeze(NOW)
    return NOW


@pytest.fixture
def emitted():  # type: ignore[no-untyped-def]
    """Every booking event emitted during the test, in order."""
    seen: list[object] = []

    def handler(_session, event):  # type: ignore[no-untyped-def]
        seen.append(event)

    for kind in BOOKING_EVENTS:
        events.subscribe(kind)(handler)
    yield seen
    for kind in BOOKING_EVENTS:
        events._handlers[kind].remove(handler)


@pytest.fixture
def ctx(app):  # type: ignore[no-untyped-def]
    """A request context, for rendering lazy (translated) messages."""
    with app.test_request_context():
        yield
