"""The volunteer's secret feed: their walks (not declined), with the leader and their page.

A walk is a live assignment, or a ``CancelledWalk`` left behind when its booking was
cancelled (shown as STATUS:CANCELLED). Constant queries whatever the size: token lookup,
ONE aggregate for the ETag (all a 304 needs), and for a full render one row query plus the
personal page link. Statements are built once with bound parameters; rows are plain
columns, not ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import bindparam, case, func, literal_column, select, union_all
from sqlmodel import Session

from ..accounts.models import AccessToken, TokenPurpose
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..municipalities.models import Municipality, PatrolArea
from ..planning.models import Shift, ShiftStatus
from ..web.template_helpers import national_phone
from .feeds import (
    SCAN_FROM,
    FeedStamp,
    FeedWindow,
    feed_token,
    latest_column,
    make_stamp,
    row_changes,
    token_owner,
    token_params,
    visible,
    window_columns,
)
from .ical import CalendarEvent
from .ical_text import render_feed_fast
from .models import CancelledWalk

PERSONAL_NAME = "Nattvandring – mina pass"
USER_ID = bindparam("user_id")


def cancel_time() -> Any:
    """When the walk was cancelled for its walkers: the shift, or their booking."""
    return case(
        (
            Shift.status == ShiftStatus.CANCELLED,
            func.coalesce(Shift.cancelled_at, Shift.updated_at),
        ),
        (
            Booking.status == BookingStatus.CANCELLED,
            func.coalesce(Booking.cancelled_at, Booking.created_at),
        ),
    )


def is_cancelled(shift_status: str, booking_status: str) -> bool:
    return shift_status == ShiftStatus.CANCELLED or booking_status == BookingStatus.CANCELLED


def sequence_for(sequence: int, shift_status: str, booking_status: str) -> int:
    # A booking cancelled while the shift itself stays planned is a change for its walkers.
    bumped = booking_status == BookingStatus.CANCELLED and shift_status != ShiftStatus.CANCELLED
    return sequence + (1 if bumped else 0)


def _walks(user: Any) -> Any:
    """The volunteer's walks: live assignments and those their cancelled bookings left.

    ``user``: the bound ``USER_ID``, or the feed token's owner as a scalar subquery. It
    filters each branch, so no other volunteer's rows are read."""
    live = select(
        Assignment.shift_id,
        Assignment.booking_id,
        Assignment.status,
        Assignment.created_at.label("assigned_at"),
        Assignment.responded_at,
    ).where(Assignment.user_id == user)
    left = select(
        CancelledWalk.shift_id,
        CancelledWalk.booking_id,
        # Inline, not a bound parameter: PostgreSQL must type the union's column.
        literal_column(f"'{AssignmentStatus.ASSIGNED.value}'").label("status"),
        CancelledWalk.assigned_at,
        CancelledWalk.responded_at,
    ).where(CancelledWalk.user_id == user)
    return union_all(live, left).subquery("walk")


@lru_cache(maxsize=256)
def _phone(e164: str) -> str:
    return national_phone(e164)


@dataclass(frozen=True, slots=True)
class PersonalWalk:
    """One walk of one volunteer: the columns the personal feed and invites need."""

    shift_id: int
    start_at: datetime
    end_at: datetime
    sequence: int
    shift_status: str
    shift_updated_at: datetime
    assigned_at: datetime | None
    responded_at: datetime | None
    booking_status: str
    booked_at: datetime | None
    unbooked_at: datetime | None
    area_name: str
    meeting_point: str
    latitude: float | None
    longitude: float | None
    area_updated_at: datetime | None
    association_name: str
    contact_name: str
    contact_phone: str
    association_updated_at: datetime | None
    municipality_name: str
    municipality_updated_at: datetime | None


def _joined(walk: Any, *columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(walk)
        .join(Shift, Shift.id == walk.c.shift_id)
        .join(Booking, Booking.id == walk.c.booking_id)
        .join(Association, Association.id == Booking.association_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Municipality, Municipality.id == Shift.municipality_id)
    )


@cache
def _rows_statement() -> Any:
    walk = _walks(USER_ID)
    return _joined(
        walk,
        Shift.id.label("shift_id"),
        Shift.start_at,
        Shift.end_at,
        Shift.sequence,
        Shift.status.label("shift_status"),
        Shift.updated_at.label("shift_updated_at"),
        walk.c.assigned_at,
        walk.c.responded_at,
        Booking.status.label("booking_status"),
        Booking.created_at.label("booked_at"),
        Booking.cancelled_at.label("unbooked_at"),
        PatrolArea.name.label("area_name"),
        PatrolArea.meeting_point,
        PatrolArea.latitude,
        PatrolArea.longitude,
        PatrolArea.updated_at.label("area_updated_at"),
        Association.name.label("association_name"),
        Association.contact_name,
        Association.contact_phone,
        Association.updated_at.label("association_updated_at"),
        Municipality.name.label("municipality_name"),
        Municipality.updated_at.label("municipality_updated_at"),
    ).where(walk.c.status != AssignmentStatus.DECLINED, visible(cancel_time()))


@cache
def _stamp_statement() -> Any:
    user, token_columns = feed_token(TokenPurpose.PERSONAL_FEED, AccessToken.user_id)
    page_rotations = (
        select(func.count(AccessToken.id))
        .where(
            AccessToken.user_id == user,
            AccessToken.purpose == TokenPurpose.PERSONAL_PAGE,
            AccessToken.revoked_at.is_not(None),
        )
        .scalar_subquery()
    )
    declined = (
        select(func.count(Assignment.id))
        .where(Assignment.user_id == user, Assignment.status == AssignmentStatus.DECLINED)
        .scalar_subquery()
    )
    walk = _walks(user)
    return _joined(
        walk,
        *token_columns,
        *window_columns(cancel_time()),
        func.max(walk.c.assigned_at).label("assigned"),
        func.max(walk.c.responded_at).label("responded"),
        func.max(Booking.created_at).label("booked"),
        func.max(Booking.cancelled_at).label("unbooked"),
        *row_changes(PatrolArea, Association, Municipality),
        page_rotations.label("page_rotations"),
        declined.label("declined"),
    ).where(Shift.start_at >= SCAN_FROM)


def personal_stamp(
    session: Session,
    digest: str,
    window: FeedWindow,
    *,
    host: str,
    base_url: str,
    alarm_minutes: int,
) -> tuple[FeedStamp, int] | None:
    """The one query of a 304: the feed token (``digest``, see ``tokens.digest_of``) and
    the aggregate for ETag and Last-Modified. Returns the stamp and the volunteer's id, or
    None when the token is not a live personal-feed token."""
    row = session.exec(_stamp_statement(), params=token_params(window, digest)).one()
    user_id = token_owner(row, digest)
    if user_id is None:
        return None
    stamp = make_stamp(
        row,
        window=window,
        identity=("personal", row.token_id, user_id, host, base_url, alarm_minutes),
        changed=(
            row.assigned,
            row.responded,
            row.booked,
            row.unbooked,
            row.patrolarea_changed,
            row.association_changed,
            row.municipality_changed,
        ),
        extra=(row.page_rotations, row.declined),
    )
    return stamp, user_id


def personal_event(walk: Any, *, personal_url: str, alarm_minutes: int | None) -> CalendarEvent:
    """A walk as the volunteer sees it (feed and e-mailed invite); ``walk``: PersonalWalk."""
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
        contact = f"{contact}, {_phone(walk.contact_phone)}"
    lines.append(f"Ledare: {contact}")
    lines.append(f"Din sida: {personal_url}")
    has_geo = walk.latitude is not None and walk.longitude is not None
    return CalendarEvent(
        shift_id=walk.shift_id,
        start=walk.start_at,
        end=walk.end_at,
        summary=summary,
        description="\n".join(lines),
        location=f"{walk.meeting_point or walk.area_name}, {walk.municipality_name}",
        geo=(walk.latitude, walk.longitude) if has_geo else None,
        url=personal_url,
        status="CANCELLED" if cancelled else "CONFIRMED",
        sequence=sequence_for(walk.sequence, walk.shift_status, walk.booking_status),
        last_modified=latest_column(
            walk.shift_updated_at,
            walk.assigned_at,
            walk.responded_at,
            walk.booked_at,
            walk.unbooked_at,
            walk.area_updated_at,
            walk.association_updated_at,
            walk.municipality_updated_at,
        )
        or walk.shift_updated_at,
        alarm_minutes_before=None if cancelled or not alarm_minutes else alarm_minutes,
    )


def render_personal(
    session: Session,
    user_id: int,
    window: FeedWindow,
    *,
    host: str,
    personal_url: str,
    alarm_minutes: int | None,
) -> bytes:
    params = {**window.params, "user_id": user_id}
    events = [
        personal_event(row, personal_url=personal_url, alarm_minutes=alarm_minutes)
        for row in session.exec(_rows_statement(), params=params)
    ]
    return render_feed_fast(name=PERSONAL_NAME, events=events, host=host)


def walk_of(
    shift: Shift,
    assignment: Assignment,
    booking: Booking,
    area: PatrolArea,
    association: Association,
    municipality: Municipality,
) -> PersonalWalk:
    """The same walk built from loaded rows (for invites)."""
    return PersonalWalk(
        shift_id=shift.id,  # type: ignore[arg-type]
        start_at=shift.start_at,
        end_at=shift.end_at,
        sequence=shift.sequence,
        shift_status=shift.status,
        shift_updated_at=shift.updated_at,
        assigned_at=assignment.created_at,
        responded_at=assignment.responded_at,
        booking_status=booking.status,
        booked_at=booking.created_at,
        unbooked_at=booking.cancelled_at,
        area_name=area.name,
        meeting_point=area.meeting_point,
        latitude=area.latitude,
        longitude=area.longitude,
        area_updated_at=area.updated_at,
        association_name=association.name,
        contact_name=association.contact_name,
        contact_phone=association.contact_phone,
        association_updated_at=association.updated_at,
        municipality_name=municipality.name,
        municipality_updated_at=municipality.updated_at,
    )
