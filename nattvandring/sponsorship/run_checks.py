"""What a draft run is checked against before it is approved: the agreement's revision, an
earlier open draft, a payee's changed account, and what the approval page showed. The
approval reads them under the agreement's lock (``services_runs.approve``); the run pages
show them beforehand."""

from __future__ import annotations

import hashlib

from sqlmodel import Session, col, select

from ..associations.models import Association
from .locking import revision
from .models import PayoutLine, PayoutRun, RunStatus


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
