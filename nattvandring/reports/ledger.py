"""The append-only hours ledger: approval entries, correction entries, totals and history.

Nothing here updates or deletes a ledger row. A walker's hours on a report are the sum of
their entries; a correction writes the signed difference between the new and the current
total, with who and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from ..accounts.models import User
from ..clock import utcnow
from ..db import is_sqlite
from ..planning.models import Shift
from ..planning.schedule import evening_of
from .models import HoursLedgerEntry, LedgerKind, PatrolReport, ReportWalker


def _entry(
    report: PatrolReport,
    shift: Shift,
    walker: ReportWalker,
    *,
    minutes: int,
    kind: LedgerKind,
    reason: str,
    actor_id: int | None,
    birth_year: int | None,
    at: datetime,
) -> HoursLedgerEntry:
    assert walker.id is not None and report.id is not None and shift.id is not None
    return HoursLedgerEntry(
        report_id=report.id,
        walker_id=walker.id,
        shift_id=shift.id,
        association_id=report.association_id,
        municipality_id=report.municipality_id,
        user_id=walker.user_id,
        evening=evening_of(shift.start_at),
        minutes=minutes,
        walker_birth_year=birth_year,
        kind=kind,
        reason=reason[:500],
        created_by_id=actor_id,
        created_at=at,
    )


def _recording_time(session: Session) -> datetime:
    """The time a new entry is recorded at, read once no payout run is choosing its cutoff.

    A run counts the entries recorded before its cutoff (``hold_recording``). An entry stamped
    before a cutoff but committed after the run read the ledger would be left out of the run
    and yet listed in its statement. On PostgreSQL the ledger's ROW EXCLUSIVE lock, taken
    before the stamp, conflicts with the run's SHARE lock; on SQLite every write transaction
    is exclusive already (``BEGIN IMMEDIATE``)."""
    _lock_ledger(session, "ROW EXCLUSIVE")
    return utcnow()


def hold_recording(session: Session) -> None:
    """Before a payout run chooses its cutoff: wait for entries being recorded to commit, and
    keep new ones from being stamped until this transaction ends (``_recording_time``)."""
    _lock_ledger(session, "SHARE")


def _lock_ledger(session: Session, mode: str) -> None:
    if not is_sqlite(session):
        table = HoursLedgerEntry.__tablename__
        session.connection().exec_driver_sql(f"LOCK TABLE {table} IN {mode} MODE")


def _birth_year(session: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return user.birth_year if user else None


def record_approval(
    session: Session,
    report: PatrolReport,
    shift: Shift,
    walkers: list[ReportWalker],
    *,
    actor_id: int | None,
) -> list[HoursLedgerEntry]:
    """One approval entry per walker with their computed minutes."""
    now = _recording_time(session)
    entries = [
        _entry(
            report,
            shift,
            walker,
            minutes=walker.minutes,
            kind=LedgerKind.APPROVAL,
            reason="",
            actor_id=actor_id,
            birth_year=_birth_year(session, walker.user_id),
            at=now,
        )
        for walker in walkers
    ]
    session.add_all(entries)
    session.flush()
    return entries


def record_correction(
    session: Session,
    report: PatrolReport,
    shift: Shift,
    walker: ReportWalker,
    *,
    delta: int,
    reason: str,
    actor_id: int | None,
) -> HoursLedgerEntry:
    """A signed adjustment for one walker. The birth year is the one first recorded."""
    earlier = session.exec(
        select(HoursLedgerEntry.walker_birth_year)
        .where(HoursLedgerEntry.walker_id == walker.id)
        .order_by(col(HoursLedgerEntry.id))
    ).first()
    birth_year = earlier if earlier is not None else _birth_year(session, walker.user_id)
    entry = _entry(
        report,
        shift,
        walker,
        minutes=delta,
        kind=LedgerKind.CORRECTION,
        reason=reason,
        actor_id=actor_id,
        birth_year=birth_year,
        at=_recording_time(session),
    )
    session.add(entry)
    session.flush()
    return entry


def walker_totals(session: Session, report_id: int) -> dict[int, int]:
    """walker_id -> current minutes (sum of the walker's entries) on one report."""
    rows = session.exec(
        select(HoursLedgerEntry.walker_id, func.sum(HoursLedgerEntry.minutes))
        .where(HoursLedgerEntry.report_id == report_id)
        .group_by(col(HoursLedgerEntry.walker_id))
    ).all()
    return {walker_id: int(total or 0) for walker_id, total in rows}


def report_total(session: Session, report_id: int) -> int:
    return sum(walker_totals(session, report_id).values())


@dataclass(frozen=True)
class HistoryLine:
    entry: HoursLedgerEntry
    walker_name: str
    actor_name: str
    running_total: int  # the report's total right after this entry


def history(session: Session, report_id: int) -> list[HistoryLine]:
    """Every entry of a report in order, with names for display and the running total."""
    entries = session.exec(
        select(HoursLedgerEntry)
        .where(HoursLedgerEntry.report_id == report_id)
        .order_by(col(HoursLedgerEntry.created_at), col(HoursLedgerEntry.id))
    ).all()
    ids = {e.user_id for e in entries} | {e.created_by_id for e in entries}
    ids.discard(None)
    names = {
        user.id: user.name for user in session.exec(select(User).where(col(User.id).in_(ids))).all()
    }
    lines, running = [], 0
    for entry in entries:
        running += entry.minutes
        lines.append(
            HistoryLine(
                entry=entry,
                walker_name=names.get(entry.user_id, "") if entry.user_id else "",
                actor_name=names.get(entry.created_by_id, "") if entry.created_by_id else "",
                running_total=running,
            )
        )
    return lines


def totals_by_walker_user(session: Session, report_ids: list[int]) -> dict[int, dict[int, int]]:
    """report_id -> {walker_id: minutes}, for several reports at once."""
    result: dict[int, dict[int, int]] = defaultdict(dict)
    if not report_ids:
        return result
    rows = session.exec(
        select(
            HoursLedgerEntry.report_id,
            HoursLedgerEntry.walker_id,
            func.sum(HoursLedgerEntry.minutes),
        )
        .where(col(HoursLedgerEntry.report_id).in_(report_ids))
        .group_by(col(HoursLedgerEntry.report_id), col(HoursLedgerEntry.walker_id))
    ).all()
    for report_id, walker_id, total in rows:
        result[report_id][walker_id] = int(total or 0)
    return result
