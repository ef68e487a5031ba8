"""Public facts about nights, in a constant number of queries: the weekly summary of every
municipality (home page, API) and a municipality's nights per area (API, widget)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from ..associations.models import Association, AssociationStatus
from ..booking.models import Booking, BookingStatus
from ..clock import to_local, utcnow
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from ..planning.month import ShiftRow, load_shift_rows, local_day_bounds
from ..planning.special_nights import PUBLIC_HOLIDAY, night_label, special_nights_between


@dataclass
class Tally:
    covered: int = 0
    uncovered: int = 0

    @property
    def total(self) -> int:
        return self.covered + self.uncovered


@dataclass
class MunicipalityWeek:
    municipality: Municipality
    tally: Tally


@dataclass
class Night:
    row: ShiftRow
    special_key: str | None
    special_name: str | None

    @property
    def covered(self) -> bool:
        return self.row.booked


@dataclass
class AreaNights:
    area: PatrolArea
    tally: Tally = field(default_factory=Tally)


@dataclass
class MunicipalityNights:
    municipality: Municipality
    first: date
    last: date
    nights: list[Night]
    areas: list[AreaNights]

    @property
    def tally(self) -> Tally:
        covered = sum(1 for night in self.nights if night.covered)
        return Tally(covered=covered, uncovered=len(self.nights) - covered)


def current_week(today: date | None = None) -> tuple[date, date]:
    """Monday and Sunday of the local week containing ``today`` (default: now)."""
    today = today or to_local(utcnow()).date()
    monday = today - timedelta(days=today.weekday())
    return monday, monday + timedelta(days=6)


def week_summary(session: Session, *, first: date, last: date) -> list[MunicipalityWeek]:
    """Every municipality with its covered and uncovered nights (shifts not cancelled)
    between ``first`` and ``last``: two queries whatever the number of municipalities."""
    start, end = local_day_bounds(first, last)
    booked = select(Booking.shift_id).where(Booking.status == BookingStatus.ACTIVE)
    counts = session.exec(
        select(
            Shift.municipality_id,
            func.count(col(Shift.id)),
            func.sum(case((col(Shift.id).in_(booked), 1), else_=0)),
        )
        .where(
            Shift.start_at >= start,
            Shift.start_at < end,
            Shift.status != ShiftStatus.CANCELLED,
        )
        .group_by(col(Shift.municipality_id))
    ).all()
    by_id = {mid: (int(total), int(covered or 0)) for mid, total, covered in counts}
    municipalities = session.exec(select(Municipality).order_by(col(Municipality.name))).all()
    found = []
    for municipality in municipalities:
        total, covered = by_id.get(municipality.id, (0, 0))  # type: ignore[arg-type]
        found.append(MunicipalityWeek(municipality, Tally(covered, total - covered)))
    return found


def _special_names(first: date, last: date) -> dict[tuple[date, str], str]:
    names: dict[tuple[date, str], str] = {}
    for night in special_nights_between(first, last):
        names.setdefault((night.day, night.key), str(night.label))
    return names


def special_name(names: dict[tuple[date, str], str], day: date, key: str | None) -> str | None:
    """The shown name of a special night: its own, or the public holiday's of that day."""
    if key is None:
        return None
    found = names.get((day, key)) or names.get((day, PUBLIC_HOLIDAY))
    if found is None:  # a school break, or a night outside the calendar's (last school day)
        label = night_label(key, day)
        found = None if label is None else str(label)
    return found


def municipality_nights(
    session: Session,
    municipality: Municipality,
    *,
    first: date,
    last: date,
    area_id: int | None = None,
    upcoming_only: bool = False,
) -> MunicipalityNights:
    """The nights (not cancelled) of the active areas between ``first`` and ``last``, with
    per-area tallies: four queries whatever the number of nights."""
    areas = list(
        session.exec(
            select(PatrolArea)
            .where(
                PatrolArea.municipality_id == municipality.id,
                col(PatrolArea.active).is_(True),
            )
            .order_by(col(PatrolArea.name), col(PatrolArea.id))
        )
    )
    if area_id is not None:
        areas = [area for area in areas if area.id == area_id]
    start, end = local_day_bounds(first, last)
    now: datetime = utcnow()
    rows = load_shift_rows(
        session,
        municipality_id=municipality.id,  # type: ignore[arg-type]
        start=start,
        end=end,
        area_id=area_id,
        include_cancelled=False,
    )
    by_area = {area.id: AreaNights(area) for area in areas}
    names = _special_names(first, last)
    nights = []
    for row in rows:
        area = by_area.get(row.shift.area_id)
        if area is None or (upcoming_only and row.shift.end_at <= now):
            continue
        key = row.shift.special_key
        nights.append(Night(row, key, special_name(names, row.local_day, key)))
        if row.booked:
            area.tally.covered += 1
        else:
            area.tally.uncovered += 1
    return MunicipalityNights(municipality, first, last, nights, list(by_area.values()))


def approved_associations(session: Session, municipality_id: int) -> list[str]:
    """Names of the municipality's approved associations (the ones a volunteer can join)."""
    return list(
        session.exec(
            select(Association.name)
            .where(
                Association.municipality_id == municipality_id,
                Association.status == AssociationStatus.APPROVED,
            )
            .order_by(col(Association.name))
        )
    )


def map_links(latitude: float | None, longitude: float | None) -> dict[str, str] | None:
    """A ``geo:`` URI (phones open their map app) and an OpenStreetMap link, or None."""
    if latitude is None or longitude is None:
        return None
    lat, lon = f"{latitude:.6f}", f"{longitude:.6f}"
    return {
        "geo": f"geo:{lat},{lon}",
        "osm": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}",
    }
