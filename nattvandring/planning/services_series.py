"""Creating patrol nights: a season (series) in one form (special nights: services_special)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from .. import dates
from ..audit.services import record
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from .models import PatrolArea, Shift, ShiftSeries
from .schedule import generate_series
from .services_common import store_optional
from .services_nights import flush_nights, lock_planning, taken_nights
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


def active_areas(session: Session, municipality: Municipality, area_ids: Sequence[int]):
    ids = {int(i) for i in area_ids}
    if not ids:
        raise RuleViolation("no_areas", _l("Välj minst ett område."), field="area_ids")
    areas = list(
        session.exec(
            select(PatrolArea)
            .where(col(PatrolArea.id).in_(ids), PatrolArea.municipality_id == municipality.id)
            .order_by(PatrolArea.name)
        )
    )
    if len(areas) != len(ids) or any(not area.active for area in areas):
        raise RuleViolation(
            "unknown_area", _l("Välj bland kommunens aktiva områden."), field="area_ids"
        )
    return areas


def new_shift(
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
    """Create a ShiftSeries and one shift per area and matching night; skip nights that exist.

    Idempotent: posting the same season again (a double click, a second tab) creates nothing
    and no empty series; ``result.series`` is then ``None`` and ``result.skipped`` counts the
    nights that were there already.
    """
    dates.check_day(data.start_date, field="start_date")
    dates.check_day(data.end_date, field="end_date")
    check_distinct_times(data.start_time, data.end_time)
    areas = active_areas(session, municipality, data.area_ids)
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
    lock_planning(session, municipality.id)
    taken = taken_nights(session, [a.id for a in areas], [start for start, _ in nights])
    if len(taken) == len(areas) * len(nights):
        return CreateResult(skipped=len(taken))
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
    result = CreateResult(series=series)
    for area in areas:
        for start, end in nights:
            if (area.id, start) in taken:
                result.skipped += 1
                continue
            shift = new_shift(
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
    flush_nights(session)
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
