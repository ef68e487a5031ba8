"""Payout runs: compute lines from the ledger, approve (freeze) and mark paid.

A run covers one agreement and period. Lines are computed from approved walks recorded
before the run's ``cutoff_at``. Approval freezes them for good; a report corrected later
changes the ledger, never an approved line, and the next run pays (or deducts) the
difference for the earlier period in an adjustment line "Justering för tidigare period":
the rule over that period with the new ledger minus what was already paid for it.

Cap per association and year (the year of the period's first day) and the agreement
budget count everything in approved and paid runs plus the lines computed so far in this
run; associations are taken in name order, adjustments before the period itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlmodel import Session, col, select

from .. import dates
from ..associations.models import Association
from ..clock import utcnow
from ..errors import RuleViolation
from ..formatting import format_sek
from ..i18n import _l
from . import walks
from .models import COMMITTED, LineKind, PayoutLine, PayoutRun, RunStatus, SponsorAgreement
from .rules import ApprovedWalk, PaymentRule, RuleResult, apply_limits, evaluate
from .services_agreements import agreement_rule, committed_ore, enrolments, municipality_ids

log = logging.getLogger(__name__)

ADJUSTMENT_LABEL = "Justering för tidigare period"


@dataclass
class _Limits:
    cap: int | None
    budget_left: int | None
    paid_by_year: dict[tuple[int, int], int]

    def take(self, association_id: int, year: int, amount: int) -> tuple[int, str | None]:
        if amount <= 0:
            payable, note = amount, None
        else:
            payable, note = apply_limits(
                amount,
                cap_per_year_ore=self.cap,
                already_paid_this_year_ore=max(0, self.paid_by_year[(association_id, year)]),
                budget_left_ore=self.budget_left,
            )
        self.paid_by_year[(association_id, year)] += payable
        if self.budget_left is not None:
            self.budget_left -= payable
        return payable, note


def _clip(agreement: SponsorAgreement, start: date, end: date) -> tuple[date, date] | None:
    first, last = max(start, agreement.valid_from), min(end, agreement.valid_to)
    return (first, last) if first <= last else None


def _period_label(start: date, end: date) -> str:
    return f"{start.isoformat()}–{end.isoformat()}"


def create_run(
    session: Session,
    *,
    agreement: SponsorAgreement,
    period_start: date,
    period_end: date,
    actor_id: int | None,
) -> PayoutRun:
    dates.check_day(period_start, field="period_start")
    dates.check_day(period_end, field="period_end")
    if period_end < period_start:
        raise RuleViolation(
            "period_invalid", _l("Slutdatum ligger före startdatum."), field="period_end"
        )
    if _clip(agreement, period_start, period_end) is None:
        raise RuleViolation(
            "outside_agreement",
            _l("Perioden ligger utanför avtalets giltighetstid."),
            field="period_start",
        )
    _lock(session, agreement)
    overlapping = session.exec(
        select(PayoutRun.id).where(
            PayoutRun.agreement_id == agreement.id,
            PayoutRun.period_start <= period_end,
            PayoutRun.period_end >= period_start,
        )
    ).first()
    if overlapping is not None:
        raise RuleViolation(
            "overlapping_run",
            _l("Perioden överlappar en annan utbetalning för samma avtal."),
            field="period_start",
        )
    run = PayoutRun(
        agreement_id=agreement.id,  # type: ignore[arg-type]
        sponsor_id=agreement.sponsor_id,
        period_start=period_start,
        period_end=period_end,
        cutoff_at=utcnow(),
        created_by_id=actor_id,
    )
    session.add(run)
    session.flush()
    _compute(session, run, agreement)
    log.info("payout run %s created for agreement %s", run.id, agreement.id)
    return run


def recompute(session: Session, *, run: PayoutRun, agreement: SponsorAgreement) -> PayoutRun:
    """Compute a draft again from the ledger as it is now."""
    _require_status(run, RunStatus.DRAFT)
    _lock(session, agreement)
    for line in session.exec(select(PayoutLine).where(PayoutLine.run_id == run.id)).all():
        session.delete(line)
    session.flush()
    run.cutoff_at = utcnow()
    session.add(run)
    _compute(session, run, agreement)
    return run


def approve(
    session: Session, *, run: PayoutRun, agreement: SponsorAgreement, actor_id: int
) -> None:
    """Freeze the run. Refused if another run was approved after this one was computed."""
    _require_status(run, RunStatus.DRAFT)
    _lock(session, agreement)
    newer = session.exec(
        select(PayoutRun.id).where(
            PayoutRun.agreement_id == agreement.id,
            PayoutRun.id != run.id,
            PayoutRun.approved_at.is_not(None),  # type: ignore[union-attr]
            PayoutRun.approved_at > run.cutoff_at,  # type: ignore[operator]
        )
    ).first()
    if newer is not None:
        raise RuleViolation(
            "stale_run",
            _l("En annan utbetalning har godkänts sedan beräkningen. Räkna om först."),
        )
    run.status = RunStatus.APPROVED
    run.approved_at = utcnow()
    run.approved_by_id = actor_id
    session.add(run)
    session.flush()
    log.info("payout run %s approved", run.id)


def mark_paid(session: Session, *, run: PayoutRun, paid_on: date, reference: str) -> None:
    _require_status(run, RunStatus.APPROVED)
    if not reference.strip():
        raise RuleViolation("reference_required", _l("Ange betalningsreferens."), field="reference")
    dates.check_day(paid_on, field="paid_on")
    run.status = RunStatus.PAID
    run.paid_on = paid_on
    run.payment_reference = reference.strip()
    session.add(run)
    session.flush()


def delete_draft(session: Session, *, run: PayoutRun) -> None:
    _require_status(run, RunStatus.DRAFT)
    for line in session.exec(select(PayoutLine).where(PayoutLine.run_id == run.id)).all():
        session.delete(line)
    session.delete(run)
    session.flush()


def _require_status(run: PayoutRun, status: RunStatus) -> None:
    if run.status != status:
        raise RuleViolation(
            "run_status",
            _l("Utbetalningen är redan godkänd och kan inte ändras.")
            if status == RunStatus.DRAFT
            else _l("Utbetalningen måste vara godkänd innan den markeras som betald."),
        )


def _lock(session: Session, agreement: SponsorAgreement) -> None:
    session.exec(
        select(SponsorAgreement.id).where(SponsorAgreement.id == agreement.id).with_for_update()
    ).first()


def _committed_lines(session: Session, agreement_id: int, exclude_run_id: int):  # type: ignore[no-untyped-def]
    return session.exec(
        select(PayoutLine, PayoutRun)
        .join(PayoutRun, PayoutRun.id == PayoutLine.run_id)
        .where(
            PayoutRun.agreement_id == agreement_id,
            col(PayoutRun.status).in_(COMMITTED),
            PayoutRun.id != exclude_run_id,
        )
    ).all()


def _compute(session: Session, run: PayoutRun, agreement: SponsorAgreement) -> None:
    rule = agreement_rule(agreement)
    covered = set(municipality_ids(session, agreement.id))  # type: ignore[arg-type]
    enrolled = enrolments(session, agreement.id)  # type: ignore[arg-type]
    ids = [assoc.id for _, assoc in enrolled]
    paid_by_year: dict[tuple[int, int], int] = defaultdict(int)
    paid_for: dict[tuple[int, date, date], int] = defaultdict(int)
    counted_for: dict[tuple[int, date, date], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    earlier: dict[tuple[date, date], tuple[date, date]] = {}
    for line, earlier_run in _committed_lines(session, agreement.id, run.id):  # type: ignore[arg-type]
        paid_by_year[(line.association_id, line.covers_start.year)] += line.amount_ore
        key = (line.association_id, line.covers_start, line.covers_end)
        paid_for[key] += line.amount_ore
        for i, value in enumerate(
            (line.walks, line.walks_considered, line.walkers, line.volunteer_minutes)
        ):
            counted_for[key][i] += value
        span = (earlier_run.period_start, earlier_run.period_end)
        clipped = _clip(agreement, *span)
        if clipped is not None:
            earlier[span] = clipped
    budget_left = None
    if agreement.budget_ore is not None:
        budget_left = agreement.budget_ore - committed_ore(
            session,
            agreement.id,
            exclude_run_id=run.id,  # type: ignore[arg-type]
        )
    limits = _Limits(agreement.cap_per_association_year_ore, budget_left, paid_by_year)
    current = _clip(agreement, run.period_start, run.period_end)
    assert current is not None
    walks_now = walks.approved_walks(
        session,
        association_ids=ids,
        start=current[0],
        end=current[1],
        recorded_before=run.cutoff_at,
    )
    walks_before = {
        span: walks.approved_walks(
            session,
            association_ids=ids,
            start=clipped[0],
            end=clipped[1],
            recorded_before=run.cutoff_at,
        )
        for span, clipped in sorted(earlier.items())
    }
    for enrolment, assoc in enrolled:
        result = partial(_evaluate_for, rule, covered, assoc.id, enrolment.joined_on)
        for span, clipped in sorted(earlier.items()):
            res = result(walks_before[span], *clipped)
            paid = paid_for[(assoc.id, span[0], span[1])]  # type: ignore[index]
            delta = res.amount_ore - paid
            if delta == 0:
                continue
            payable, note = limits.take(assoc.id, span[0].year, delta)  # type: ignore[arg-type]
            if payable == 0:
                continue
            text = (
                f"{ADJUSTMENT_LABEL} {_period_label(*span)}: {res.explanation} = "
                f"{format_sek(res.amount_ore)}, tidigare utbetalt {format_sek(paid)}"
            )
            before = counted_for[(assoc.id, span[0], span[1])]  # type: ignore[index]
            figures = (
                res.qualifying_walks - before[0],
                res.walks_considered - before[1],
                res.walkers - before[2],
                res.volunteer_minutes - before[3],
            )
            _add_line(
                session, run, assoc, LineKind.ADJUSTMENT, span, res, payable, text, note, figures
            )
        res = result(walks_now, *current)
        payable, note = limits.take(assoc.id, run.period_start.year, res.amount_ore)  # type: ignore[arg-type]
        span = (run.period_start, run.period_end)
        figures = (res.qualifying_walks, res.walks_considered, res.walkers, res.volunteer_minutes)
        _add_line(
            session,
            run,
            assoc,
            LineKind.PERIOD,
            span,
            res,
            payable,
            res.explanation,
            note,
            figures,
        )
    session.flush()


def _evaluate_for(
    rule: PaymentRule,
    covered: set[int],
    association_id: int,
    joined_on: date,
    found: dict[int, list[ApprovedWalk]],
    first: date,
    last: date,
) -> RuleResult:
    return evaluate(
        rule,
        found.get(association_id, []),
        period_start=first,
        period_end=last,
        municipality_ids=covered,
        enrolled_from=joined_on,
    )


def _add_line(
    session: Session,
    run: PayoutRun,
    assoc: Association,
    kind: LineKind,
    span: tuple[date, date],
    res: RuleResult,
    payable: int,
    text: str,
    note: str | None,
    figures: tuple[int, int, int, int],
) -> None:
    """Store a line; ``figures`` are walks, considered, walkers, minutes (adjustments: the
    change against what earlier lines for that period recorded)."""
    if note:
        text = f"{text}; {note} (beräknat {format_sek(res.amount_ore)})"
    session.add(
        PayoutLine(
            run_id=run.id,  # type: ignore[arg-type]
            association_id=assoc.id,  # type: ignore[arg-type]
            kind=kind,
            covers_start=span[0],
            covers_end=span[1],
            walks=figures[0],
            walks_considered=figures[1],
            walkers=figures[2],
            volunteer_minutes=figures[3],
            rule_amount_ore=res.amount_ore,
            amount_ore=payable,
            explanation=text[:1000],
            association_name=assoc.name,
            org_number=assoc.org_number,
            account_type=assoc.account_type,
            account_number=assoc.account_number,
            municipality_id=assoc.municipality_id,
        )
    )
