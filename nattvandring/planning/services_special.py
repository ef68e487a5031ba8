"""Special nights of one municipality: the calendar's big evenings, its school breaks and the
nights its shifts are marked with; adding them to chosen areas; the school-break weeks.

``special_nights_between`` is the one question every page asks ("which special nights fall in
these days here?"): the coordinator's month, the leader's booking calendar, the public page
and the open-data API. It costs two queries whatever the period holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel.speaklater import LazyString
from sqlmodel import Session, col, select

from .. import dates
from ..audit.services import record
from ..clock import to_local
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from . import special_nights as specials
from .models import PatrolArea, SchoolBreak, Shift, ShiftStatus
from .month import local_day_bounds
from .schedule import walk_instants
from .services_nights import flush_nights, lock_planning, taken_nights
from .services_series import CreateResult, active_areas, new_shift
from .validation import check_distinct_times

#: Each special night is suggested at most this far ahead (and the page shows this much).
MAX_PERIOD_DAYS = 400


def school_breaks(session: Session, municipality_id: int) -> dict[str, int]:
    """The municipality's break weeks by kind (kinds without a week are missing)."""
    rows = session.exec(
        select(SchoolBreak.kind, SchoolBreak.iso_week).where(
            SchoolBreak.municipality_id == municipality_id
        )
    ).all()
    return {kind: week for kind, week in rows if kind in specials.BREAK_KEYS}


def _break_nights(weeks: Mapping[str, int], start: date, end: date) -> list[specials.SpecialNight]:
    found = []
    for kind in specials.BREAK_KEYS:
        if kind in weeks:
            for days in specials.break_days(weeks[kind], start, end):
                found += [specials.SpecialNight(day, kind, specials.NAMES[kind]) for day in days]
    return found


def _marked(session: Session, municipality_id: int, start: date, end: date):
    """(local day, key) of the live shifts marked special in the period (one query)."""
    first, after = local_day_bounds(start, end)
    rows = session.exec(
        select(Shift.start_at, Shift.special_key).where(
            Shift.municipality_id == municipality_id,
            Shift.start_at >= first,
            Shift.start_at < after,
            Shift.status != ShiftStatus.CANCELLED,
            col(Shift.special_key).is_not(None),
        )
    ).all()
    return {(to_local(start_at).date(), key) for start_at, key in rows if key}


def special_nights_between(
    session: Session,
    municipality: Municipality,
    start: date,
    end: date,
    *,
    last_school_day: date | None = None,
) -> list[specials.SpecialNight]:
    """Every special night of ``municipality`` with ``start <= day <= end``, by date.

    The calendar's nights (public holidays, Valborg, midsummer eve, the night-walk day,
    Halloween, New Year's Eve, the last school day when given), each evening of the
    municipality's school breaks, and any night a live shift is marked with (e.g. a last
    school day added earlier). No personal data; two queries. An empty list when ``end`` is
    before ``start`` or the period is longer than ``MAX_PERIOD_DAYS``.
    """
    if end < start or (end - start).days > MAX_PERIOD_DAYS:
        return []
    assert municipality.id is not None
    nights = specials.special_nights_between(start, end, last_school_day=last_school_day)
    nights += _break_nights(school_breaks(session, municipality.id), start, end)
    for day, key in _marked(session, municipality.id, start, end):
        label = specials.night_label(key, day)
        if label is not None:
            nights.append(specials.SpecialNight(day, key, label))
    unique: dict[tuple[date, str], specials.SpecialNight] = {}
    for night in nights:
        unique.setdefault((night.day, night.key), night)
    return sorted(unique.values(), key=lambda n: (n.day, n.key))


def nights_by_day(
    nights: Iterable[specials.SpecialNight],
) -> dict[date, list[specials.SpecialNight]]:
    grouped: dict[date, list[specials.SpecialNight]] = defaultdict(list)
    for night in nights:
        grouped[night.day].append(night)
    return dict(grouped)


@dataclass
class Suggestion:
    """A special night (or a school break's evenings in the period) the coordinator may add.

    ``planned`` names the areas with a live shift on one of its days, ``marked`` those whose
    shift already carries the night's mark.
    """

    key: str
    label: str | LazyString
    days: list[date]
    iso_week: int | None = None
    planned: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)
    planned_ids: set[int | None] = field(default_factory=set)

    @property
    def day(self) -> date:
        return self.days[0]


def suggestions(
    session: Session,
    municipality: Municipality,
    start: date,
    end: date,
    *,
    last_school_day: date | None = None,
) -> list[Suggestion]:
    """The special nights of the period, a school break as one suggestion per week, each with
    the areas that already have a shift (three queries)."""
    assert municipality.id is not None
    found: list[Suggestion] = []
    weeks: dict[tuple[str, int, int], Suggestion] = {}
    for night in special_nights_between(
        session, municipality, start, end, last_school_day=last_school_day
    ):
        if night.key in specials.BREAK_KEYS:
            year, week, _ = night.day.isocalendar()
            existing = weeks.get((night.key, year, week))
            if existing is not None:
                existing.days.append(night.day)
                continue
            weeks[(night.key, year, week)] = item = Suggestion(
                night.key, night.label, [night.day], iso_week=week
            )
        else:
            item = Suggestion(night.key, night.label, [night.day])
        found.append(item)
    if not found:
        return found
    first, after = local_day_bounds(start, end)
    rows = session.exec(
        select(Shift.start_at, Shift.special_key, PatrolArea.id, PatrolArea.name)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(
            Shift.municipality_id == municipality.id,
            Shift.start_at >= first,
            Shift.start_at < after,
            Shift.status != ShiftStatus.CANCELLED,
        )
        .order_by(col(PatrolArea.name))
    ).all()
    by_day: dict[date, list[tuple[str | None, int | None, str]]] = defaultdict(list)
    for start_at, key, area_id, area_name in rows:
        by_day[to_local(start_at).date()].append((key, area_id, area_name))
    for item in found:
        for day in item.days:
            for key, area_id, area_name in by_day.get(day, []):
                if area_name not in item.planned:
                    item.planned.append(area_name)
                    item.planned_ids.add(area_id)
                if key == item.key and area_name not in item.marked:
                    item.marked.append(area_name)
    return found


def _nights_of(session: Session, municipality: Municipality, key: str, day: date) -> list[date]:
    """The days ``key`` on ``day`` stands for: the day, or the rest of its school-break week
    from ``day`` on (refused when ``day`` is not in the municipality's break)."""
    if key not in specials.BREAK_KEYS:
        return [day]
    assert municipality.id is not None
    week = school_breaks(session, municipality.id).get(key)
    if week is None or day.isocalendar()[1] != week:
        raise RuleViolation(
            "not_in_break", _l("Dagen ligger inte i kommunens lovvecka."), field="day"
        )
    year, _, weekday = day.isocalendar()
    return [date.fromisocalendar(year, week, n) for n in range(weekday, 8)]


def add_special_night(
    session: Session,
    *,
    municipality: Municipality,
    day: date,
    key: str,
    area_ids: Sequence[int],
    actor_id: int | None,
) -> CreateResult:
    """One shift per chosen area on ``day`` (for a school break: each evening of its week from
    ``day`` on) at the area's default times, marked ``special_key``; a night that exists
    already is only marked."""
    if key not in specials.KNOWN_KEYS:
        raise RuleViolation("unknown_special", _l("Okänd särskild kväll."))
    dates.check_day(day, field="day")
    days = _nights_of(session, municipality, key, day)
    areas = active_areas(session, municipality, area_ids)
    result = CreateResult()
    nights: list[tuple[PatrolArea, datetime, datetime]] = []
    for area in areas:
        check_distinct_times(area.default_start, area.default_end)
        for night in days:
            start, end = walk_instants(night, area.default_start, area.default_end)
            nights.append((area, start, end))
    assert municipality.id is not None
    lock_planning(session, municipality.id)
    existing = taken_nights(session, [a.id for a in areas], [start for _, start, _ in nights])
    for area, start, end in nights:
        if (area.id, start) in existing:
            # Already planned (e.g. Valborg on a Friday of a series): just mark it special.
            shift = existing[(area.id, start)]  # type: ignore[index]
            if shift.special_key is None:
                shift.special_key = key
                session.add(shift)
            result.skipped += 1
            continue
        shift = new_shift(
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
    flush_nights(session)
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


def save_school_breaks(
    session: Session,
    *,
    municipality: Municipality,
    weeks: Mapping[str, int | None],
    actor_id: int | None,
) -> None:
    """Set (or clear, with None) the ISO week of each break kind given."""
    assert municipality.id is not None
    for kind, week in weeks.items():
        if kind not in specials.BREAK_KEYS:
            raise RuleViolation("unknown_break", _l("Okänt lov."))
        if week is not None and not 1 <= week <= 53:
            raise RuleViolation("bad_week", _l("Veckan ska vara mellan 1 och 53."), field=kind)
    current = {
        row.kind: row
        for row in session.exec(
            select(SchoolBreak).where(SchoolBreak.municipality_id == municipality.id)
        )
    }
    for kind, week in weeks.items():
        row = current.get(kind)
        if week is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(SchoolBreak(municipality_id=municipality.id, kind=kind, iso_week=week))
        elif row.iso_week != week:
            row.iso_week = week
            session.add(row)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="school_breaks.saved",
        object_type="municipality",
        object_id=municipality.id,
        municipality_id=municipality.id,
        details=", ".join(f"{kind}={week or '-'}" for kind, week in sorted(weeks.items())),
    )
