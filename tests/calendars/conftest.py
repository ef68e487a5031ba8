"""Builders for shifts, bookings and assignments, and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time, timedelta

import icalendar
import vobject
from sqlalchemy import event

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from nattvandring.booking.models import Assignment, Booking
from nattvandring.clock import local_to_utc, utcnow
from nattvandring.db import get_engine
from nattvandring.planning.models import Shift

SECRET = "test-secret-key-that-is-long-enough-000"


def uid(shift_id: int) -> str:
    return f"shift-{shift_id}@nattvandring.local"


def events_of(raw: bytes) -> dict[str, icalendar.Event]:
    """A feed's events by UID; an independent parser (vobject) must accept it too."""
    vobject.readOne(raw.decode("utf-8"))
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).events}


def make_shift(
    session,
    *,
    municipality_id: int,
    area_id: int,
    day: date,
    start: time = time(21),
    end: time = time(1),
    status: str = "planned",
) -> Shift:
    end_day = day + timedelta(days=1) if end <= start else day
    shift = Shift(
        municipality_id=municipality_id,
        area_id=area_id,
        start_at=local_to_utc(day, start),
        end_at=local_to_utc(end_day, end),
        status=status,
        updated_at=utcnow(),
    )
    session.add(shift)
    session.flush()
    return shift


def book(session, shift: Shift, association_id: int) -> Booking:
    booking = Booking(shift_id=shift.id, association_id=association_id)
    session.add(booking)
    shift.status = "booked"
    session.flush()
    return booking


def assign(session, booking: Booking, user_id: int, status: str = "assigned") -> Assignment:
    assignment = Assignment(
        shift_id=booking.shift_id, booking_id=booking.id, user_id=user_id, status=status
    )
    session.add(assignment)
    session.flush()
    return assignment


def personal_feed_path(session, user_id: int) -> str:
    raw = tokens.stable_link(
        session, TokenPurpose.PERSONAL_FEED, secret_key=SECRET, user_id=user_id
    )
    return f"/feeds/personal/{raw}.ics"


def association_feed_path(session, association_id: int) -> str:
    raw = tokens.stable_link(
        session, TokenPurpose.ASSOCIATION_FEED, secret_key=SECRET, association_id=association_id
    )
    return f"/feeds/association/{raw}.ics"


def personal_page_token(session, user_id: int) -> str:
    return tokens.stable_link(
        session, TokenPurpose.PERSONAL_PAGE, secret_key=SECRET, user_id=user_id
    )


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(app) -> Iterator[QueryCounter]:
    """Count SELECT/INSERT/UPDATE/DELETE statements (not BEGIN/COMMIT) on the app's engine."""
    counter = QueryCounter()
    engine = get_engine(app)

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
