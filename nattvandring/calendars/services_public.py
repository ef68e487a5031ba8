"""Public feeds (per municipality, per area) and the public .ics of one walk.

Public means: area, times, meeting point, municipality and association names. Never a
volunteer, a phone number or an e-mail address.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from sqlalchemy import Integer, bindparam, case, cast, func, or_, select
from sqlmodel import Session

from ..associations.models import Association
from ..booking.models import Booking, BookingStatus
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .feeds import (
    SCAN_FROM,
    FeedStamp,
    FeedWindow,
    latest_column,
    make_stamp,
    row_changes,
    visible,
    window_columns,
)
from .ical import CalendarEvent
from .ical_text import render_feed_fast as render_feed

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


def find_scope(session: Session, slug: str, area_id: int | None = None) -> PublicScope | None:
    """One query: the municipality by slug (and the area, which must belong to it)."""
    if area_id is None:
        municipality = session.exec(select(Municipality).where(Municipality.slug == slug)).first()
        return PublicScope(municipality[0]) if municipality else None
    row = session.exec(
        select(Municipality, PatrolArea)
        .join(PatrolArea, PatrolArea.municipality_id == Municipality.id)
        .where(Municipality.slug == slug, PatrolArea.id == area_id)
    ).first()
    return PublicScope(row[0], row[1]) if row else None


def _cancel_time() -> Any:
    return case(
        (Shift.status == ShiftStatus.CANCELLED, func.coalesce(Shift.cancelled_at, Shift.updated_at))
    )


MUNICIPALITY_ID = bindparam("municipality_id")
AREA_ID = bindparam("area_id")


def _scope() -> list[Any]:
    """Shifts of the municipality, and of one area when ``area_id`` is not NULL."""
    return [
        Shift.municipality_id == MUNICIPALITY_ID,
        # The cast lets PostgreSQL type "$n IS NULL" when no area is given.
        or_(cast(AREA_ID, Integer).is_(None), Shift.area_id == AREA_ID),
    ]


@cache
def _stamp_statement() -> Any:
    shown = [*_scope(), Shift.start_at >= SCAN_FROM, visible(_cancel_time())]

    def over_bookings(column: Any, *extra: Any) -> Any:
        return (
            select(column)
            .select_from(Booking)
            .join(Shift, Shift.id == Booking.shift_id)
            .where(*shown, *extra)
            .scalar_subquery()
        )

    named = (
        select(func.max(Association.updated_at))
        .join(Booking, Booking.association_id == Association.id)
        .join(Shift, Shift.id == Booking.shift_id)
        .where(*shown, Booking.status == BookingStatus.ACTIVE)
        .scalar_subquery()
    )
    return (
        select(
            *window_columns(_cancel_time()),
            over_bookings(func.count(Booking.id)).label("bookings"),
            over_bookings(func.count(Booking.id), Booking.status == BookingStatus.ACTIVE).label(
                "active"
            ),
            over_bookings(func.max(Booking.created_at)).label("booked"),
            over_bookings(func.max(Booking.cancelled_at)).label("unbooked"),
            named.label("association_changed"),
            *row_changes(PatrolArea),
        )
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .where(*_scope(), Shift.start_at >= SCAN_FROM)
    )


def _params(scope: PublicScope, window: FeedWindow) -> dict[str, Any]:
    area_id = scope.area.id if scope.area is not None else None
    return {**window.params, "municipality_id": scope.municipality.id, "area_id": area_id}


def public_stamp(
    session: Session, scope: PublicScope, window: FeedWindow, *, host: str, base_url: str
) -> FeedStamp:
    """The single aggregate query of a public feed."""
    row = session.exec(_stamp_statement(), params=_params(scope, window)).one()
    area_id = scope.area.id if scope.area else None
    return make_stamp(
        row,
        window=window,
        identity=("public", scope.municipality.id, area_id, scope.name, host, base_url),
        changed=(
            row.booked,
            row.unbooked,
            row.association_changed,
            row.patrolarea_changed,
            scope.municipality.updated_at,
        ),
        extra=(row.bookings, row.active, scope.municipality.slug),
    )


@cache
def _rows_statement() -> Any:
    return (
        select(
            Shift,
            PatrolArea.name.label("area_name"),
            PatrolArea.meeting_point,
            PatrolArea.latitude,
            PatrolArea.longitude,
            PatrolArea.updated_at.label("area_updated_at"),
            Booking.status.label("booking_status"),
            Booking.created_at.label("booked_at"),
            Booking.cancelled_at.label("unbooked_at"),
            Association.name.label("association_name"),
            Association.updated_at.label("association_updated_at"),
        )
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .outerjoin(Booking, Booking.shift_id == Shift.id)
        .outerjoin(Association, Association.id == Booking.association_id)
        .where(*_scope(), Shift.status.in_(PUBLIC_STATUSES), visible(_cancel_time()))
        .order_by(Shift.start_at, Shift.id, Booking.id)
    )


def public_events(
    session: Session, scope: PublicScope, window: FeedWindow, *, base_url: str
) -> list[CalendarEvent]:
    """One query: visible shifts with their area and every booking's association."""
    municipality = scope.municipality
    shifts: dict[int, tuple[Shift, Any]] = {}
    names: dict[int, list[str]] = {}
    statuses: dict[int, list[str]] = {}
    changed: dict[int, list[Any]] = {}
    for row in session.exec(_rows_statement(), params=_params(scope, window)):
        shift = row.Shift
        if shift.id not in shifts:
            shifts[shift.id] = (shift, row)
            names[shift.id], statuses[shift.id] = [], []
            changed[shift.id] = [shift.updated_at, row.area_updated_at, municipality.updated_at]
        if row.booking_status is not None:
            statuses[shift.id].append(row.booking_status)
            changed[shift.id] += [row.booked_at, row.unbooked_at]
            if row.booking_status == BookingStatus.ACTIVE and row.association_name:
                names[shift.id].append(row.association_name)
                changed[shift.id].append(row.association_updated_at)
    url = f"{base_url}/kommun/{quote(municipality.slug)}"
    return [
        public_event(
            shift,
            row,
            municipality_name=municipality.name,
            association_names=names[shift_id],
            sequence=public_sequence(shift.sequence, statuses[shift_id]),
            last_modified=latest_column(*changed[shift_id]) or shift.updated_at,
            url=url,
        )
        for shift_id, (shift, row) in shifts.items()
    ]


def public_sequence(shift_sequence: int, booking_statuses: list[str]) -> int:
    """SEQUENCE of the public event: the shift's own, plus one per booking made and one per
    booking cancelled, since each may move the event between TENTATIVE and CONFIRMED.
    Bookings are never deleted, so it only grows."""
    made = len(booking_statuses)
    cancelled = sum(1 for status in booking_statuses if status == BookingStatus.CANCELLED)
    return (shift_sequence or 0) + made + cancelled


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
    )


def render_public(
    session: Session, scope: PublicScope, window: FeedWindow, *, host: str, base_url: str
) -> bytes:
    events = public_events(session, scope, window, base_url=base_url)
    return render_feed(name=scope.name, events=events, host=host)


# --- one walk -----------------------------------------------------------------------------


def walk_event(session: Session, shift_id: int, *, base_url: str) -> CalendarEvent | None:
    """The public event of one shift (one query), or None if there is no such shift."""
    query = (
        select(Shift, PatrolArea, Municipality, Booking, Association)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Municipality, Municipality.id == Shift.municipality_id)
        .outerjoin(Booking, Booking.shift_id == Shift.id)
        .outerjoin(Association, Association.id == Booking.association_id)
        .where(Shift.id == shift_id)
        .order_by(Booking.id)
    )
    rows = session.exec(query).all()
    if not rows:
        return None
    shift, area, municipality = rows[0][0], rows[0][1], rows[0][2]
    bookings = [(booking, association) for *_, booking, association in rows if booking]
    active = [(b, a) for b, a in bookings if b.status == BookingStatus.ACTIVE]
    changed = [shift.updated_at, area.updated_at, municipality.updated_at]
    changed += [moment for b, _a in bookings for moment in (b.created_at, b.cancelled_at)]
    changed += [association.updated_at for _b, association in active]
    return public_event(
        shift,
        area,
        municipality_name=municipality.name,
        association_names=[association.name for _b, association in active],
        sequence=public_sequence(shift.sequence, [b.status for b, _a in bookings]),
        last_modified=latest_column(*changed) or shift.updated_at,
        url=f"{base_url}/kommun/{quote(municipality.slug)}",
    )


def _geo(area: Any) -> tuple[float, float] | None:
    if area.latitude is None or area.longitude is None:
        return None
    return (area.latitude, area.longitude)
