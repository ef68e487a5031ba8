"""Payout runs: compute lines from the ledger, approve (freeze) and mark paid.

A run covers one agreement and period. Lines are computed from approved walks recorded
before the run's ``cutoff_at``. Approval freezes them for good; a report corrected later
changes the ledger, never an approved line, and the next run pays (or deducts) the
difference for the earlier period in an adjustment line "Justering för tidigare period":
the rule over that period with the new ledger minus what was already paid for it.

What a run pays is worked out by ``settlement.plan_run`` from running totals under the
agreement's versioned terms, so consecutive runs add up to one run over their whole period
(a weekend split over two runs is paid once, packages carry over, the cap counts per year);
the budget, when short, is shared by the agreement's allocation policy, never by name.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from .. import dates
from ..associations.models import Association
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..reports.ledger import hold_recording
from . import explain, services_terms, walks
from .earnings import Terms
from .locking import lock_agreement, lock_run, mark_changed, revision
from .models import COMMITTED, LineKind, PayoutLine, PayoutRun, RunStatus, SponsorAgreement
from .run_checks import agreement_changed, earlier_draft, fingerprint, payee_changed
from .services_membership import coverage, members
from .settlement import Member, RunPlan, plan_run

log = logging.getLogger(__name__)


def _clip(agreement: SponsorAgreement, start: date, end: date) -> tuple[date, date] | None:
    first, last = max(start, agreement.valid_from), min(end, agreement.valid_to)
    return (first, last) if first <= last else None


def _require_within(agreement: SponsorAgreement, start: date, end: date) -> None:
    if _clip(agreement, start, end) is None:
        raise RuleViolation(
            "outside_agreement",
            _l("Perioden ligger utanför avtalets giltighetstid."),
            field="period_start",
        )


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
    lock_agreement(session, agreement)
    _require_within(agreement, period_start, period_end)
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
    _refuse_before_committed(session, agreement, period_end)
    run = PayoutRun(
        agreement_id=agreement.id,  # type: ignore[arg-type]
        sponsor_id=agreement.sponsor_id,
        period_start=period_start,
        period_end=period_end,
        cutoff_at=_cutoff(session),
        created_by_id=actor_id,
    )
    session.add(run)
    session.flush()
    _compute(session, run, agreement)
    log.info("payout run %s created for agreement %s", run.id, agreement.id)
    return run


def recompute(session: Session, *, run: PayoutRun, agreement: SponsorAgreement) -> PayoutRun:
    """Compute a draft again from the ledger as it is now."""
    lock_run(session, run, RunStatus.DRAFT)
    _require_within(agreement, run.period_start, run.period_end)  # validity may have shrunk
    for line in session.exec(select(PayoutLine).where(PayoutLine.run_id == run.id)).all():
        session.delete(line)
    session.flush()
    run.cutoff_at = _cutoff(session)
    session.add(run)
    _compute(session, run, agreement)
    return run


def approve(
    session: Session,
    *,
    run: PayoutRun,
    agreement: SponsorAgreement,
    actor_id: int,
    seen: str | None = None,
) -> None:
    """Freeze the run. Refused if another run was approved after this one was computed, or
    if the run is no longer what the approver ``seen`` (its ``fingerprint``)."""
    lock_run(session, run, RunStatus.DRAFT)
    if seen is not None and seen != fingerprint(session, run):
        raise RuleViolation(
            "run_changed",
            _l(
                "Utkastet har räknats om sedan du öppnade sidan. Granska beloppen igen "
                "innan du godkänner."
            ),
        )
    newer = session.exec(
        select(PayoutRun.id).where(
            PayoutRun.agreement_id == agreement.id,
            PayoutRun.id != run.id,
            col(PayoutRun.approved_at).is_not(None),
            col(PayoutRun.approved_at) > run.cutoff_at,
        )
    ).first()
    if newer is not None:
        raise RuleViolation(
            "stale_run",
            _l("En annan utbetalning har godkänts sedan beräkningen. Räkna om först."),
        )
    if earlier_draft(session, run) is not None:
        # Runs settle in date order: what this run pays counts on the earlier one.
        raise RuleViolation(
            "earlier_draft",
            _l("Godkänn eller ta bort det tidigare utkastet först."),
        )
    if agreement_changed(session, run):
        # Terms, coverage or enrolments changed after the run was computed: its lines may
        # pay evenings that no longer count, which the next run would take back.
        raise RuleViolation(
            "agreement_changed",
            _l(
                "Avtalet har ändrats sedan beräkningen (villkor, kommuner eller anslutna "
                "föreningar). Räkna om först."
            ),
        )
    if changed := payee_changed(session, run):
        # The lines copied the payee when the run was computed; approved, they are paid as is.
        raise RuleViolation(
            "payee_changed",
            _l(
                "%(name)s har bytt konto eller organisationsnummer sedan beräkningen. "
                "Räkna om först.",
                name=changed,
            ),
        )
    run.status = RunStatus.APPROVED
    run.approved_at = utcnow()
    run.approved_by_id = actor_id
    session.add(run)
    # What it pays is now settled: every other draft is computed again before approval.
    mark_changed(session, agreement)
    log.info("payout run %s approved", run.id)


def mark_paid(session: Session, *, run: PayoutRun, paid_on: date, reference: str) -> None:
    lock_run(session, run, RunStatus.APPROVED)
    if not reference.strip():
        raise RuleViolation("reference_required", _l("Ange betalningsreferens."), field="reference")
    dates.check_day(paid_on, field="paid_on")
    run.status = RunStatus.PAID
    run.paid_on = paid_on
    run.payment_reference = reference.strip()
    session.add(run)
    session.flush()


def delete_draft(session: Session, *, run: PayoutRun) -> None:
    lock_run(session, run, RunStatus.DRAFT)
    for line in session.exec(select(PayoutLine).where(PayoutLine.run_id == run.id)).all():
        session.delete(line)
    session.delete(run)
    session.flush()


def _committed_lines(session: Session, agreement_id: int, exclude_run_id: int | None):
    query = (
        select(PayoutLine, PayoutRun)
        .join(PayoutRun, col(PayoutRun.id) == PayoutLine.run_id)
        .where(PayoutRun.agreement_id == agreement_id, col(PayoutRun.status).in_(COMMITTED))
    )
    if exclude_run_id is not None:
        query = query.where(PayoutRun.id != exclude_run_id)
    return session.exec(query).all()


@dataclass
class _Settled:
    """What committed runs settled, per association (``earnings`` counts from ``start``)."""

    start: date
    members: list[Member]
    total_ore: int
    figures: dict[int, list[int]]
    associations: dict[int, Association]


def earnings_start(agreement: SponsorAgreement) -> date:
    """The first evening whose earnings runs count: the agreement's first day, or the day
    after ``settled_through`` (runs before versioned terms settled every evening to it)."""
    settled = agreement.settled_through
    if settled is None:
        return agreement.valid_from
    return max(agreement.valid_from, settled + timedelta(days=1))


def _settled(session: Session, agreement: SponsorAgreement, exclude_run_id: int | None) -> _Settled:
    settled = agreement.settled_through
    start = earnings_start(agreement)
    paid: dict[int, int] = defaultdict(int)
    accounted: dict[int, int] = defaultdict(int)
    legacy: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    total = 0
    for line, earlier in _committed_lines(session, agreement.id, exclude_run_id):  # type: ignore[arg-type]
        total += line.amount_ore
        if settled is not None and earlier.period_start <= settled:
            # Paid under the arithmetic before versioned terms: counts for the cap only.
            legacy[line.association_id][line.covers_start.year] += line.amount_ore
            continue
        paid[line.association_id] += line.amount_ore
        accounted[line.association_id] += line.rule_amount_ore
        for i, value in enumerate(
            (line.walks, line.walks_considered, line.walkers, line.volunteer_minutes)
        ):
            figures[line.association_id][i] += value
    enrolled = members(session, agreement.id)  # type: ignore[arg-type]
    settled_members = [
        Member(
            assoc.id,  # type: ignore[arg-type]
            periods,
            paid[assoc.id],  # type: ignore[index]
            accounted[assoc.id],  # type: ignore[index]
            tuple(sorted(legacy[assoc.id].items())),  # type: ignore[index]
        )
        for assoc, periods in enrolled
    ]
    associations = {assoc.id: assoc for assoc, _ in enrolled}
    return _Settled(start, settled_members, total, figures, associations)  # type: ignore[arg-type]


def plan_for(
    session: Session,
    agreement: SponsorAgreement,
    first: date,
    last: date,
    *,
    cutoff: datetime | None,
    versions: list[Terms] | None = None,
    exclude_run_id: int | None = None,
) -> RunPlan:
    """The plan of a run over ``first..last`` with the ledger recorded before ``cutoff``."""
    plan, _ = _plan(session, agreement, first, last, cutoff, versions, exclude_run_id)
    return plan


def _plan(
    session: Session,
    agreement: SponsorAgreement,
    first: date,
    last: date,
    cutoff: datetime | None,
    versions: list[Terms] | None,
    exclude_run_id: int | None,
) -> tuple[RunPlan, _Settled]:
    terms = versions or services_terms.versions(session, agreement)
    settled = _settled(session, agreement, exclude_run_id)
    clipped = _clip(agreement, first, last)
    assert clipped is not None
    found = walks.approved_walks(
        session,
        association_ids=list(settled.associations),
        start=settled.start,
        end=clipped[1],
        recorded_before=cutoff,
    )
    plan = plan_run(
        terms,
        found,
        settled.members,
        term_start=settled.start,
        term_end=agreement.valid_to,
        period_start=clipped[0],
        period_end=clipped[1],
        coverage=coverage(session, agreement.id),  # type: ignore[arg-type]
        committed_total_ore=settled.total_ore,
    )
    return plan, settled


def _refuse_before_committed(session: Session, agreement: SponsorAgreement, end: date) -> None:
    later = session.exec(
        select(PayoutRun.id).where(
            PayoutRun.agreement_id == agreement.id,
            col(PayoutRun.status).in_(COMMITTED),
            PayoutRun.period_start > end,
        )
    ).first()
    if later is not None:
        raise RuleViolation(
            "before_approved_run",
            _l(
                "Perioden ligger före en godkänd utbetalning. Sena godkännanden och "
                "rättelser betalas i nästa utbetalning."
            ),
            field="period_start",
        )


def _cutoff(session: Session) -> datetime:
    """Now, once the ledger entries being recorded have committed: the run counts every
    entry recorded before it (``ledger.hold_recording``)."""
    hold_recording(session)
    return utcnow()


def _compute(session: Session, run: PayoutRun, agreement: SponsorAgreement) -> None:
    _refuse_before_committed(session, agreement, run.period_end)
    run.agreement_revision = revision(session, agreement.id)  # type: ignore[arg-type]
    session.add(run)
    terms = services_terms.versions(session, agreement)
    plan, settled = _plan(
        session, agreement, run.period_start, run.period_end, run.cutoff_at, terms, run.id
    )
    unsettled_draft = earlier_draft(session, run) is not None
    for line in plan.lines:
        assoc = settled.associations[line.association_id]
        evenings = line.evenings
        figures = (
            sum(e.walks for e in evenings),
            line.walks_considered,
            sum(e.walkers for e in evenings),
            sum(e.minutes for e in evenings),
        )
        if line.kind == LineKind.ADJUSTMENT:
            before = settled.figures[line.association_id]
            figures = tuple(now - then for now, then in zip(figures, before, strict=True))
        details = explain.line_details(
            terms,
            line.kind,
            evenings,
            last_day=line.last,
            earned_ore=line.earned_ore,
            amount_ore=line.amount_ore,
            cut_by_cap_ore=line.cut_by_cap_ore,
            cut_by_budget_ore=line.cut_by_budget_ore,
            earlier_draft=unsettled_draft and line.kind == LineKind.ADJUSTMENT,
        )
        session.add(
            PayoutLine(
                run_id=run.id,  # type: ignore[arg-type]
                association_id=assoc.id,  # type: ignore[arg-type]
                kind=line.kind,
                covers_start=line.first,
                covers_end=line.last,
                walks=figures[0],
                walks_considered=figures[1],
                walkers=figures[2],
                volunteer_minutes=figures[3],
                rule_amount_ore=line.earned_ore,
                amount_ore=line.amount_ore,
                cut_by_cap_ore=line.cut_by_cap_ore,
                cut_by_budget_ore=line.cut_by_budget_ore,
                explanation=explain.line_text(details)[:1000],
                details=details,
                association_name=assoc.name,
                org_number=assoc.org_number,
                account_type=assoc.account_type,
                account_number=assoc.account_number,
                municipality_id=assoc.municipality_id,
            )
        )
    session.flush()
