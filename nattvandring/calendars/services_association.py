"""An association's secret feed: its booked walks with walker count and leader's name."""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import case, func, select
from sqlmodel import Session, col

from .. import tokens
from ..accounts.models import TokenPurpose
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
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
from .models import EventVersion
from .services_personal import is_cancelled


class AssociationFeed(NamedTuple):
    stamp: FeedStamp
    association_id: int
    window: FeedWindow


def find_feed(
    session: Session,
    token: str,
    *,
    config: Any,
    host: str,
    base_url: str,
    secret_key: tokens.SigningKeys,
) -> AssociationFeed | None:
    """The one query of a 304: the feed token (raw, from the URL) with the feed's version.
    None for a token that is not live."""
    digest = tokens.digest_of(token)
    if digest is None:
        return None
    purpose = TokenPurpose.ASSOCIATION_FEED
    row = token_row(session.connection(), purpose, "association", digest)
    association_id = token_owner(row, token, purpose, secret_key=secret_key)
    if association_id is None:
        return None
    window = window_of(row.window_day, config)
    identity = ("association", row.token_id, association_id, host, base_url)
    return AssociationFeed(make_stamp(row, window, identity), association_id, window)


def _rows_statement(association_id: int, window: FeedWindow) -> Any:
    walkers = (
        select(
            col(Assignment.booking_id).label("booking_id"),
            func.count(col(Assignment.id)).label("walkers"),
        )
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(
            col(Booking.association_id) == association_id,
            col(Assignment.status) != AssignmentStatus.DECLINED,
        )
        .group_by(col(Assignment.booking_id))
        .subquery()
    )
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
            col(Association.contact_name),
            col(Shift.special_key),
            col(Municipality.name).label("municipality_name"),
            col(Municipality.slug),
            walkers.c.walkers,
        )
        .select_from(Booking)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .outerjoin(EventVersion, col(EventVersion.shift_id) == Shift.id)
        .join(Association, col(Association.id) == Booking.association_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .join(Municipality, col(Municipality.id) == Shift.municipality_id)
        .outerjoin(walkers, walkers.c.booking_id == Booking.id)
        .where(col(Booking.association_id) == association_id, visible(walk_cancel_time(), window))
        # Active booking first, then the latest cancelled one: one event per shift.
        .order_by(
            col(Shift.id),
            case((col(Booking.status) == BookingStatus.ACTIVE, 0), else_=1),
            col(Booking.id).desc(),
        )
    )


def association_events(
    session: Session, association_id: int, window: FeedWindow, *, base_url: str
) -> list[CalendarEvent]:
    events: dict[int, CalendarEvent] = {}
    for row in session.connection().execute(_rows_statement(association_id, window)):
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
        summary, categories = special_night(
            ("Inställd: " if cancelled else "")
            + f"Nattvandring {row.area_name} ({walkers} nattvandrare)",
            row.special_key,
            row.start_at,
        )
        events[row.shift_id] = CalendarEvent(
            shift_id=row.shift_id,
            start=row.start_at,
            end=row.end_at,
            summary=summary,
            description="\n".join(lines),
            location=f"{row.meeting_point or row.area_name}, {row.municipality_name}",
            geo=(row.latitude, row.longitude) if has_geo else None,
            url=f"{base_url}/kommun/{quote(row.slug)}",
            status="CANCELLED" if cancelled else "CONFIRMED",
            sequence=row.sequence,
            last_modified=event_time(row.changed),
            categories=categories,
        )
    return list(events.values())


def render_association(
    session: Session, association: Association, window: FeedWindow, *, host: str, base_url: str
) -> bytes:
    events = association_events(session, association.id, window, base_url=base_url)  # type: ignore[arg-type]
    return render_feed(name=f"Nattvandring – {association.name}", events=events, host=host)
