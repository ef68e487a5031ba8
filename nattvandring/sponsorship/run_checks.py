"""What a draft run is checked against before it is approved: the agreement's revision, an
earlier open draft, a payee's changed account, and what the approval page showed. The
approval reads them under the agreement's lock (``services_runs.approve``); the run pages
show them beforehand, with one warning that does not stop approval: an association the same
sponsor also pays through another agreement for the same days (``also_enrolled``)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from ..associations.models import Association
from .locking import revision
from .models import AgreementAssociation, PayoutLine, PayoutRun, RunStatus, SponsorAgreement


def agreement_changed(session: Session, run: PayoutRun) -> bool:
    """Whether the run's agreement changed (validity, terms, coverage, enrolments) after the
    run was computed."""
    return revision(session, run.agreement_id) != run.agreement_revision


def fingerprint(session: Session, run: PayoutRun) -> str:
    """What an approval page showed of the run: when it was computed and every line."""
    lines = session.exec(
        select(PayoutLine.association_id, PayoutLine.kind, PayoutLine.amount_ore).where(
            PayoutLine.run_id == run.id
        )
    ).all()
    shown = repr((run.cutoff_at.isoformat(), sorted((a, str(k), o) for a, k, o in lines)))
    return hashlib.sha256(shown.encode()).hexdigest()[:24]


def payee_changed(session: Session, run: PayoutRun) -> str | None:
    """The name of an association whose account or organisation number differs from what
    ``run``'s lines copied, if any."""
    return session.exec(
        select(Association.name)
        .join(PayoutLine, col(PayoutLine.association_id) == Association.id)
        .where(
            PayoutLine.run_id == run.id,
            (col(PayoutLine.account_type) != Association.account_type)
            | (col(PayoutLine.account_number) != Association.account_number)
            | (col(PayoutLine.org_number) != Association.org_number),
        )
        .order_by(Association.name)
    ).first()


def earlier_draft(session: Session, run: PayoutRun) -> PayoutRun | None:
    """An open draft of the same agreement before ``run``: runs settle in date order, so
    until it is approved (or deleted) ``run`` also counts that draft's walks."""
    return session.exec(
        select(PayoutRun)
        .where(
            PayoutRun.agreement_id == run.agreement_id,
            PayoutRun.id != run.id,
            PayoutRun.status == RunStatus.DRAFT,
            PayoutRun.period_end < run.period_start,
        )
        .order_by(col(PayoutRun.period_start))
    ).first()


def also_enrolled(session: Session, run: PayoutRun) -> list[tuple[str, str]]:
    """(association, agreement): associations that ``run`` pays and that another agreement
    of the same sponsor also enrols for some of the run's days. Each agreement pays its
    own enrolled walks, so such walks may be paid twice: by design for two programmes, by
    mistake for a renewal made to begin too early. The liaison decides; this only tells."""
    other = aliased(AgreementAssociation)
    found = session.exec(
        select(Association.name, SponsorAgreement.name)
        .select_from(PayoutLine)
        .join(Association, col(Association.id) == PayoutLine.association_id)
        .join(other, col(other.association_id) == PayoutLine.association_id)
        .join(SponsorAgreement, col(SponsorAgreement.id) == other.agreement_id)
        .where(
            PayoutLine.run_id == run.id,
            col(PayoutLine.amount_ore) > 0,
            SponsorAgreement.sponsor_id == run.sponsor_id,
            SponsorAgreement.id != run.agreement_id,
            col(SponsorAgreement.valid_from) <= run.period_end,
            col(SponsorAgreement.valid_to) >= run.period_start,
            col(other.joined_on) <= run.period_end,
            or_(col(other.left_on).is_(None), col(other.left_on) > run.period_start),
        )
        .distinct()
        .order_by(col(Association.name), col(SponsorAgreement.name))
    ).all()
    return [(association, agreement) for association, agreement in found]
