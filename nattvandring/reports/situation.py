"""The situation report (lägesbild) for Brå: per area and period, from approved reports.

Counts only approved reports, so the figures are the ones the coordinator verified. Walkers and
hours come from the ledger (corrections included); a "walker" is one person on one walk.
The evening of a walk is its local start date, as in the ledger.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from sqlmodel import Session, func, select

from ..clock import local_to_utc
from ..formatting import hours
from ..i18n import _l
from ..planning.models import PatrolArea, Shift
from ..planning.schedule import evening_of
from .models import (
    HoursLedgerEntry,
    Incident,
    IncidentCategory,
    PatrolReport,
    ReportStatus,
    UnsafePlace,
    UnsafePlaceStatus,
)

CATEGORY_LABELS = {
    IncidentCategory.VIOLENCE: _l("Våld"),
    IncidentCategory.ALCOHOL: _l("Alkohol"),
    IncidentCategory.DRUGS: _l("Narkotika"),
    IncidentCategory.VANDALISM: _l("Skadegörelse"),
    IncidentCategory.THREAT: _l("Hot"),
    IncidentCategory.OTHER: _l("Annat"),
}
PLACE_STATUS_LABELS = {
    UnsafePlaceStatus.REPORTED: _l("Rapporterad"),
    UnsafePlaceStatus.FORWARDED: _l("Vidarebefordrad"),
    UnsafePlaceStatus.FIXED: _l("Åtgärdad"),
}


@dataclass
class Figures:
    walks: int = 0
    walkers: int = 0
    minutes: int = 0
    young_people: int = 0
    incidents: Counter = field(default_factory=Counter)
    places: int = 0

    @property
    def incident_total(self) -> int:
        return sum(self.incidents.values())

    @property
    def hours(self) -> Decimal:
        # minutes / 60 never ends in a 5 at the third decimal, so no rounding rule applies.
        return hours(self.minutes)


@dataclass
class Situation:
    start: date
    end: date
    total: Figures
    months: list[tuple[date, Figures]]
    areas: list[tuple[PatrolArea, Figures]]
    cells: list[tuple[PatrolArea, date, Figures]]  # per area and month, for exports
    places: list[tuple[UnsafePlace, PatrolArea, date]]
    places_by_status: dict[str, int]


def months_between(start: date, end: date) -> list[date]:
    months, cursor = [], start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def build(
    session: Session, *, municipality_ids: set[int], start: date, end: date, area_id: int | None
) -> Situation:
    start_utc = local_to_utc(start, time(0))
    end_utc = local_to_utc(end + timedelta(days=1), time(0))
    query = (
        select(PatrolReport, Shift)
        .join(Shift, Shift.id == PatrolReport.shift_id)
        .where(
            PatrolReport.status == ReportStatus.APPROVED,
            PatrolReport.municipality_id.in_(municipality_ids),  # type: ignore[attr-defined]
            Shift.start_at >= start_utc,
            Shift.start_at < end_utc,
        )
    )
    if area_id is not None:
        query = query.where(Shift.area_id == area_id)
    pairs = session.exec(query).all()
    report_ids = [report.id for report, _ in pairs]
    areas = {
        a.id: a
        for a in session.exec(
            select(PatrolArea).where(PatrolArea.municipality_id.in_(municipality_ids))  # type: ignore[attr-defined]
        ).all()
    }

    walkers: dict[int, tuple[int, int]] = {}
    incidents: dict[int, Counter] = defaultdict(Counter)
    places: list[UnsafePlace] = []
    if report_ids:
        sums = session.exec(
            select(
                HoursLedgerEntry.report_id,
                HoursLedgerEntry.walker_id,
                func.sum(HoursLedgerEntry.minutes),
            )
            .where(HoursLedgerEntry.report_id.in_(report_ids))  # type: ignore[attr-defined]
            .group_by(HoursLedgerEntry.report_id, HoursLedgerEntry.walker_id)
        ).all()
        for report_id, _walker, minutes in sums:
            count, total = walkers.get(report_id, (0, 0))
            if int(minutes or 0) > 0:
                walkers[report_id] = (count + 1, total + int(minutes))
        for incident in session.exec(
            select(Incident).where(Incident.report_id.in_(report_ids))  # type: ignore[attr-defined]
        ).all():
            incidents[incident.report_id][incident.category] += 1
        places = list(
            session.exec(
                select(UnsafePlace)
                .where(UnsafePlace.report_id.in_(report_ids))  # type: ignore[attr-defined]
                .order_by(UnsafePlace.reported_at, UnsafePlace.id)
            ).all()
        )
    places_per_report = Counter(place.report_id for place in places)

    total = Figures()
    by_month = {month: Figures() for month in months_between(start, end)}
    by_area: dict[int, Figures] = defaultdict(Figures)
    by_cell: dict[tuple[int, date], Figures] = defaultdict(Figures)
    evenings: dict[int, date] = {}
    for report, shift in pairs:
        evening = evening_of(shift.start_at)
        evenings[report.id] = evening  # type: ignore[index]
        count, minutes = walkers.get(report.id, (0, 0))  # type: ignore[arg-type]
        for figures in (
            total,
            by_month[evening.replace(day=1)],
            by_area[shift.area_id],
            by_cell[(shift.area_id, evening.replace(day=1))],
        ):
            figures.walks += 1
            figures.walkers += count
            figures.minutes += minutes
            figures.young_people += report.young_people_met
            figures.incidents.update(incidents.get(report.id, Counter()))  # type: ignore[arg-type]
            figures.places += places_per_report.get(report.id, 0)  # type: ignore[arg-type]
    return Situation(
        start=start,
        end=end,
        total=total,
        months=sorted(by_month.items()),
        areas=sorted(((areas[i], f) for i, f in by_area.items()), key=lambda p: p[0].name),
        cells=sorted(
            ((areas[a], m, f) for (a, m), f in by_cell.items()),
            key=lambda c: (c[0].name, c[1]),
        ),
        places=[(p, areas[p.area_id], evenings[p.report_id]) for p in places],
        places_by_status={
            status: sum(1 for p in places if p.status == status) for status in UnsafePlaceStatus
        },
    )


def export_header() -> list[str]:
    return [
        str(_l("Område")),
        str(_l("Månad")),
        str(_l("Vandringar")),
        str(_l("Vandrare")),
        str(_l("Timmar")),
        str(_l("Unga mötta")),
        str(_l("Incidenter")),
        *[str(CATEGORY_LABELS[c]) for c in IncidentCategory],
        str(_l("Otrygga platser")),
    ]


def _row(area_name: str, month: str, figures: Figures) -> list[object]:
    return [
        area_name,
        month,
        figures.walks,
        figures.walkers,
        figures.hours,
        figures.young_people,
        figures.incident_total,
        *[figures.incidents.get(c, 0) for c in IncidentCategory],
        figures.places,
    ]


def export_rows(situation: Situation) -> Iterator[list[object]]:
    """One row per area and month with approved walks, then a totals row."""
    for area, month, figures in situation.cells:
        yield _row(area.name, month.strftime("%Y-%m"), figures)
    yield _row(str(_l("Totalt")), "", situation.total)
