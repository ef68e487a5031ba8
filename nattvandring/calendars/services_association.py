"""An association's secret feed: its booked walks with walker count and leader's name."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

from sqlalchemy import bindparam, case, func, select
from sqlmodel import Session

from .. import tokens
from ..accounts.models import AccessToken, TokenPurpose
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
from .feeds import (
    SCAN_FROM,
    FeedStamp,
    FeedWindow,
    feed_token,
    greatest,
    instant,
    make_stamp,
    row_changes,
    token_owner,
    token_params,
    visible,
    window_columns,
)
from .ical import CalendarEvent
from .ical_text import render_feed_fast
from .services_personal import cancel_time, is_cancelled, sequence_for

ASSOCIATION_ID = bindparam("association_id")


def _walkers(association: Any) -> Any:
    """Per booking: walkers not declined, and the latest roster change.

    ``association``: the bound ``ASSOCIATION_ID`` or the feed token's owner (a scalar
    subquery)."""
    return (
        select(
            Assignment.booking_id.label("booking_id"),
            func.sum(case((Assignment.status != AssignmentStatus.DECLINED, 1), else_=0)).label(
                "walkers"
            ),
            func.max(Assignment.created_at).label("assigned"),
            func.max(Assignment.responded_at).label("responded"),
        )
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(Booking.association_id == association)
        .group_by(Assignment.booking_id)
        .subquery()
    )


@cache
def _stamp_statement() -> Any:
    association, token_columns = feed_token(
        TokenPurpose.ASSOCIATION_FEED, AccessToken.association_id
    )
    walkers = _walkers(association)
    return (
        select(
            *token_columns,
            *window_columns(cancel_time()),
            func.max(Booking.created_at).label("booked"),
            func.max(Booking.cancelled_at).label("unbooked"),
            func.sum(func.coalesce(walkers.c.walkers, 0)).label("walkers"),
            func.max(walkers.c.assigned).label("assigned"),
            func.max(walkers.c.responded).label("responded"),
            func.count(walkers.c.booking_id).label("staffed"),
            *row_changes(PatrolArea, Association, Municipality),
        )
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(Association, Association.id == Booking.association_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Municipality, Municipality.id == Shift.municipality_id)
        .outerjoin(walkers, walkers.c.booking_id == Booking.id)
        .where(Booking.association_id == association, Shift.start_at >= SCAN_FROM)
    )


@cache
def _rows_statement() -> Any:
    walkers = _walkers(ASSOCIATION_ID)
    return (
        select(
            Shift.id.label("shift_id"),
            instant(Shift.start_at).label("start_at"),
            instant(Shift.end_at).label("end_at"),
            Shift.sequence,
            Shift.status.label("shift_status"),
            Booking.status.label("booking_status"),
            # The event's last change: shift, booking, roster, area, association, town.
            greatest(
                Shift.updated_at,
                Booking.created_at,
                Booking.cancelled_at,
                walkers.c.assigned,
                walkers.c.responded,
                PatrolArea.updated_at,
                Association.updated_at,
                Municipality.updated_at,
            ).label("changed_at"),
            PatrolArea.name.label("area_name"),
            PatrolArea.meeting_point,
            PatrolArea.latitude,
            PatrolArea.longitude,
            Association.contact_name,
            Municipality.name.label("municipality_name"),
            Municipality.slug,
            walkers.c.walkers,
        )
        .select_from(Booking)
        .join(Shift, Shift.id == Booking.shift_id)
        .join(Association, Association.id == Booking.association_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Municipality, Municipality.id == Shift.municipality_id)
        .outerjoin(walkers, walkers.c.booking_id == Booking.id)
        .where(Booking.association_id == ASSOCIATION_ID, visible(cancel_time()))
        # Active booking first, then the latest cancelled one: one event per shift.
        .order_by(
            Shift.id,
            case((Booking.status == BookingStatus.ACTIVE, 0), else_=1),
            Booking.id.desc(),
        )
    )


def association_stamp(
    session: Session,
    token: str,
    window: FeedWindow,
    *,
    host: str,
    base_url: str,
    secret_key: tokens.SigningKeys,
) -> tuple[FeedStamp, int] | None:
    """One query: the feed token (raw, from the URL) and the aggregate for ETag and
    Last-Modified. Returns the stamp and the association's id, or None for a token that is
    not live."""
    digest = tokens.digest_of(token)
    if digest is None:
        return None
    row = session.connection().execute(_stamp_statement(), token_params(window, digest)).one()
    association_id = token_owner(row, token, TokenPurpose.ASSOCIATION_FEED, secret_key=secret_key)
    if association_id is None:
        return None
    stamp = make_stamp(
        row,
        window=window,
        identity=("association", row.token_id, association_id, host, base_url),
        changed=(
            row.booked,
            row.unbooked,
            row.assigned,
            row.responded,
            row.patrolarea_changed,
            row.association_changed,
            row.municipality_changed,
        ),
        extra=(row.walkers, row.staffed),
    )
    return stamp, association_id


def association_events(
    session: Session, association_id: int, window: FeedWindow, *, base_url: str
) -> list[CalendarEvent]:
    params = {**window.params, "association_id": association_id}
    events: dict[int, CalendarEvent] = {}
    for row in session.connection().execute(_rows_statement(), params):
        if row.shift_id in events:
            continue
        cancelled = is_cancelled(row.shift_status, row.booking_status)
        walkers = int(row.walkers or 0)
        lines = ["Passet är inställt."] if cancelled else []
        if row.meeting_point:
            lines.append(f"Samling: {row.meeting_point}")
        lines.append(f"Nattvandrare: {walkers}")
        lines.append(f"Ledare: {row.contact_name}")
        has_geo = row.latitude is not None and row.longitude is not None
        events[row.shift_id] = CalendarEvent(
            shift_id=row.shift_id,
            start=row.start_at,
            end=row.end_at,
            summary=("Inställd: " if cancelled else "")
            + f"Nattvandring {row.area_name} ({walkers} nattvandrare)",
            description="\n".join(lines),
            location=f"{row.meeting_point or row.area_name}, {row.municipality_name}",
            geo=(row.latitude, row.longitude) if has_geo else None,
            url=f"{base_url}/kommun/{quote(row.slug)}",
            status="CANCELLED" if cancelled else "CONFIRMED",
            sequence=sequence_for(row.sequence, row.shift_status, row.booking_status),
            last_modified=row.changed_at,
        )
    return list(events.values())


def render_association(
    session: Session, association: Association, window: FeedWindow, *, host: str, base_url: str
) -> bytes:
    events = association_events(session, association.id, window, base_url=base_url)  # type: ignore[arg-type]
    return render_feed_fast(name=f"Nattvandring – {association.name}", events=events, host=host)
