"""What a draft run is checked against before it is approved: the agreement's revision, an
earlier open draft, a payee's changed account, and what the approval page showed. The
approval reads them under the agreement's lock (``services_runs.approve``); the run pages
show them beforehand, with one warning that does not stop approval: an association the same
sponsor also pays through another agreement for the same days (``also_enrolled``)."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, select

from ..associations.models import Association
from .locking import revision
from .membership import shared_evening
from .models import PayoutLine, PayoutRun, RunStatus, SponsorAgreement
from .services_membership import periods_of


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
    of the same sponsor also pays for some evening of the run: both agreements in force and
    covering the association's municipality, the association enrolled in both. Each
    agreement pays its own enrolled walks, so such walks may be paid twice: by design for
    two programmes, by mistake for a renewal made to begin too early. The liaison decides;
    this only tells."""
    deal = session.get(SponsorAgreement, run.agreement_id)
    assert deal is not None
    first, last = max(run.period_start, deal.valid_from), min(run.period_end, deal.valid_to)
    paid = set(
        session.exec(
            select(PayoutLine.association_id).where(
                PayoutLine.run_id == run.id, col(PayoutLine.amount_ore) > 0
            )
        ).all()
    )
    others = session.exec(
        select(SponsorAgreement)
        .where(
            SponsorAgreement.sponsor_id == run.sponsor_id,
            SponsorAgreement.id != deal.id,
            col(SponsorAgreement.valid_from) <= last,
            col(SponsorAgreement.valid_to) >= first,
        )
        .order_by(col(SponsorAgreement.name), col(SponsorAgreement.id))
    ).all()
    if not paid or not others:
        return []
    associations = session.exec(select(Association).where(col(Association.id).in_(paid))).all()
    other_ids = [other.id for other in others if other.id is not None]
    enrolled, covered = periods_of(session, [run.agreement_id, *other_ids], paid)
    found = []
    for other, other_id in zip(others, other_ids, strict=True):
        window = (max(first, other.valid_from), min(last, other.valid_to))
        for association in associations:
            assert association.id is not None
            in_both = (
                enrolled.get((run.agreement_id, association.id), []),
                enrolled.get((other_id, association.id), []),
                covered.get((other_id, association.municipality_id), []),
            )
            if shared_evening(in_both, *window) is not None:
                found.append((association.name, other.name))
    return sorted(found)
