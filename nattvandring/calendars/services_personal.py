"""The volunteer's secret feed: their walks (not declined), with the leader's contact.

A walk is a live assignment, or a ``CancelledWalk`` left behind when its booking was
cancelled (shown as STATUS:CANCELLED). A 304 costs one query (the token with the feed's
version row); a full render one more. Events link the public page of the municipality,
never the volunteer's own page: a feed link only reads (answering stays with the SMS link).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import Connection, String, func, literal_column, select, union_all
from sqlmodel import col

from .. import tokens
from ..accounts.models import TokenPurpose
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..formatting import national_phone
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .feeds import (
    FeedWindow,
    event_time,
    make_stamp,
    special_night,
    token_owner,
    token_row,
    visible,
    walk_cancel_time,
    window_of,
)
from .http import FeedStamp
from .ical import CalendarEvent, render_feed
from .models import CancelledWalk, EventVersion

PERSONAL_NAME = "Nattvandring – mina pass"


def is_cancelled(shift_status: str, booking_status: str) -> bool:
    return shift_status == ShiftStatus.CANCELLED or booking_status == BookingStatus.CANCELLED


def _walks(user_id: int) -> Any:
    """The volunteer's walks: live assignments and those their cancelled bookings left."""
    live = select(
        col(Assignment.shift_id), col(Assignment.booking_id), col(Assignment.status)
    ).where(col(Assignment.user_id) == user_id)
    left = select(
        col(CancelledWalk.shift_id),
        col(CancelledWalk.booking_id),
        # Inline, not a bound parameter: PostgreSQL must type the union's column.
        literal_column(f"'{AssignmentStatus.ASSIGNED.value}'", String).label("status"),
    ).where(col(CancelledWalk.user_id) == user_id)
    return union_all(live, left).subquery("walk")


class PersonalWalk(NamedTuple):
    """One walk of one volunteer: what the personal feed and the invites show."""

    shift_id: int
    start_at: datetime
    end_at: datetime
    sequence: int  # the walk's EventVersion
    changed: int  # seconds since the epoch
    shift_status: str
    booking_status: str
    area_name: str
    meeting_point: str
    latitude: float | None
    longitude: float | None
    association_name: str
    contact_name: str
    contact_phone: str
    municipality_name: str
    municipality_slug: str
    special_key: str | None = None


def _rows_statement(user_id: int, window: FeedWindow) -> Any:
    walk = _walks(user_id)
    return (
        select(
            col(Shift.id).label("shift_id"),
            col(Shift.start_at),
            col(Shift.end_at),
            func.coalesce(col(EventVersion.sequence), 0).label("sequence"),
            func.coalesce(col(EventVersion.changed), 0).label("changed"),
            col(Shift.status).label("shift_status"),
            col(Booking.status).label("booking_status"),
            col(PatrolArea.name).label("area_name"),
            col(PatrolArea.meeting_point),
            col(PatrolArea.latitude),
            col(PatrolArea.longitude),
            col(Association.name).label("association_name"),
            col(Association.contact_name),
            col(Association.contact_phone),
            col(Municipality.name).label("municipality_name"),
            col(Municipality.slug).label("municipality_slug"),
            col(Shift.special_key),
        )
        .select_from(walk)
        .join(Shift, Shift.id == walk.c.shift_id)
        .outerjoin(EventVersion, col(EventVersion.shift_id) == Shift.id)
        .join(Booking, Booking.id == walk.c.booking_id)
        .join(Association, col(Association.id) == Booking.association_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .join(Municipality, col(Municipality.id) == Shift.municipality_id)
        .where(walk.c.status != AssignmentStatus.DECLINED, visible(walk_cancel_time(), window))
    )


class PersonalFeed(NamedTuple):
    stamp: FeedStamp
    user_id: int
    window: FeedWindow


def find_feed(
    connection: Connection,
    token: str,
    *,
    config: Any,
    host: str,
    base_url: str,
    alarm_minutes: int,
    secret_key: tokens.SigningKeys,
) -> PersonalFeed | None:
    """The one query of a 304: the feed token (raw, from the URL) with the feed's version.
    None when the token is not a live personal-feed token."""
    digest = tokens.digest_of(token)
    if digest is None:
        return None
    purpose = TokenPurpose.PERSONAL_FEED
    row = token_row(connection, purpose, "person", digest)
    user_id = token_owner(row, token, purpose, secret_key=secret_key)
    if user_id is None:
        return None
    window = window_of(row.window_day, config)
    identity = ("personal", row.token_id, user_id, host, base_url, alarm_minutes)
    return PersonalFeed(make_stamp(row, window, identity), user_id, window)


def personal_event(
    walk: PersonalWalk, *, base_url: str, alarm_minutes: int | None
) -> CalendarEvent:
    """A walk as the volunteer sees it (feed and e-mailed invite)."""
    cancelled = is_cancelled(walk.shift_status, walk.booking_status)
    summary = f"Nattvandring {walk.area_name} ({walk.association_name})"
    lines = []
    if cancelled:
        summary = f"Inställd: {summary}"
        lines.append("Passet är inställt.")
    if walk.meeting_point:
        lines.append(f"Samling: {walk.meeting_point}")
    lines.append(f"Förening: {walk.association_name}")
    contact = walk.contact_name
    if walk.contact_phone:
        contact = f"{contact}, {national_phone(walk.contact_phone)}"
    lines.append(f"Ledare: {contact}")
    has_geo = walk.latitude is not None and walk.longitude is not None
    summary, categories = special_night(summary, walk.special_key, walk.start_at)
    return CalendarEvent(
        shift_id=walk.shift_id,
        start=walk.start_at,
        end=walk.end_at,
        summary=summary,
        description="\n".join(lines),
        location=f"{walk.meeting_point or walk.area_name}, {walk.municipality_name}",
        geo=(walk.latitude, walk.longitude) if has_geo else None,  # type: ignore[arg-type]
        url=f"{base_url}/kommun/{quote(walk.municipality_slug)}",
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=walk.sequence,
        last_modified=event_time(walk.changed),
        alarm_minutes_before=None if cancelled or not alarm_minutes else alarm_minutes,
        categories=categories,
    )


def render_personal(
    connection: Connection,
    user_id: int,
    window: FeedWindow,
    *,
    host: str,
    base_url: str,
    alarm_minutes: int | None,
) -> bytes:
    rows = connection.execute(_rows_statement(user_id, window))
    events = [
        personal_event(PersonalWalk(*row), base_url=base_url, alarm_minutes=alarm_minutes)
        for row in rows
    ]
    return render_feed(name=PERSONAL_NAME, events=events, host=host)


def walk_of(
    shift: Shift,
    booking: Booking,
    area: PatrolArea,
    association: Association,
    municipality: Municipality,
    version: EventVersion | None,
) -> PersonalWalk:
    """The same walk built from loaded rows (for invites)."""
    return PersonalWalk(
        shift_id=shift.id,  # type: ignore[arg-type]
        start_at=shift.start_at,
        end_at=shift.end_at,
        sequence=version.sequence if version else 0,
        changed=version.changed if version else 0,
        shift_status=shift.status,
        booking_status=booking.status,
        area_name=area.name,
        meeting_point=area.meeting_point,
        latitude=area.latitude,
        longitude=area.longitude,
        association_name=association.name,
        contact_name=association.contact_name,
        contact_phone=association.contact_phone,
        municipality_name=municipality.name,
        municipality_slug=municipality.slug,
        special_key=shift.special_key,
    )
