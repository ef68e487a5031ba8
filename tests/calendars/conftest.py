"""Builders for assignments, feed links and parsed feeds (shifts: tests/support/shifts.py)."""

from __future__ import annotations

import icalendar
import vobject

from nattvandring import stable_links
from nattvandring.accounts.models import TokenPurpose
from nattvandring.booking.models import Assignment, Booking

SECRET = "test-secret-key-that-is-long-enough-000"


def uid(shift_id: int) -> str:
    return f"shift-{shift_id}@nattvandring.local"


def events_of(raw: bytes) -> dict[str, icalendar.Event]:
    """A feed's events by UID; an independent parser (vobject) must accept it too."""
    vobject.readOne(raw.decode("utf-8"))
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).events}


def assign(session, booking: Booking, user_id: int, status: str = "assigned") -> Assignment:
    assignment = Assignment(
        shift_id=booking.shift_id, booking_id=booking.id, user_id=user_id, status=status
    )
    session.add(assignment)
    session.flush()
    return assignment


def personal_feed_path(session, user_id: int) -> str:
    raw = stable_links.stable_link(
        session, TokenPurpose.PERSONAL_FEED, secret_key=SECRET, user_id=user_id
    )
    return f"/feeds/personal/{raw}.ics"


def association_feed_path(session, association_id: int) -> str:
    raw = stable_links.stable_link(
        session, TokenPurpose.ASSOCIATION_FEED, secret_key=SECRET, association_id=association_id
    )
    return f"/feeds/association/{raw}.ics"


def personal_page_token(session, user_id: int) -> str:
    return stable_links.stable_link(
        session, TokenPurpose.PERSONAL_PAGE, secret_key=SECRET, user_id=user_id
    )
