"""The agreement's row lock and revision. Runs and membership changes of one agreement
happen one at a time (on SQLite every write transaction is already exclusive), and every
change of the agreement raises its revision, which a draft run records when it is computed."""

from __future__ import annotations

from sqlmodel import Session, select

from ..clock import utcnow
from .models import SponsorAgreement


def lock_agreement(session: Session, agreement: SponsorAgreement) -> None:
    session.exec(
        select(SponsorAgreement.id).where(SponsorAgreement.id == agreement.id).with_for_update()
    ).first()


def mark_changed(session: Session, agreement: SponsorAgreement) -> None:
    """Raise the agreement's revision (in SQL, so concurrent changes both count)."""
    agreement.revision = SponsorAgreement.revision + 1
    agreement.updated_at = utcnow()
    session.add(agreement)
    session.flush()


def revision(session: Session, agreement_id: int) -> int:
    """The agreement's revision as committed or written in this transaction."""
    return session.exec(
        select(SponsorAgreement.revision).where(SponsorAgreement.id == agreement_id)
    ).one()
