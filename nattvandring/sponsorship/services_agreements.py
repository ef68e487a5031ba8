"""Sponsors and agreements: create, edit, coverage and enrolments. Services only flush."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, col, func, select

from .. import dates
from ..associations.validation import normalize_org_number
from ..errors import RuleViolation
from ..i18n import _l
from .locking import lock_agreement, mark_changed
from .models import (
    COMMITTED,
    AgreementTerms,
    PayoutLine,
    PayoutRun,
    Sponsor,
    SponsorAgreement,
)
from .rules import PaymentRule
from .services_membership import municipality_ids, set_municipalities

log = logging.getLogger(__name__)

DEFAULT_YEARS = 3


def default_valid_to(valid_from: date) -> date:
    """Three years from ``valid_from``, the last day included (29 Feb falls back to 28), and
    never past the date window's end, as a typed end may not be."""
    end = valid_from + relativedelta(years=DEFAULT_YEARS) - timedelta(days=1)
    return min(end, dates.LAST_DAY)


def create_sponsor(session: Session, *, name: str, org_number: str) -> Sponsor:
    clean_name = name.strip()
    if not clean_name:
        raise RuleViolation("name_required", _l("Ange ett namn."), field="name")
    number = normalize_org_number(org_number)
    if session.exec(select(Sponsor).where(Sponsor.org_number == number)).first():
        raise RuleViolation(
            "sponsor_exists",
            _l("Det finns redan en sponsor med det organisationsnumret."),
            field="org_number",
        )
    sponsor = Sponsor(name=clean_name, org_number=number)
    session.add(sponsor)
    session.flush()
    log.info("sponsor %s created", sponsor.id)
    return sponsor


@dataclass(frozen=True)
class AgreementInput:
    name: str
    valid_from: date
    valid_to: date | None
    budget_ore: int | None
    cap_per_association_year_ore: int | None
    rule: PaymentRule
    municipality_ids: tuple[int, ...]
    allocation: str = "by_date"


def _check(data: AgreementInput) -> date:
    if not data.name.strip():
        raise RuleViolation("name_required", _l("Ange ett namn."), field="name")
    dates.check_day(data.valid_from, field="valid_from")
    if data.valid_to is not None:
        dates.check_day(data.valid_to, field="valid_to")
    valid_to = data.valid_to or default_valid_to(data.valid_from)
    if valid_to < data.valid_from:
        raise RuleViolation(
            "period_invalid", _l("Slutdatum ligger före startdatum."), field="valid_to"
        )
    if not data.municipality_ids:
        raise RuleViolation(
            "municipality_required",
            _l("Välj minst en kommun som avtalet gäller."),
            field="municipality_ids",
        )
    return valid_to


def create_agreement(
    session: Session, *, sponsor: Sponsor, data: AgreementInput
) -> SponsorAgreement:
    valid_to = _check(data)
    agreement = SponsorAgreement(
        sponsor_id=sponsor.id,  # type: ignore[arg-type]
        name=data.name.strip(),
        valid_from=data.valid_from,
        valid_to=valid_to,
        budget_ore=data.budget_ore,
        cap_per_association_year_ore=data.cap_per_association_year_ore,
        rule=data.rule.to_dict(),
    )
    session.add(agreement)
    session.flush()
    session.add(
        AgreementTerms(
            agreement_id=agreement.id,  # type: ignore[arg-type]
            valid_from=agreement.valid_from,
            rule=data.rule.to_dict(),
            budget_ore=data.budget_ore,
            cap_per_association_year_ore=data.cap_per_association_year_ore,
            allocation=data.allocation,
        )
    )
    set_municipalities(session, agreement, data.municipality_ids)
    log.info("agreement %s created for sponsor %s", agreement.id, sponsor.id)
    return agreement


def update_agreement(
    session: Session,
    *,
    agreement: SponsorAgreement,
    data: AgreementInput,
    editable_municipality_ids: set[int] | None,
    terms_from: date | None = None,
    may_change_terms: bool = True,
    actor_id: int | None = None,
    seen_revision: int | None = None,
) -> SponsorAgreement:
    """Change an agreement; ``editable_municipality_ids`` (None = all) limits coverage edits.
    Refused if the agreement changed since the editor saw it at ``seen_revision``.

    Name, validity and terms are the agreement's terms: only a user who ``may_change_terms``
    changes them. A change of rule, cap, budget or allocation becomes a new version in
    force from ``terms_from`` (``services_terms.add_version``)."""
    from . import services_terms

    valid_to = _check(data)
    lock_agreement(session, agreement)  # before reading its terms and what runs settled
    if seen_revision is not None:
        check_unchanged(agreement, seen_revision)
    proposed = services_terms.TermsInput(
        data.rule, data.budget_ore, data.cap_per_association_year_ore, data.allocation
    )
    new_terms = services_terms.changes(session, agreement, proposed)
    renamed = (data.name.strip(), data.valid_from, valid_to) != (
        agreement.name,
        agreement.valid_from,
        agreement.valid_to,
    )
    if (new_terms or renamed) and not may_change_terms:
        raise RuleViolation(
            "shared_terms",
            _l(
                "Villkoren i ett avtal för flera kommuner ändras av sponsorns kontaktperson "
                "eller en administratör."
            ),
            field="name",
        )
    settled = services_terms.last_committed_day(session, agreement.id)  # type: ignore[arg-type]
    if settled is not None and (data.valid_from != agreement.valid_from or valid_to < settled):
        raise RuleViolation(
            "validity_settled",
            _l(
                "Avtalets startdatum kan inte ändras och slutdatum inte läggas före %(day)s "
                "när utbetalningar är godkända.",
                day=settled.isoformat(),
            ),
            field="valid_from",
        )
    agreement.name = data.name.strip()
    agreement.valid_from = data.valid_from
    agreement.valid_to = valid_to
    mark_changed(session, agreement)
    _realign_first_version(session, agreement)
    if new_terms:
        if terms_from is None:
            raise RuleViolation(
                "terms_from_required",
                _l("Ange från vilket datum ändringen gäller."),
                field="terms_from",
            )
        services_terms.add_version(
            session, agreement=agreement, terms=proposed, valid_from=terms_from, actor_id=actor_id
        )
    current = set(municipality_ids(session, agreement.id))  # type: ignore[arg-type]
    wanted = set(data.municipality_ids)
    if editable_municipality_ids is not None:
        kept = current - editable_municipality_ids
        wanted = kept | (wanted & editable_municipality_ids)
    if not wanted:
        raise RuleViolation(
            "municipality_required",
            _l("Välj minst en kommun som avtalet gäller."),
            field="municipality_ids",
        )
    set_municipalities(session, agreement, tuple(sorted(wanted)))
    return agreement


def check_unchanged(agreement: SponsorAgreement, seen_revision: int) -> None:
    """Refuse a change made on a form loaded before another change of the agreement."""
    if agreement.revision != seen_revision:
        raise RuleViolation(
            "edited_meanwhile",
            _l(
                "Avtalet har ändrats av någon annan sedan du öppnade sidan. Formuläret visar "
                "nu avtalet som det är; gör din ändring igen."
            ),
        )


def _realign_first_version(session: Session, agreement: SponsorAgreement) -> None:
    """Keep the first version starting on the agreement's first day (a moved start, before
    any approved run, moves it; versions before the new start are dropped)."""
    from . import services_terms

    found = services_terms.rows(session, agreement.id)  # type: ignore[arg-type]
    before = [r for r in found if r.valid_from <= agreement.valid_from]
    if not before:
        return
    keep = before[-1]
    for row in before[:-1]:
        session.delete(row)
    if keep.valid_from != agreement.valid_from:
        keep.valid_from = agreement.valid_from
        session.add(keep)
    session.flush()


def committed_ore(
    session: Session,
    agreement_id: int,
    *,
    exclude_run_id: int | None = None,
    municipality_ids: Collection[int] | None = None,
) -> int:
    """Sum of lines of the agreement's approved and paid runs (budget used); only the lines
    of ``municipality_ids`` when given."""
    query = (
        select(func.coalesce(func.sum(PayoutLine.amount_ore), 0))
        .join(PayoutRun, col(PayoutRun.id) == PayoutLine.run_id)
        .where(PayoutRun.agreement_id == agreement_id, col(PayoutRun.status).in_(COMMITTED))
    )
    if exclude_run_id is not None:
        query = query.where(PayoutRun.id != exclude_run_id)
    if municipality_ids is not None:
        query = query.where(col(PayoutLine.municipality_id).in_(list(municipality_ids)))
    return int(session.exec(query).one())


def agreement_rule(agreement: SponsorAgreement) -> PaymentRule:
    return PaymentRule.from_dict(agreement.rule)


def runs_of(session: Session, agreement_ids: Collection[int]) -> list[PayoutRun]:
    """The payout runs of ``agreement_ids``, newest period first (one query)."""
    if not agreement_ids:
        return []
    return list(
        session.exec(
            select(PayoutRun)
            .where(col(PayoutRun.agreement_id).in_(list(agreement_ids)))
            .order_by(col(PayoutRun.period_end).desc(), col(PayoutRun.id).desc())
        ).all()
    )
