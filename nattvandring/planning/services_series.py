"""Creating patrol nights: a season (series) in one form, and one-click special nights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel import Session, select

from .. import dates
from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from . import special_nights as specials
from .models import PatrolArea, Shift, ShiftSeries, ShiftStatus
from .schedule import generate_series, walk_instants
from .services_common import store_optional
from .validation import check_distinct_times, check_walker_limits


@dataclass
class SeriesInput:
    area_ids: Sequence[int]
    weekdays: Sequence[int]
    start_date: date
    end_date: date
    start_time: time
    end_time: time
    # None: take each area's default.
    min_walkers: int | None = None
    max_walkers: int | None = None
    min_age: int | None = None
    name: str = ""


@dataclass
class CreateResult:
    created: list[Shift] = field(default_factory=list)
    skipped: int = 0
    series: ShiftSeries | None = None


def _areas(session: Session, municipality: Municipality, area_ids: Sequence[int]):  # type: ignore[no-untyped-def]
    ids = {int(i) for i in area_ids}
    if not ids:
        raise RuleViolation("no_areas", _l("Välj minst ett område."), field="area_ids")
    areas = list(
        session.exec(
            select(PatrolArea)
            .where(PatrolArea.id.in_(ids), PatrolArea.municipality_id == municipality.id)
            .order_by(PatrolArea.name)
        )
    )
    if len(areas) != len(ids) or any(not area.active for area in areas):
        raise RuleViolation(
            "unknown_area", _l("Välj bland kommunens aktiva områden."), field="area_ids"
        )
    return areas


def _existing_starts(
    session: Session, area_ids: Sequence[int], starts: Sequence[datetime]
) -> set[tuple[int, datetime]]:
    """(area, start) pairs that already have a shift that is not cancelled (one query)."""
    if not starts or not area_ids:
        return set()
    rows = session.exec(
        select(Shift.area_id, Shift.start_at).where(
            Shift.area_id.in_(list(area_ids)),
            Shift.start_at >= min(starts),
            Shift.start_at <= max(starts),
            Shift.status != ShiftStatus.CANCELLED,
        )
    )
    return {(area_id, start) for area_id, start in rows}


def _new_shift(
    municipality: Municipality,
    area: PatrolArea,
    start: datetime,
    end: datetime,
    *,
    min_walkers: int | None,
    max_walkers: int | None,
    min_age: int | None,
    series_id: int | None = None,
    special_key: str | None = None,
) -> Shift:
    assert municipality.id is not None and area.id is not None
    shift = Shift(
        municipality_id=municipality.id,
        area_id=area.id,
        series_id=series_id,
        start_at=start,
        end_at=end,
        min_walkers=min_walkers if min_walkers is not None else area.default_min_walkers,
        min_age=min_age if min_age is not None else area.min_age,
        special_key=special_key,
    )
    store_optional(
        shift, "max_walkers", max_walkers if max_walkers is not None else area.default_max_walkers
    )
    return shift


def create_series(
    session: Session, *, municipality: Municipality, data: SeriesInput, actor_id: int | None
) -> CreateResult:
    """Create a ShiftSeries and one shift per area and matching night; skip duplicates."""
    dates.check_day(data.start_date, field="start_date")
    dates.check_day(data.end_date, field="end_date")
    check_distinct_times(data.start_time, data.end_time)
    areas = _areas(session, municipality, data.area_ids)
    nights = generate_series(
        start_date=data.start_date,
        end_date=data.end_date,
        weekdays=data.weekdays,
        start_time=data.start_time,
        end_time=data.end_time,
    )
    for area in areas:
        check_walker_limits(
            min_walkers=data.min_walkers
            if data.min_walkers is not None
            else area.default_min_walkers,
            max_walkers=data.max_walkers
            if data.max_walkers is not None
            else area.default_max_walkers,
            min_age=data.min_age if data.min_age is not None else area.min_age,
        )
    if not nights:
        raise RuleViolation(
            "no_nights",
            _l("Inga dagar i perioden matchar de valda veckodagarna."),
            field="weekdays",
        )
    assert municipality.id is not None
    series = ShiftSeries(
        municipality_id=municipality.id,
        name=data.name.strip()[:120],
        weekdays=",".join(str(d) for d in sorted(set(data.weekdays))),
        start_date=data.start_date,
        end_date=data.end_date,
        start_time=data.start_time,
        end_time=data.end_time,
        created_by_id=actor_id,
    )
    session.add(series)
    session.flush()
    taken = _existing_starts(session, [a.id for a in areas], [start for start, _ in nights])
    result = CreateResult(series=series)
    for area in areas:
        for start, end in nights:
            if (area.id, start) in taken:
                result.skipped += 1
                continue
            shift = _new_shift(
                municipality,
                area,
                start,
                end,
                min_walkers=data.min_walkers,
                max_walkers=data.max_walkers,
                min_age=data.min_age,
                series_id=series.id,
            )
            session.add(shift)
            result.created.append(shift)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="series.created",
        object_type="shift_series",
        object_id=series.id,
        municipality_id=municipality.id,
        details=(
            f"{data.start_date.isoformat()}–{data.end_date.isoformat()} "
            f"{data.start_time:%H:%M}–{data.end_time:%H:%M}; "
            f"{', '.join(a.name for a in areas)}; "
            f"skapade {len(result.created)}, hoppade över {result.skipped}"
        ),
    )
    return result


def add_special_night(
    session: Session,
    *,
    municipality: Municipality,
    day: date,
    key: str,
    area_ids: Sequence[int],
    actor_id: int | None,
) -> CreateResult:
    """One shift per chosen area on ``day`` at the area's default times, ``special_key`` set."""
    known = {
        specials.PUBLIC_HOLIDAY,
        specials.VALBORG,
        specials.MIDSUMMER_EVE,
        specials.NIGHT_WALK_DAY,
        specials.HALLOWEEN,
        specials.NEW_YEARS_EVE,
        specials.LAST_SCHOOL_DAY,
    }
    if key not in known:
        raise RuleViolation("unknown_special", _l("Okänd särskild kväll."))
    dates.check_day(day, field="day")
    areas = _areas(session, municipality, area_ids)
    result = CreateResult()
    nights: list[tuple[PatrolArea, datetime, datetime]] = []
    for area in areas:
        check_distinct_times(area.default_start, area.default_end)
        start, end = walk_instants(day, area.default_start, area.default_end)
        nights.append((area, start, end))
    existing = {
        (shift.area_id, shift.start_at): shift
        for shift in session.exec(
            select(Shift).where(
                Shift.area_id.in_([a.id for a in areas]),
                Shift.start_at.in_([start for _, start, _ in nights]),
                Shift.status != ShiftStatus.CANCELLED,
            )
        )
    }
    for area, start, end in nights:
        if (area.id, start) in existing:
            # Already planned (e.g. Valborg on a Friday of a series): just mark it special.
            shift = existing[(area.id, start)]
            if shift.special_key is None:
                shift.special_key = key
                session.add(shift)
            result.skipped += 1
            continue
        shift = _new_shift(
            municipality,
            area,
            start,
            end,
            min_walkers=None,
            max_walkers=None,
            min_age=None,
            special_key=key,
        )
        session.add(shift)
        result.created.append(shift)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="special_night.added",
        object_type="shift",
        object_id=result.created[0].id if result.created else None,
        municipality_id=municipality.id,
        details=(
            f"{day.isoformat()} {key}; {', '.join(a.name for a in areas)}; "
            f"skapade {len(result.created)}, hoppade över {result.skipped}"
        ),
    )
    return result
