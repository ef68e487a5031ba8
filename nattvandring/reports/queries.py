"""Read-only facts from the hours ledger, for payouts (sponsorship) and overviews.

Only approved hours exist in the ledger; every figure here is a sum over its entries, so a
correction after approval shows up as soon as it is recorded, and a payout can be reproduced
later by passing the ``recorded_before`` cutoff it was computed with. Erasing a person leaves
every figure unchanged (the ledger keeps the walker's birth year, not their name).

API for the sponsorship area:

``approved_walks(session, *, association_ids, start, end, recorded_before=None)``
    -> ``{association_id: [WalkFacts, ...]}`` ordered by shift start. One ``WalkFacts`` per
    approved report whose evening (local start date of the shift) lies in ``start..end``
    (both included). ``walkers`` holds one ``(birth_year | None, minutes)`` per walker with a
    positive total; walkers corrected down to 0 minutes are left out, and a walk with no
    walker left is left out. Only entries with ``created_at < recorded_before`` count.

``hours_by_association_month(session, *, association_ids, start, end, recorded_before=None,
area_id=None)`` -> ``[AssociationMonth, ...]`` ordered by association and month: walks,
    walker visits (walker-walks) and minutes per association and calendar month of the evening.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from ..planning.models import Shift
from .models import HoursLedgerEntry


@dataclass(frozen=True)
class WalkFacts:
    report_id: int
    shift_id: int
    association_id: int
    municipality_id: int
    area_id: int
    evening: date
    start_at: datetime  # the shift's start, aware UTC
    end_at: datetime  # the shift's end, aware UTC
    walkers: list[tuple[int | None, int]]  # (birth_year or None, minutes), one per walker

    @property
    def walker_count(self) -> int:
        return len(self.walkers)

    @property
    def minutes(self) -> int:
        return sum(minutes for _, minutes in self.walkers)


@dataclass(frozen=True)
class AssociationMonth:
    association_id: int
    month: date  # the first day of the month
    walks: int
    walker_visits: int
    minutes: int


def _walker_sums(
    session: Session,
    *,
    association_ids: Iterable[int] | None,
    start: date,
    end: date,
    recorded_before: datetime | None,
    municipality_ids: Iterable[int] | None = None,
    area_id: int | None = None,
    user_id: int | None = None,
):
    """Rows (report, shift, association, municipality, walker, birth year, minutes)."""
    first_birth_year = func.max(HoursLedgerEntry.walker_birth_year)
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel types up to 4 entities
            col(HoursLedgerEntry.report_id),
            col(HoursLedgerEntry.shift_id),
            col(HoursLedgerEntry.association_id),
            col(HoursLedgerEntry.municipality_id),
            col(HoursLedgerEntry.walker_id),
            col(HoursLedgerEntry.evening),
            first_birth_year,
            func.sum(col(HoursLedgerEntry.minutes)),
        )
        .where(HoursLedgerEntry.evening >= start, HoursLedgerEntry.evening <= end)
        .group_by(
            HoursLedgerEntry.report_id,
            HoursLedgerEntry.shift_id,
            HoursLedgerEntry.association_id,
            HoursLedgerEntry.municipality_id,
            HoursLedgerEntry.walker_id,
            HoursLedgerEntry.evening,
        )
    )
    if association_ids is not None:
        query = query.where(col(HoursLedgerEntry.association_id).in_(list(association_ids)))
    if municipality_ids is not None:
        query = query.where(col(HoursLedgerEntry.municipality_id).in_(list(municipality_ids)))
    if recorded_before is not None:
        query = query.where(HoursLedgerEntry.created_at < recorded_before)
    if user_id is not None:
        query = query.where(HoursLedgerEntry.user_id == user_id)
    if area_id is not None:
        query = query.join(Shift, Shift.id == HoursLedgerEntry.shift_id).where(
            Shift.area_id == area_id
        )
    return session.exec(query).all()


def approved_walks(
    session: Session,
    *,
    association_ids: Iterable[int],
    start: date,
    end: date,
    recorded_before: datetime | None = None,
) -> dict[int, list[WalkFacts]]:
    """Approved walks per association with each walker's birth year and minutes."""
    rows = _walker_sums(
        session,
        association_ids=list(association_ids),
        start=start,
        end=end,
        recorded_before=recorded_before,
    )
    per_report: dict[int, list] = defaultdict(list)
    heads: dict[int, tuple[int, int, int, date]] = {}
    for report_id, shift_id, assoc_id, muni_id, walker_id, evening, birth, minutes in rows:
        heads[report_id] = (shift_id, assoc_id, muni_id, evening)
        if int(minutes or 0) > 0:
            per_report[report_id].append((walker_id, birth, int(minutes)))
    shifts = {
        shift.id: shift
        for shift in session.exec(
            select(Shift).where(col(Shift.id).in_({h[0] for h in heads.values()}))
        ).all()
    }
    result: dict[int, list[WalkFacts]] = defaultdict(list)
    for report_id, walkers in per_report.items():
        shift_id, assoc_id, muni_id, evening = heads[report_id]
        shift = shifts[shift_id]
        result[assoc_id].append(
            WalkFacts(
                report_id=report_id,
                shift_id=shift_id,
                association_id=assoc_id,
                municipality_id=muni_id,
                area_id=shift.area_id,
                evening=evening,
                start_at=shift.start_at,
                end_at=shift.end_at,
                walkers=[(birth, minutes) for _, birth, minutes in sorted(walkers)],
            )
        )
    for walks in result.values():
        walks.sort(key=lambda walk: (walk.start_at, walk.report_id))
    return dict(result)


def hours_by_association_month(
    session: Session,
    *,
    association_ids: Iterable[int] | None,
    start: date,
    end: date,
    recorded_before: datetime | None = None,
    municipality_ids: Iterable[int] | None = None,
    area_id: int | None = None,
) -> list[AssociationMonth]:
    """Walks, walker visits and minutes per association and month (``None`` ids = all)."""
    rows = _walker_sums(
        session,
        association_ids=None if association_ids is None else list(association_ids),
        municipality_ids=None if municipality_ids is None else list(municipality_ids),
        start=start,
        end=end,
        recorded_before=recorded_before,
        area_id=area_id,
    )
    walks: dict[tuple[int, date], set[int]] = defaultdict(set)
    visits: dict[tuple[int, date], int] = defaultdict(int)
    minutes_sum: dict[tuple[int, date], int] = defaultdict(int)
    for report_id, _shift, assoc_id, _muni, _walker, evening, _birth, minutes in rows:
        total = int(minutes or 0)
        if total <= 0:
            continue
        key = (assoc_id, evening.replace(day=1))
        walks[key].add(report_id)
        visits[key] += 1
        minutes_sum[key] += total
    result = []
    for key in sorted(walks):
        assoc_id, month = key
        result.append(
            AssociationMonth(assoc_id, month, len(walks[key]), visits[key], minutes_sum[key])
        )
    return result


def user_walks(session: Session, user_id: int) -> list[tuple[int, date, int]]:
    """A person's approved walks: (report_id, evening, minutes), newest first."""
    rows = session.exec(
        select(
            col(HoursLedgerEntry.report_id),
            col(HoursLedgerEntry.evening),
            func.sum(col(HoursLedgerEntry.minutes)),
        )
        .where(HoursLedgerEntry.user_id == user_id)
        .group_by(col(HoursLedgerEntry.report_id), col(HoursLedgerEntry.evening))
    ).all()
    walks = [(rid, evening, int(m or 0)) for rid, evening, m in rows if int(m or 0) > 0]
    return sorted(walks, key=lambda w: (w[1], w[0]), reverse=True)
