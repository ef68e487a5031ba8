"""The volunteer's secret feed: their walks (not declined), with the leader and their page.

A walk is a live assignment, or a ``CancelledWalk`` left behind when its booking was
cancelled (shown as STATUS:CANCELLED). Constant queries whatever the size: ONE aggregate
that checks the token and gives the ETag (all a 304 needs) and the page link's nonce, and
for a full render one row query. Statements are built once with bound parameters; rows
are plain columns, not ORM objects.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple

from sqlalchemy import bindparam, case, func, literal_column, select, union_all
from sqlmodel import Session

from .. import tokens
from ..accounts.models import AccessToken, TokenPurpose
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..formatting import national_phone
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .feeds import (
    SCAN_FROM,
    FeedStamp,
    FeedWindow,
    feed_token,
    greatest,
    instant,
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


class PersonalWalk(NamedTuple):
    """One walk of one volunteer: the columns the personal feed and invites need, in the
    order of the feed's row query (a row becomes a walk with ``_make``, whose attributes
    are ten times cheaper to read than a SQLAlchemy row's)."""

    shift_id: int
    start_at: datetime
    end_at: datetime
    sequence: int
    shift_status: str
    booking_status: str
    # The walk's last change: the shift, the assignment, the booking, area, association
    # or municipality, whichever changed last.
    changed_at: datetime
    area_name: str
    meeting_point: str
    latitude: float | None
    longitude: float | None
    association_name: str
    contact_name: str
    contact_phone: str
    municipality_name: str


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
    statement = _joined(
        walk,
        Shift.id.label("shift_id"),
        instant(Shift.start_at).label("start_at"),
        instant(Shift.end_at).label("end_at"),
        Shift.sequence,
        Shift.status.label("shift_status"),
        Booking.status.label("booking_status"),
        greatest(
            Shift.updated_at,
            walk.c.assigned_at,
            walk.c.responded_at,
            Booking.created_at,
            Booking.cancelled_at,
            PatrolArea.updated_at,
            Association.updated_at,
            Municipality.updated_at,
        ).label("changed_at"),
        PatrolArea.name.label("area_name"),
        PatrolArea.meeting_point,
        PatrolArea.latitude,
        PatrolArea.longitude,
        Association.name.label("association_name"),
        Association.contact_name,
        Association.contact_phone,
        Municipality.name.label("municipality_name"),
    ).where(walk.c.status != AssignmentStatus.DECLINED, visible(cancel_time()))
    columns = tuple(column.name for column in statement.selected_columns)
    if columns != PersonalWalk._fields:  # rows become walks by position
        raise AssertionError(f"feed columns {columns} differ from PersonalWalk")
    return statement


@cache
def _stamp_statement() -> Any:
    user, token_columns = feed_token(TokenPurpose.PERSONAL_FEED, AccessToken.user_id)
    # The live personal-page link: a rotation changes the feed (its URLs), and the render
    # builds the link from it without another query.
    page_nonce = tokens.current_nonce(
        TokenPurpose.PERSONAL_PAGE, AccessToken.user_id == user
    ).scalar_subquery()
    # Its digest tells which signing key the link is derived with (a rotation's new key,
    # once the links are rekeyed).
    page_digest = tokens.current_digest(
        TokenPurpose.PERSONAL_PAGE, AccessToken.user_id == user
    ).scalar_subquery()
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
        page_nonce.label("page_nonce"),
        page_digest.label("page_digest"),
        declined.label("declined"),
    ).where(Shift.start_at >= SCAN_FROM)


class PersonalStamp(NamedTuple):
    stamp: FeedStamp
    user_id: int
    page_nonce: str  # of the volunteer's personal-page link, which the events link to
    page_digest: str  # that link's stored digest: which signing key it is derived with


def personal_stamp(
    session: Session,
    token: str,
    window: FeedWindow,
    *,
    host: str,
    base_url: str,
    alarm_minutes: int,
    secret_key: tokens.SigningKeys,
) -> PersonalStamp | None:
    """The one query of a 304: the feed token (raw, from the URL) and the aggregate for
    ETag and Last-Modified. None when the token is not a live personal-feed token."""
    digest = tokens.digest_of(token)
    if digest is None:
        return None
    row = session.connection().execute(_stamp_statement(), token_params(window, digest)).one()
    user_id = token_owner(row, token, TokenPurpose.PERSONAL_FEED, secret_key=secret_key)
    if user_id is None:
        return None
    # The events link to the personal page, so the feed's ETag includes that link.
    page_nonce, page_digest = row.page_nonce, row.page_digest
    if page_nonce is None:  # made now, with the current key
        page_nonce = tokens.stable_nonce(
            session, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=user_id
        )
        page_digest = tokens.hash_token(
            tokens.link_from_nonce(
                page_nonce, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=user_id
            )
        )
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
        extra=(page_nonce, page_digest, row.declined),
    )
    return PersonalStamp(stamp, user_id, page_nonce, page_digest)


def personal_event(
    walk: PersonalWalk, *, personal_url: str, alarm_minutes: int | None
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
        last_modified=walk.changed_at,
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
    # Plain columns: Core execution skips the ORM's result machinery.
    rows = session.connection().execute(_rows_statement(), params)
    events = [
        personal_event(
            PersonalWalk._make(row), personal_url=personal_url, alarm_minutes=alarm_minutes
        )
        for row in rows
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
        booking_status=booking.status,
        changed_at=latest_column(
            shift.updated_at,
            assignment.created_at,
            assignment.responded_at,
            booking.created_at,
            booking.cancelled_at,
            area.updated_at,
            association.updated_at,
            municipality.updated_at,
        ),
        area_name=area.name,
        meeting_point=area.meeting_point,
        latitude=area.latitude,
        longitude=area.longitude,
        association_name=association.name,
        contact_name=association.contact_name,
        contact_phone=association.contact_phone,
        municipality_name=municipality.name,
    )
