"""Scheduled jobs of the reports area: report reminders."""

from __future__ import annotations

from flask import Flask

from .. import db
from .services_due import emit_due_reminders

REMINDER_INTERVAL_SECONDS = 15 * 60


def remind_missing_reports(app: Flask) -> int:
    """Emit ReportDue once per booking whose report is missing after the walk."""
    with db.session_scope(db.get_engine(app)) as session:
        return emit_due_reminders(session)


JOBS = [
    (remind_missing_reports, REMINDER_INTERVAL_SECONDS),
]
