"""The agreement's row lock and revision. Runs and membership changes of one agreement
happen one at a time (on SQLite every write transaction is already exclusive), and every
change of the agreement raises its revision, which a draft run records when it is computed.
A service takes the lock before it reads what it decides on, so it decides on what a
transaction it waited for committed (tests/sponsorship/test_concurrency.py)."""

from __future__ import annotations

from sqlmodel import Session, select

from ..clock import utcnow
from ..errors import NotFound, RuleViolation
from ..i18n import _l
from .models import PayoutRun, RunStatus, SponsorAgreement


def lock_agreement(session: Session, agreement: SponsorAgreement) -> None:
    """Take the agreement's row lock and read the agreement again: while this transaction
    waited, another may have changed it. A service takes the lock before it reads anything
    it decides on (runs, periods, terms)."""
    session.exec(
        select(SponsorAgreement)
        .where(SponsorAgreement.id == agreement.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


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


def lock_run(session: Session, run: PayoutRun, status: RunStatus) -> None:
    """Take the agreement's lock, then check the run as committed: loaded before the lock,
    it may have been approved, paid or deleted by another transaction since."""
    lock_agreement(session, session.get_one(SponsorAgreement, run.agreement_id))
    fresh = session.exec(
        select(PayoutRun).where(PayoutRun.id == run.id).execution_options(populate_existing=True)
    ).first()
    if fresh is None:
        raise NotFound()
    if run.status != status:
        raise RuleViolation(
            "run_status",
            _l("Utbetalningen är redan godkänd och kan inte ändras.")
            if status == RunStatus.DRAFT
            else _l("Utbetalningen måste vara godkänd innan den markeras som betald."),
        )
