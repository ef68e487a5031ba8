"""The one adapter between sponsorship and the reports area's hours ledger.

Every read of approved walks goes through here, so a change in ``reports.queries`` (or the
ledger table) is fixed in one place. Walker ages are the age reached in the year of the
evening (``evening.year - birth_year``); names never leave the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, or_
from sqlmodel import Session, col, func, select

from ..db import begin_transaction
from ..reports import queries
from ..reports.models import HoursLedgerEntry
from .models import AgreementAssociation, AgreementMunicipality, SponsorAgreement
from .rules import ApprovedWalk, Walker

#: Rows fetched per round trip when streaming the monthly summary.
STREAM_BATCH = 500


def to_approved_walk(facts: queries.WalkFacts) -> ApprovedWalk:
    """Convert the reports area's ``WalkFacts`` to the rules' ``ApprovedWalk``."""
    year = facts.evening.year
    return ApprovedWalk(
        walk_id=facts.report_id,
        start=facts.start_at,
        end=facts.end_at,
        municipality_id=facts.municipality_id,
        walkers=tuple(
            Walker(age=None if birth is None else max(0, year - birth), minutes=minutes)
            for birth, minutes in facts.walkers
        ),
    )


def approved_walks(
    session: Session,
    *,
    association_ids: Iterable[int],
    start: date,
    end: date,
    recorded_before: datetime | None,
) -> dict[int, list[ApprovedWalk]]:
    """Approved walks per association whose evening lies in ``start..end`` (inclusive)."""
    ids = list(association_ids)
    if not ids:
        return {}
    found = queries.approved_walks(
        session, association_ids=ids, start=start, end=end, recorded_before=recorded_before
    )
    return {assoc_id: [to_approved_walk(f) for f in walks] for assoc_id, walks in found.items()}


@dataclass(frozen=True)
class MonthFigures:
    association_id: int
    month: date  # first day of the month
    walks: int
    walker_visits: int
    minutes: int


def _month_totals_query(
    association_ids: list[int],
    start: date,
    end: date,
    municipality_ids: list[int] | None,
    recorded_before: datetime | None,
    dialect: str,
    agreement_ids: list[int] | None = None,
):
    """Per association and month: (walks, walker visits, minutes), ordered for streaming.

    Walkers are summed over their ledger entries first; those corrected down to zero (or
    below) are left out, and so is a walk with no walker left, as in ``reports.queries``.
    """
    total = func.sum(HoursLedgerEntry.minutes)
    per_walker = select(
        col(HoursLedgerEntry.association_id),
        col(HoursLedgerEntry.evening),
        col(HoursLedgerEntry.report_id),
        total.label("minutes"),
    ).where(
        col(HoursLedgerEntry.association_id).in_(association_ids),
        HoursLedgerEntry.evening >= start,
        HoursLedgerEntry.evening <= end,
    )
    if municipality_ids is not None:
        per_walker = per_walker.where(col(HoursLedgerEntry.municipality_id).in_(municipality_ids))
    if recorded_before is not None:
        per_walker = per_walker.where(HoursLedgerEntry.created_at < recorded_before)
    if agreement_ids is not None:
        per_walker = per_walker.where(covered_by(agreement_ids))
    walker = (
        per_walker.group_by(
            col(HoursLedgerEntry.association_id),
            col(HoursLedgerEntry.evening),
            col(HoursLedgerEntry.report_id),
            col(HoursLedgerEntry.walker_id),
        )
        .having(total > 0)
        .subquery()
    )
    month = _month_start(walker.c.evening, dialect)
    return (
        select(  # type: ignore[call-overload]  # sqlmodel types up to 4 entities
            walker.c.association_id,
            month.label("month"),
            func.count(func.distinct(walker.c.report_id)),
            func.count(),
            func.sum(walker.c.minutes),
        )
        .group_by(walker.c.association_id, month)
        .order_by(walker.c.association_id, month)
    )


def covered_by(agreement_ids: list[int]):
    """SQL: the ledger row's walk counts for one of ``agreement_ids``: its evening lies in
    the agreement's validity, and the agreement enrolled its association and covered its
    municipality that evening (the periods of ``membership``)."""
    evening = HoursLedgerEntry.evening
    enrolled, covered = AgreementAssociation, AgreementMunicipality
    return exists(
        select(SponsorAgreement.id)
        .join(enrolled, col(enrolled.agreement_id) == SponsorAgreement.id)
        .join(covered, col(covered.agreement_id) == SponsorAgreement.id)
        .where(
            col(SponsorAgreement.id).in_(agreement_ids),
            SponsorAgreement.valid_from <= evening,
            SponsorAgreement.valid_to >= evening,
            enrolled.association_id == HoursLedgerEntry.association_id,
            enrolled.joined_on <= evening,
            or_(col(enrolled.left_on).is_(None), col(enrolled.left_on) > evening),
            covered.municipality_id == HoursLedgerEntry.municipality_id,
            or_(col(covered.covered_from).is_(None), col(covered.covered_from) <= evening),
            or_(col(covered.covered_until).is_(None), col(covered.covered_until) > evening),
        )
    )


def _month_start(column, dialect: str):
    """SQL for the first day of the column's month (text on SQLite, a timestamp elsewhere)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-01", column)
    return func.date_trunc("month", column)


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def monthly_figures(
    session: Session,
    *,
    association_ids: Iterable[int],
    start: date,
    end: date,
    municipality_ids: Iterable[int] | None = None,
    recorded_before: datetime | None = None,
    agreement_ids: Iterable[int] | None = None,
) -> Iterator[MonthFigures]:
    """Stream walks, walker visits and minutes per association and month; only the walks
    one of ``agreement_ids`` covers when given (``covered_by``).

    The same figures as ``reports.queries.hours_by_association_month`` (walkers corrected
    down to zero are left out), but aggregated by the database and read in batches
    (``yield_per``, a server-side cursor on PostgreSQL), so memory stays flat however large
    the region and the period.
    """
    ids = list(association_ids)
    if not ids:
        return
    query = _month_totals_query(
        ids,
        start,
        end,
        None if municipality_ids is None else list(municipality_ids),
        recorded_before,
        session.get_bind().dialect.name,
        None if agreement_ids is None else list(agreement_ids),
    )
    begin_transaction(session)  # the server-side cursor's
    result = session.exec(query.execution_options(yield_per=STREAM_BATCH))
    for assoc_id, month, walks, visits, minutes in result:
        yield MonthFigures(assoc_id, _as_date(month), int(walks), int(visits), int(minutes))
