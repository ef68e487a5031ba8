"""Versioned agreement terms: read them, preview a change, add a version. Services only flush.

A change of terms applies from a day the liaison chooses, no earlier than the day after the
last approved run of the agreement: approved runs never change, and an evening keeps the
terms it was in force under, so a later run never re-pays or claws back history because
the terms changed (``earnings``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from .. import dates
from ..clock import to_local, utcnow
from ..errors import RuleViolation
from ..i18n import _l
from .earnings import ALLOCATIONS, BY_DATE, Terms
from .locking import lock_agreement, mark_changed
from .models import COMMITTED, AgreementTerms, PayoutRun, RunStatus, SponsorAgreement
from .rules import PaymentRule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TermsInput:
    rule: PaymentRule
    budget_ore: int | None
    cap_ore: int | None
    allocation: str = BY_DATE

    def as_terms(self, valid_from: date) -> Terms:
        return Terms(valid_from, self.rule, self.cap_ore, self.budget_ore, self.allocation)


def to_terms(row: AgreementTerms) -> Terms:
    return Terms(
        row.valid_from,
        PaymentRule.from_dict(row.rule),
        row.cap_per_association_year_ore,
        row.budget_ore,
        row.allocation if row.allocation in ALLOCATIONS else BY_DATE,
    )


def rows(session: Session, agreement_id: int) -> list[AgreementTerms]:
    return list(
        session.exec(
            select(AgreementTerms)
            .where(AgreementTerms.agreement_id == agreement_id)
            .order_by(col(AgreementTerms.valid_from))
        ).all()
    )


def versions(session: Session, agreement: SponsorAgreement) -> list[Terms]:
    """The agreement's versions, oldest first (an agreement made before versions existed
    and not migrated answers with its own columns as the one version)."""
    found = [to_terms(row) for row in rows(session, agreement.id)]  # type: ignore[arg-type]
    if found:
        return found
    return [
        Terms(
            agreement.valid_from,
            PaymentRule.from_dict(agreement.rule),
            agreement.cap_per_association_year_ore,
            agreement.budget_ore,
        )
    ]


def current(session: Session, agreement: SponsorAgreement, day: date | None = None) -> Terms:
    from .earnings import terms_on

    return terms_on(versions(session, agreement), day or to_local(utcnow()).date())


def last_committed_day(session: Session, agreement_id: int) -> date | None:
    """The last day of the agreement's approved or paid runs."""
    return session.exec(
        select(func.max(PayoutRun.period_end)).where(
            PayoutRun.agreement_id == agreement_id, col(PayoutRun.status).in_(COMMITTED)
        )
    ).one()


def first_changeable_day(session: Session, agreement: SponsorAgreement) -> date:
    """The earliest day a change of terms may apply from."""
    settled = [agreement.settled_through, last_committed_day(session, agreement.id)]  # type: ignore[arg-type]
    known = [d for d in settled if d is not None]
    if not known:
        return agreement.valid_from
    return max(agreement.valid_from, max(known) + timedelta(days=1))


def changes(session: Session, agreement: SponsorAgreement, proposed: TermsInput) -> bool:
    now = current(session, agreement, date.max)
    return now != proposed.as_terms(now.valid_from)


def check_from(agreement: SponsorAgreement, valid_from: date, earliest: date) -> None:
    """Refuse a change applying before ``earliest`` or after the agreement ends."""
    dates.check_day(valid_from, field="terms_from")
    if valid_from < earliest:
        raise RuleViolation(
            "terms_in_settled_period",
            _l(
                "Ändringen kan gälla tidigast från %(day)s: utbetalningar till och med dagen "
                "före är godkända och ändras inte.",
                day=earliest.isoformat(),
            ),
            field="terms_from",
        )
    if valid_from > agreement.valid_to:
        raise RuleViolation(
            "terms_after_agreement",
            _l("Ändringen kan inte gälla efter avtalets slut."),
            field="terms_from",
        )


def add_version(
    session: Session,
    *,
    agreement: SponsorAgreement,
    terms: TermsInput,
    valid_from: date,
    actor_id: int | None,
) -> AgreementTerms:
    """Add (or, on the same day, replace) the version in force from ``valid_from``."""
    lock_agreement(session, agreement)  # before reading which days approved runs settled
    check_from(agreement, valid_from, first_changeable_day(session, agreement))
    valid_from = max(valid_from, agreement.valid_from)
    row = session.exec(
        select(AgreementTerms).where(
            AgreementTerms.agreement_id == agreement.id, AgreementTerms.valid_from == valid_from
        )
    ).first()
    if row is None:
        row = AgreementTerms(agreement_id=agreement.id, valid_from=valid_from)  # type: ignore[arg-type]
    row.rule = terms.rule.to_dict()
    row.budget_ore = terms.budget_ore
    row.cap_per_association_year_ore = terms.cap_ore
    row.allocation = terms.allocation
    row.created_by_id = actor_id
    session.add(row)
    session.flush()
    _mirror_latest(session, agreement)
    log.info("agreement %s: terms from %s", agreement.id, valid_from)
    return row


def _mirror_latest(session: Session, agreement: SponsorAgreement) -> None:
    latest = rows(session, agreement.id)[-1]  # type: ignore[arg-type]
    agreement.rule = dict(latest.rule)
    agreement.budget_ore = latest.budget_ore
    agreement.cap_per_association_year_ore = latest.cap_per_association_year_ore
    mark_changed(session, agreement)


@dataclass(frozen=True)
class Effect:
    """What a proposed change does to a draft run, or to the period no run covers yet."""

    first: date
    last: date
    run_id: int | None
    before_ore: int
    after_ore: int


def preview(
    session: Session, *, agreement: SponsorAgreement, terms: TermsInput, valid_from: date
) -> list[Effect]:
    """Totals of the open periods (draft runs, and the days after the last run up to today)
    under the current terms and under the proposed ones."""
    from .services_runs import plan_for

    proposed = [v for v in versions(session, agreement) if v.valid_from < valid_from]
    proposed.append(terms.as_terms(max(valid_from, agreement.valid_from)))
    drafts = session.exec(
        select(PayoutRun)
        .where(
            PayoutRun.agreement_id == agreement.id,
            PayoutRun.status == RunStatus.DRAFT,
            PayoutRun.period_end >= valid_from,
        )
        .order_by(col(PayoutRun.period_start))
    ).all()
    spans: list[tuple[date, date, int | None]] = [
        (r.period_start, r.period_end, r.id) for r in drafts
    ]
    last_run = session.exec(
        select(func.max(PayoutRun.period_end)).where(PayoutRun.agreement_id == agreement.id)
    ).one()
    today = min(to_local(utcnow()).date(), agreement.valid_to)
    start = max(valid_from, (last_run + timedelta(days=1)) if last_run else agreement.valid_from)
    if start <= today:
        spans.append((start, today, None))
    effects = []
    for first, last, run_id in spans:
        before = plan_for(session, agreement, first, last, cutoff=None)
        after = plan_for(session, agreement, first, last, cutoff=None, versions=proposed)
        effects.append(
            Effect(
                first,
                last,
                run_id,
                sum(line.amount_ore for line in before.lines),
                sum(line.amount_ore for line in after.lines),
            )
        )
    return effects


@dataclass(frozen=True)
class BudgetStatus:
    budget_ore: int | None
    used_ore: int
    left_ore: int | None
    walks_left: int | None  # roughly how many more walks the rest pays


def budget_status(session: Session, agreement: SponsorAgreement) -> BudgetStatus:
    """The budget in force today, what approved runs used of it, and what is left."""
    from .earnings import walks_covered
    from .models import PayoutLine

    used, walks = session.exec(
        select(
            func.coalesce(func.sum(PayoutLine.amount_ore), 0),
            func.coalesce(func.sum(PayoutLine.walks), 0),
        )
        .join(PayoutRun, col(PayoutRun.id) == PayoutLine.run_id)
        .where(PayoutRun.agreement_id == agreement.id, col(PayoutRun.status).in_(COMMITTED))
    ).one()
    terms = current(session, agreement)
    if terms.budget_ore is None:
        return BudgetStatus(None, int(used), None, None)
    left = terms.budget_ore - int(used)
    return BudgetStatus(
        terms.budget_ore, int(used), left, walks_covered(left, terms.rule, int(used), int(walks))
    )
