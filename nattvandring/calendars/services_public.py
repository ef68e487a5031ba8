"""Public feeds (per municipality, per area) and the public .ics of one walk.

Public means: area, times, meeting point, municipality and association names. Never a
volunteer, a phone number or an e-mail address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote

from sqlalchemy import bindparam, func, select
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, col

from ..associations.models import Association
from ..booking.models import Booking, BookingStatus
from ..clock import to_local
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .feeds import (
    FeedWindow,
    event_time,
    make_stamp,
    shift_cancel_time,
    special_night,
    version_columns,
    version_join,
    visible,
    window_of,
)
from .http import FeedStamp
from .ical import CalendarEvent, render_feed
from .models import EventVersion

PUBLIC_STATUSES = (ShiftStatus.PLANNED, ShiftStatus.BOOKED, ShiftStatus.CANCELLED)


@dataclass(frozen=True)
class PublicScope:
    municipality: Municipality
    area: PatrolArea | None = None

    @property
    def name(self) -> str:
        if self.area is not None:
            return f"Nattvandring {self.municipality.name} – {self.area.name}"
        return f"Nattvandring {self.municipality.name}"

    def conditions(self) -> list[Any]:
        found = [Shift.municipality_id == self.municipality.id]
        if self.area is not None:
            found.append(Shift.area_id == self.area.id)
        return found


@dataclass(frozen=True)
class PublicFeed:
    scope: PublicScope
    window: FeedWindow
    stamp: FeedStamp


SLUG: BindParameter[str] = bindparam("slug")
AREA_ID: BindParameter[int] = bindparam("area_id")


@cache
def _feed_statement(by_area: bool) -> Any:
    """Built once: the municipality by slug (and the area, which must belong to it) with
    the feed's version row."""
    if not by_area:
        table, on = version_join("municipality", Municipality.id)
        query = select(Municipality, *version_columns()).outerjoin(table, on)
        return query.where(col(Municipality.slug) == SLUG)
    table, on = version_join("area", PatrolArea.id)
    return (
        select(Municipality, PatrolArea, *version_columns())
        .join(PatrolArea, col(PatrolArea.municipality_id) == Municipality.id)
        .outerjoin(table, on)
        .where(col(Municipality.slug) == SLUG, col(PatrolArea.id) == AREA_ID)
    )


def find_feed(
    session: Session, slug: str, area_id: int | None, *, config: Any, host: str, base_url: str
) -> PublicFeed | None:
    """The one query of a 304."""
    params = {"slug": slug} if area_id is None else {"slug": slug, "area_id": area_id}
    row = session.exec(_feed_statement(area_id is not None), params=params).first()
    if row is None:
        return None
    scope = PublicScope(row[0], row[1] if area_id is not None else None)
    window = window_of(row.window_day, config)
    identity = ("public", scope.municipality.id, area_id, host, base_url)
    return PublicFeed(scope, window, make_stamp(row, window, identity))


def _event_columns() -> list[Any]:
    return [
        func.coalesce(EventVersion.sequence, 0).label("event_sequence"),
        func.coalesce(EventVersion.changed, 0).label("event_changed"),
    ]


def public_events(
    session: Session, scope: PublicScope, window: FeedWindow, *, base_url: str
) -> list[CalendarEvent]:
    """One query: visible shifts with their area, version and every booking's association."""
    municipality = scope.municipality
    query = (
        select(
            Shift,
            col(PatrolArea.name).label("area_name"),
            col(PatrolArea.meeting_point),
            col(PatrolArea.latitude),
            col(PatrolArea.longitude),
            *_event_columns(),
            col(Booking.status).label("booking_status"),
            col(Association.name).label("association_name"),
        )
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .outerjoin(EventVersion, col(EventVersion.shift_id) == Shift.id)
        .outerjoin(Booking, col(Booking.shift_id) == Shift.id)
        .outerjoin(Association, col(Association.id) == Booking.association_id)
        .where(
            *scope.conditions(),
            col(Shift.status).in_(PUBLIC_STATUSES),
            visible(shift_cancel_time(), window),
        )
        .order_by(col(Shift.start_at), col(Shift.id), col(Booking.id))
    )
    shifts: dict[int, tuple[Shift, Any]] = {}
    names: dict[int, list[str]] = {}
    for row in session.exec(query):  # type: ignore[call-overload]
        shift = row.Shift
        if shift.id not in shifts:
            shifts[shift.id] = (shift, row)
            names[shift.id] = []
        if row.booking_status == BookingStatus.ACTIVE and row.association_name:
            names[shift.id].append(row.association_name)
    url = f"{base_url}/kommun/{quote(municipality.slug)}"
    return [
        public_event(
            shift,
            row,
            municipality_name=municipality.name,
            association_names=names[shift_id],
            sequence=row.event_sequence,
            last_modified=event_time(row.event_changed),
            url=url,
        )
        for shift_id, (shift, row) in shifts.items()
    ]


def public_event(
    shift: Shift,
    area: Any,
    *,
    municipality_name: str,
    association_names: list[str],
    sequence: int,
    last_modified: Any,
    url: str,
) -> CalendarEvent:
    """``area``: a PatrolArea, or a row with area_name, meeting_point, latitude, longitude."""
    area_name = area.area_name if hasattr(area, "area_name") else area.name
    cancelled = shift.status == ShiftStatus.CANCELLED
    booked = bool(association_names) and not cancelled
    summary = f"Nattvandring {area_name}"
    if cancelled:
        summary = f"Inställd: {summary}"
    elif not booked:
        summary = f"{summary} (söker förening)"
    lines = [f"Nattvandring i {area_name}, {municipality_name}."]
    if area.meeting_point:
        lines.append(f"Samling: {area.meeting_point}")
    if association_names:
        lines.append("Förening: " + ", ".join(association_names))
    elif not cancelled:
        lines.append("Ingen förening har bokat kvällen än.")
    if cancelled:
        lines.append("Kvällen är inställd.")
    summary, categories = special_night(summary, shift.special_key, shift.start_at)
    return CalendarEvent(
        shift_id=shift.id,  # type: ignore[arg-type]
        start=shift.start_at,
        end=shift.end_at,
        summary=summary,
        description="\n".join(lines),
        location=f"{area.meeting_point or area_name}, {municipality_name}",
        geo=_geo(area),
        url=url,
        status="CANCELLED" if cancelled else ("CONFIRMED" if booked else "TENTATIVE"),
        sequence=sequence,
        last_modified=last_modified,
        categories=categories,
    )


def render_public(
    session: Session, scope: PublicScope, window: FeedWindow, *, host: str, base_url: str
) -> bytes:
    events = public_events(session, scope, window, base_url=base_url)
    return render_feed(name=scope.name, events=events, host=host)


# --- one walk -----------------------------------------------------------------------------


class WalkFile(NamedTuple):
    """One walk's download: its public event, named by its local date and area."""

    event: CalendarEvent
    name: str  # the calendar's name, e.g. "Nattvandring 2026-12-04 Centrum"
    filename: str  # ASCII, e.g. "nattvandring-2026-12-04-centrum.ics"


def file_slug(text: str) -> str:
    """An ASCII slug for a file name: "Södra Centrum" → "sodra-centrum"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def walk_file_names(start_at: datetime, area_name: str) -> tuple[str, str]:
    """The calendar name and the file name of one walk's download (local start date)."""
    day = to_local(start_at).date().isoformat()
    slug = file_slug(area_name)
    filename = f"nattvandring-{day}-{slug}.ics" if slug else f"nattvandring-{day}.ics"
    return f"Nattvandring {day} {area_name}".strip(), filename


def walk_file(session: Session, shift_id: int, *, base_url: str) -> WalkFile | None:
    """The public event of one shift (one query) with its names, or None if there is no
    such shift."""
    query = (
        select(Shift, PatrolArea, Municipality, Booking, Association, *_event_columns())
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .join(Municipality, col(Municipality.id) == Shift.municipality_id)
        .outerjoin(EventVersion, col(EventVersion.shift_id) == Shift.id)
        .outerjoin(Booking, col(Booking.shift_id) == Shift.id)
        .outerjoin(Association, col(Association.id) == Booking.association_id)
        .where(col(Shift.id) == shift_id)
        .order_by(col(Booking.id))
    )
    rows = session.exec(query).all()  # type: ignore[call-overload]
    if not rows:
        return None
    first = rows[0]
    shift, area, municipality = first[0], first[1], first[2]
    active = [
        row[4].name for row in rows if row[3] is not None and row[3].status == BookingStatus.ACTIVE
    ]
    event = public_event(
        shift,
        area,
        municipality_name=municipality.name,
        association_names=active,
        sequence=first.event_sequence,
        last_modified=event_time(first.event_changed),
        url=f"{base_url}/kommun/{quote(municipality.slug)}",
    )
    name, filename = walk_file_names(shift.start_at, area.name)
    return WalkFile(event, name, filename)


def _geo(area: Any) -> tuple[float, float] | None:
    if area.latitude is None or area.longitude is None:
        return None
    return (area.latitude, area.longitude)
