"""Personal data: a volunteer's data export, erasure (anonymisation) and the retention sweep.

Erasure keeps the person's row as an anonymous stub, so every walk, walker count, hour total,
lägesbild figure and ledger entry stays exactly as it was: the ledger copies the birth year,
never the name. Activity = the latest of: account created, login, recorded activity, the start
of a shift they were assigned to, a walk they were reported on, a report they filed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlmodel import Session, delete, func, select

from .. import events
from ..accounts.models import AccessToken, Membership, PendingRole, Role, User, Verification
from ..associations.models import Association
from ..booking.models import Assignment
from ..clock import utcnow
from ..errors import RuleViolation
from ..formatting import national_phone
from ..i18n import _l
from ..planning.models import Shift
from ..reports.models import HoursLedgerEntry, Incident, PatrolReport, ReportWalker
from .models import MembershipRequest

log = logging.getLogger(__name__)

ERASED_NAME = "Raderad person"
SCRUBBED = "[raderad]"
#: Roles whose holders are staff; the retention job anonymises volunteers only.
STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.SPONSOR_LIAISON)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as JSON-ready data."""
    memberships = session.exec(
        select(Membership, Association)
        .join(Association, Association.id == Membership.association_id, isouter=True)
        .where(Membership.user_id == user.id)
    ).all()
    assignments = session.exec(
        select(Assignment, Shift)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Assignment.user_id == user.id)
        .order_by(Shift.start_at)
    ).all()
    walks = session.exec(
        select(ReportWalker, PatrolReport)
        .join(PatrolReport, PatrolReport.id == ReportWalker.report_id)
        .where(ReportWalker.user_id == user.id)
        .order_by(ReportWalker.start_at)
    ).all()
    entries = session.exec(
        select(HoursLedgerEntry)
        .where(HoursLedgerEntry.user_id == user.id)
        .order_by(HoursLedgerEntry.id)
    ).all()
    tokens = session.exec(select(AccessToken).where(AccessToken.user_id == user.id)).all()
    questions = session.exec(
        select(MembershipRequest, Association)
        .join(Association, Association.id == MembershipRequest.association_id)
        .where(MembershipRequest.user_id == user.id)
    ).all()
    return {
        "person": {
            "name": user.name,
            "phone": user.phone_e164,
            "email": user.email,
            "birth_year": user.birth_year,
            "language": user.language,
            "sms_opt_out": user.sms_opt_out,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "memberships": [
            {"role": m.role, "association": a.name if a else None} for m, a in memberships
        ],
        "assignments": [
            {
                "shift_start": _iso(shift.start_at),
                "shift_end": _iso(shift.end_at),
                "status": a.status,
                "created_at": _iso(a.created_at),
            }
            for a, shift in assignments
        ],
        "reported_walks": [
            {
                "report_id": report.id,
                "report_status": report.status,
                "start": _iso(w.start_at),
                "end": _iso(w.end_at),
                "minutes": w.minutes,
            }
            for w, report in walks
        ],
        "hours_ledger": [
            {
                "report_id": e.report_id,
                "evening": e.evening.isoformat(),
                "minutes": e.minutes,
                "kind": e.kind,
                "reason": e.reason,
                "birth_year": e.walker_birth_year,
                "recorded_at": _iso(e.created_at),
            }
            for e in entries
        ],
        # A leader typed these when asking the person to join (what the leader sees of them).
        "membership_questions": [
            {
                "association": association.name,
                "status": request.status,
                "asked_at": _iso(request.asked_at),
                "as_typed_by_the_leader": {
                    "name": request.name,
                    "phone": request.phone_e164,
                    "email": request.email,
                    "birth_year": request.birth_year,
                },
            }
            for request, association in questions
        ],
        "links": [
            {
                "purpose": t.purpose,
                "created_at": _iso(t.created_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in tokens
        ],
        "exported_at": _iso(utcnow()),
    }


def _scrub(text: str, needles: list[str]) -> str:
    for needle in needles:
        if needle and needle in text:
            text = text.replace(needle, SCRUBBED)
    return text


def _phone_forms(e164: str | None) -> list[str]:
    """The ways a number may have been typed into free text: +4670..., 070-123 45 67, 070..."""
    if not e164:
        return []
    forms = [e164, national_phone(e164)]
    if e164.startswith("+46"):
        digits = "0" + e164[3:]
        forms += [digits, f"{digits[:3]}-{digits[3:]}"]
    return forms


def erase_user(session: Session, user: User, *, reason: str = "request") -> None:
    """Anonymise ``user``: no name, number, e-mail or birth year; no access; no memberships.

    Free-text report fields that quote the person's name or number are scrubbed too. Figures
    are untouched.
    """
    if user.anonymized_at is not None:
        return
    if user.id is None:
        raise RuleViolation("no_user", _l("Personen finns inte."))
    needles = [
        n for n in (user.name, user.email, *_phone_forms(user.phone_e164)) if n and len(n) >= 4
    ]
    report_ids = select(ReportWalker.report_id).where(ReportWalker.user_id == user.id)
    filed = select(PatrolReport.id).where(PatrolReport.filed_by_id == user.id)
    for report in session.exec(
        select(PatrolReport).where(
            PatrolReport.id.in_(report_ids) | PatrolReport.id.in_(filed)  # type: ignore[attr-defined]
        )
    ).all():
        report.summary = _scrub(report.summary, needles)
        report.return_comment = _scrub(report.return_comment, needles)
        for incident in session.exec(select(Incident).where(Incident.report_id == report.id)):
            incident.description = _scrub(incident.description, needles)
            incident.place = _scrub(incident.place, needles)
        for entry in session.exec(
            select(HoursLedgerEntry).where(HoursLedgerEntry.report_id == report.id)
        ):
            # Only the free-text reason; minutes, dates and birth-year copies stay as recorded.
            if any(n in entry.reason for n in needles):
                entry.reason = _scrub(entry.reason, needles)
    now = utcnow()
    user.name = ERASED_NAME
    user.phone_e164 = None
    user.email = None
    user.birth_year = None
    user.password_hash = None
    user.is_active = False
    user.sms_opt_out = True
    user.session_version += 1
    user.anonymized_at = now
    session.exec(delete(Membership).where(Membership.user_id == user.id))  # type: ignore[call-overload]
    for table in (MembershipRequest, PendingRole, Verification):
        session.exec(delete(table).where(table.user_id == user.id))  # type: ignore[call-overload,attr-defined]
    for token in session.exec(
        select(AccessToken).where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))  # type: ignore[union-attr]
    ):
        token.revoked_at = now
    session.flush()
    events.emit(session, events.PersonErased(user_id=user.id))
    log.info("Person %s anonymised (%s)", user.id, reason)


def last_activity(session: Session, user: User) -> datetime:
    """The latest trace of activity (see the module docstring)."""
    moments = [user.created_at, user.last_login_at, user.last_activity_at]
    moments.append(
        session.exec(
            select(func.max(Shift.start_at))
            .join(Assignment, Assignment.shift_id == Shift.id)
            .where(Assignment.user_id == user.id)
        ).first()
    )
    moments.append(
        session.exec(
            select(func.max(ReportWalker.end_at)).where(ReportWalker.user_id == user.id)
        ).first()
    )
    moments.append(
        session.exec(
            select(func.max(PatrolReport.submitted_at)).where(PatrolReport.filed_by_id == user.id)
        ).first()
    )
    return max(m for m in moments if m is not None)


def retention_sweep(session: Session, *, months: int, now: datetime | None = None) -> list[int]:
    """Anonymise volunteers without activity for ``months`` months; returns their ids."""
    cutoff = (now or utcnow()) - relativedelta(months=months)
    staff = select(Membership.user_id).where(Membership.role.in_(STAFF_ROLES))  # type: ignore[attr-defined]
    candidates = session.exec(
        select(User).where(
            User.anonymized_at.is_(None),  # type: ignore[union-attr]
            User.created_at < cutoff,
            User.id.not_in(staff),  # type: ignore[union-attr]
        )
    ).all()
    erased = []
    for user in candidates:
        if last_activity(session, user) < cutoff:
            erase_user(session, user, reason="retention")
            erased.append(user.id)  # type: ignore[arg-type]
    return erased
