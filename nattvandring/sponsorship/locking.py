"""The agreement's row lock: runs and membership changes of one agreement happen one at a
time (on SQLite every write transaction is already exclusive)."""

from __future__ import annotations

from sqlmodel import Session, select

from .models import SponsorAgreement


def lock_agreement(session: Session, agreement: SponsorAgreement) -> None:
    session.exec(
        select(SponsorAgreement.id).where(SponsorAgreement.id == agreement.id).with_for_update()
    ).first()
