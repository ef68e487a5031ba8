"""Builders for walks, assignments, feed links and parsed feeds (shifts:
tests/support/shifts.py)."""

from __future__ import annotations

from datetime import date, time

import icalendar
import vobject

from nattvandring import stable_links
from nattvandring.accounts.models import TokenPurpose
from nattvandring.booking import services_booking, services_roster
from nattvandring.booking.models import Assignment, Booking
from nattvandring.planning.models import Shift
from tests.support.shifts import make_shift

SECRET = "test-secret-key-that-is-long-enough-000"


def uid(shift_id: int) -> str:
    return f"shift-{shift_id}@nattvandring.local"


def events_of(raw: bytes) -> dict[str, icalendar.Event]:
    """A feed's events by UID; an independent parser (vobject) must accept it too."""
    vobject.readOne(raw.decode("utf-8"))
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(raw).events}


def booked_walk(session, world, *, area_id: int, day: date) -> tuple[Shift, Booking]:
    """Association A's walk on ``day`` (21:00-01:00) in ``area_id``, booked by its leader,
    with Vol A on it; committed."""
    ids = world.ids
    shift = make_shift(
        session,
        municipality_id=ids["hassleholm"],
        area_id=area_id,
        day=day,
        start=time(21),
        end=time(1),
    )
    booking = services_booking.book_shift(
        session, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=ids["leader_a"]
    )
    services_roster.add_to_roster(
        session, booking_id=booking.id, user_id=ids["vol_a"], actor_id=ids["leader_a"]
    )
    session.commit()
    return shift, booking


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
