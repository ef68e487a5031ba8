"""Rows for the payout-run and hour-summary exports, read in batches and yielded one by one.

No walker names ever appear: a line or a month is about an association, with counts.
Every reader of a run's lines takes ``municipality_ids``: the municipalities whose lines the
viewer may see (``policy.line_scope``), None for all. Totals are summed over the same lines,
so a coordinator's page, export and totals never include another municipality's money.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from ..associations.models import Association
from ..clock import to_local, utcnow
from ..db import begin_transaction
from ..exports import ore_to_kronor
from ..formatting import decimal_hours_text, format_sek, hours
from ..i18n import _
from ..municipalities.models import Municipality
from . import explain, walks
from .exports import Statement
from .models import LineKind, PayoutLine, PayoutRun, RunStatus, Sponsor, SponsorAgreement

STREAM_BATCH = 1000


def run_header() -> tuple[str, ...]:
    """The run export's columns, in the reader's language."""
    return (
        _("Förening"),
        _("Organisationsnummer"),
        _("Kontotyp"),
        _("Kontonummer"),
        _("Typ"),
        _("Period från"),
        _("Period till"),
        _("Vandringar"),
        _("Vandrare"),
        _("Volontärtimmar"),
        _("Belopp (kr)"),
        _("Förklaring"),
        _("Status"),
    )


def status_label(status: str) -> str:
    """The last column of every run row: a draft says so on each row, so no copy of the
    file is mistaken for an approved payout."""
    labels = {"draft": _("UTKAST / DRAFT"), "approved": _("Godkänd"), "paid": _("Betald")}
    return labels.get(status, status)


def summary_header() -> tuple[str, ...]:
    return (
        _("Förening"),
        _("Organisationsnummer"),
        _("Kommun"),
        _("Månad"),
        _("Vandringar"),
        _("Vandrare"),
        _("Volontärtimmar"),
    )


ACCOUNT_LABELS = {"bankgiro": "Bankgiro", "plusgiro": "Plusgiro"}


def kind_label(kind: str) -> str:
    labels = {LineKind.PERIOD: _("Period"), LineKind.ADJUSTMENT: _("Justering för tidigare period")}
    return labels.get(kind, kind)  # type: ignore[call-overload]


def explanation(line: PayoutLine) -> str:
    """A line's explanation in the reader's language (from its stored details; lines
    stored before details existed keep their Swedish text)."""
    return explain.line_text(line.details, _) if line.details else line.explanation


#: The municipalities whose lines a reader sees; None: every line of the run.
Scope = Collection[int] | None


def _in_scope(query, scope: Scope):
    if scope is None:
        return query
    return query.where(col(PayoutLine.municipality_id).in_(list(scope)))


def _ordered_lines(run_id: int, scope: Scope):
    return _in_scope(select(PayoutLine).where(PayoutLine.run_id == run_id), scope).order_by(
        col(PayoutLine.association_name),
        col(PayoutLine.association_id),
        col(PayoutLine.kind).desc(),  # "period" before "adjustment"
        col(PayoutLine.covers_start),
    )


def run_lines(session: Session, run_id: int, *, municipality_ids: Scope = None) -> list[PayoutLine]:
    return list(session.exec(_ordered_lines(run_id, municipality_ids)).all())


def iter_run_lines(
    session: Session, run_id: int, *, municipality_ids: Scope = None
) -> Iterator[PayoutLine]:
    query = _ordered_lines(run_id, municipality_ids)
    begin_transaction(session)  # the server-side cursor's
    yield from session.exec(query.execution_options(yield_per=STREAM_BATCH))


@dataclass(frozen=True)
class RunTotals:
    walks: int
    walkers: int
    volunteer_minutes: int
    amount_ore: int


def run_totals(session: Session, run_id: int, *, municipality_ids: Scope = None) -> RunTotals:
    """Totals straight from the stored lines, so they always equal the sum of the lines."""
    query = select(
        func.coalesce(func.sum(PayoutLine.walks), 0),
        func.coalesce(func.sum(PayoutLine.walkers), 0),
        func.coalesce(func.sum(PayoutLine.volunteer_minutes), 0),
        func.coalesce(func.sum(PayoutLine.amount_ore), 0),
    ).where(PayoutLine.run_id == run_id)
    row = session.exec(_in_scope(query, municipality_ids)).one()
    return RunTotals(*(int(value) for value in row))


def account_label(line: PayoutLine | Association) -> str:
    kind = line.account_type
    return f"{ACCOUNT_LABELS.get(kind, kind)} {line.account_number}"


def run_row(line: PayoutLine, status: str = "") -> list[Any]:
    return [
        line.association_name,
        line.org_number,
        ACCOUNT_LABELS.get(line.account_type, line.account_type),
        line.account_number,
        kind_label(line.kind),
        line.covers_start,
        line.covers_end,
        line.walks,
        line.walkers,
        hours(line.volunteer_minutes),
        ore_to_kronor(line.amount_ore),
        explanation(line),
        status_label(status),
    ]


def run_rows(
    session: Session,
    run_id: int,
    totals: list[Any] | None = None,
    *,
    municipality_ids: Scope = None,
    status: str = "",
) -> Iterator[list[Any]]:
    """Export rows of a run; fills ``totals`` (if given) once the last row is out. The
    hours total adds the rows' rounded hours, so it is what Excel's SUM of the column gives."""
    walks_sum = walkers_sum = ore_sum = 0
    hours_sum = Decimal(0)
    for line in iter_run_lines(session, run_id, municipality_ids=municipality_ids):
        walks_sum += line.walks
        walkers_sum += line.walkers
        hours_sum += hours(line.volunteer_minutes)
        ore_sum += line.amount_ore
        yield run_row(line, status)
    if totals is not None:
        totals[:] = [
            _("Summa"),
            "",
            "",
            "",
            "",
            None,
            None,
            walks_sum,
            walkers_sum,
            hours_sum,
            ore_to_kronor(ore_sum),
            "",
            status_label(status),
        ]


@dataclass(frozen=True)
class Payee:
    name: str
    org_number: str
    municipality: str


def payees(session: Session, association_ids: Sequence[int]) -> dict[int, Payee]:
    """Name, organisation number and municipality of each association (small: one per row)."""
    if not association_ids:
        return {}
    rows = session.exec(
        select(Association.id, Association.name, Association.org_number, Municipality.name)
        .join(Municipality, col(Municipality.id) == Association.municipality_id)
        .where(col(Association.id).in_(list(association_ids)))
    ).all()
    return {row[0]: Payee(row[1], row[2], row[3]) for row in rows}  # type: ignore[misc]


def summary_rows(
    session: Session,
    *,
    association_ids: Sequence[int],
    start: date,
    end: date,
    municipality_ids: Sequence[int] | None,
    totals: list[Any] | None = None,
    agreement_ids: Sequence[int] | None = None,
) -> Iterator[list[Any]]:
    """Hour-summary rows (association × month), streamed; fills ``totals`` at the end (the
    hours total adds the rows' rounded hours, as Excel's SUM of the column does). Only the
    walks one of ``agreement_ids`` covers, when given."""
    names = payees(session, association_ids)
    walks_sum = visits_sum = 0
    hours_sum = Decimal(0)
    for figures in walks.monthly_figures(
        session,
        association_ids=association_ids,
        start=start,
        end=end,
        municipality_ids=municipality_ids,
        agreement_ids=agreement_ids,
    ):
        payee = names.get(figures.association_id) or Payee("?", "", "")
        walks_sum += figures.walks
        visits_sum += figures.walker_visits
        hours_sum += hours(figures.minutes)
        yield [
            payee.name,
            payee.org_number,
            payee.municipality,
            figures.month,
            figures.walks,
            figures.walker_visits,
            hours(figures.minutes),
        ]
    if totals is not None:
        totals[:] = [_("Summa"), "", "", None, walks_sum, visits_sum, hours_sum]


@dataclass(frozen=True)
class WalkRow:
    """One approved walk of a statement: paid (``reason`` empty) or why not."""

    evening: date
    walkers: int
    minutes: int
    reason: str  # Swedish, empty when the walk counts


def walk_rows(session: Session, run: PayoutRun, association_id: int) -> list[WalkRow]:
    """The association's approved walks in the run's period, as the run saw them (ledger
    before its cutoff), each with whether it counts under the terms of its evening."""
    from .earnings import LONE, WAITING, earned, weekend_standing
    from .rules import REASON_LONE_EVENING, REASON_WAITING_FRIDAY
    from .services_membership import coverage, members
    from .services_runs import earnings_start
    from .services_terms import versions

    agreement = session.get(SponsorAgreement, run.agreement_id)
    assert agreement is not None
    # From the evening before the period: a Saturday on its first day may complete the
    # weekend of a Friday the previous run left waiting.
    day_before = run.period_start - timedelta(days=1)
    found = walks.approved_walks(
        session,
        association_ids=[association_id],
        start=day_before,
        end=run.period_end,
        recorded_before=run.cutoff_at,
    ).get(association_id, [])
    enrolled = members(session, agreement.id, association_ids=[association_id])  # type: ignore[arg-type]
    result = earned(
        versions(session, agreement),
        found,
        term_start=max(day_before, earnings_start(agreement)),
        term_end=agreement.valid_to,
        up_to=run.period_end,
        coverage=coverage(session, agreement.id),  # type: ignore[arg-type]
        enrolled=enrolled[0][1] if enrolled else (),
    )
    reasons = dict(result.excluded)
    # Evenings that count but earn nothing themselves (a weekend rule's lone evenings), as
    # of the run's line, which ends where the agreement does if that is sooner.
    last_day = min(run.period_end, agreement.valid_to)
    weekend_reasons = {LONE: REASON_LONE_EVENING, WAITING: REASON_WAITING_FRIDAY}
    unpaid = {
        evening.day: weekend_reasons[standing]
        for evening in result.evenings
        if (standing := weekend_standing(evening, last_day))
    }
    return [
        WalkRow(
            walk.evening,
            len(walk.walkers),
            sum(w.minutes for w in walk.walkers),
            reasons.get(walk.walk_id) or unpaid.get(walk.evening, ""),
        )
        for walk in sorted(found, key=lambda w: (w.start, w.walk_id))
        if walk.evening >= run.period_start
    ]


def statements(
    session: Session,
    run: PayoutRun,
    *,
    association_id: int | None = None,
    municipality_ids: Scope = None,
) -> list[Statement]:
    """One statement per association of the run (or just ``association_id``)."""
    agreement = session.get(SponsorAgreement, run.agreement_id)
    sponsor = session.get(Sponsor, run.sponsor_id)
    assert agreement is not None and sponsor is not None
    grouped: dict[int, list[PayoutLine]] = {}
    for line in run_lines(session, run.id, municipality_ids=municipality_ids):  # type: ignore[arg-type]
        if association_id is None or line.association_id == association_id:
            grouped.setdefault(line.association_id, []).append(line)
    result = []
    for lines in grouped.values():
        first = lines[0]
        amount = sum(line.amount_ore for line in lines)
        period = [line for line in lines if line.kind == LineKind.PERIOD]
        walks_count = sum(line.walks for line in period)
        walkers = sum(line.walkers for line in period)
        minutes = sum(line.volunteer_minutes for line in period)
        facts = [
            (_("Godkända vandringar"), str(walks_count)),
            (_("Vandrare (summa per vandring)"), str(walkers)),
            (_("Volontärtimmar"), decimal_hours_text(minutes)),
        ]
        for line in lines:
            if line.kind == LineKind.PERIOD:
                label = _(
                    "Ersättning %(start)s – %(end)s",
                    start=line.covers_start.isoformat(),
                    end=line.covers_end.isoformat(),
                )
            elif line.amount_ore < 0:
                label = _("Avdrag för tidigare perioder")
            else:
                label = _("Justering för tidigare perioder")
            facts.append((label, format_sek(line.amount_ore)))
        listed = [
            (
                row.evening.isoformat(),
                str(row.walkers),
                decimal_hours_text(row.minutes),
                explain.reason_text(row.reason, _),
            )
            for row in walk_rows(session, run, first.association_id)
        ]
        result.append(
            Statement(
                association_name=first.association_name,
                org_number=first.org_number,
                account_label=account_label(first),
                period_label=f"{run.period_start.isoformat()} – {run.period_end.isoformat()}",
                lines=facts,
                explanation="\n".join(explanation(line) for line in lines),
                amount_ore=amount,
                sponsor_name=sponsor.name,
                run_label=_(
                    "%(agreement)s, utbetalning nr %(id)s", agreement=agreement.name, id=run.id
                ),
                draft=run.status == RunStatus.DRAFT,
                issued_on=to_local(utcnow()).date(),
                agreement_name=agreement.name,
                walks=listed,
            )
        )
    return result
