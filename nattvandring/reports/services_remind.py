"""The coordinator's "Påminn" on an overdue report: the leaders get an SMS and an e-mail.

Rate-limited per booking: a reminder is refused while the last one is younger than
``REMIND_INTERVAL``. The audit log records each reminder and is what the limit reads; the
association row is locked first (the fixed lock order), so two coordinators pressing at
the same moment send one reminder.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from .. import events
from ..audit.models import AuditEntry
from ..audit.services import record
from ..booking.locking import lock_association
from ..booking.models import Booking
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from .services_due import MissingReport, missing_reports

#: At most one coordinator reminder per report within this time.
REMIND_INTERVAL = timedelta(hours=24)
ACTION = "report.remind"


def last_reminder(session: Session, booking_id: int) -> datetime | None:
    return session.exec(
        select(AuditEntry.created_at)
        .where(
            AuditEntry.action == ACTION,
            AuditEntry.object_type == "booking",
            AuditEntry.object_id == booking_id,
        )
        .order_by(col(AuditEntry.created_at).desc())
    ).first()


def last_reminders(session: Session, booking_ids: list[int]) -> dict[int, datetime]:
    """The newest reminder per booking, in one query (for the overdue list)."""
    if not booking_ids:
        return {}
    rows = session.exec(
        select(AuditEntry.object_id, AuditEntry.created_at).where(
            AuditEntry.action == ACTION,
            AuditEntry.object_type == "booking",
            col(AuditEntry.object_id).in_(booking_ids),
        )
    ).all()
    found: dict[int, datetime] = {}
    for booking_id, at in rows:
        if booking_id is not None and (booking_id not in found or at > found[booking_id]):
            found[booking_id] = at
    return found


def can_remind(last: datetime | None, now: datetime) -> bool:
    return last is None or now - last >= REMIND_INTERVAL


def _overdue(session: Session, booking: Booking, now: datetime) -> MissingReport | None:
    for missing in missing_reports(session, association_ids={booking.association_id}, now=now):
        if missing.booking.id == booking.id:
            return missing if missing.overdue else None
    return None


def remind(session: Session, booking: Booking, *, actor_id: int | None) -> MissingReport:
    """Remind the leaders of ``booking`` to file its overdue report. Flushes only.

    Raises ``RuleViolation``: ``not_overdue`` (filed, or not yet late) or ``reminded_recently``.
    """
    now = utcnow()
    lock_association(session, booking.association_id)
    missing = _overdue(session, booking, now)
    if missing is None:
        raise RuleViolation(
            "not_overdue", _l("Rapporten är inte försenad, så det finns inget att påminna om.")
        )
    assert booking.id is not None
    last = last_reminder(session, booking.id)
    if not can_remind(last, now):
        raise RuleViolation(
            "reminded_recently",
            _l("Föreningen fick en påminnelse för mindre än ett dygn sedan. Vänta med nästa."),
        )
    record(
        session,
        actor_id=actor_id,
        action=ACTION,
        object_type="booking",
        object_id=booking.id,
        municipality_id=missing.shift.municipality_id,
        association_id=booking.association_id,
    )
    session.flush()
    events.emit(
        session,
        events.ReportReminderRequested(
            shift_id=missing.shift.id,  # type: ignore[arg-type]
            booking_id=booking.id,
            association_id=booking.association_id,
            due_at=missing.due_at,
            requested_at=now,
        ),
    )
    return missing
