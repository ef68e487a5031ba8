"""Scheduled jobs of the reports area: report reminders and the retention sweep."""

from __future__ import annotations

import logging

from flask import Flask

from .. import db
from .privacy import retention_sweep
from .services_due import emit_due_reminders

log = logging.getLogger(__name__)

REMINDER_INTERVAL_SECONDS = 15 * 60
RETENTION_INTERVAL_SECONDS = 24 * 60 * 60


def remind_missing_reports(app: Flask) -> int:
    """Emit ReportDue once per booking whose report is missing after the walk."""
    with db.session_scope(db.get_engine(app)) as session:
        return emit_due_reminders(session)


def anonymise_inactive(app: Flask) -> int:
    """Anonymise volunteers with no activity for RETENTION_MONTHS months (default 24)."""
    months = int(app.config.get("RETENTION_MONTHS", 24))
    with db.session_scope(db.get_engine(app)) as session:
        erased = retention_sweep(session, months=months)
    if erased:
        log.info("Retention: anonymised %s people", len(erased))
    return len(erased)


JOBS = [
    (remind_missing_reports, REMINDER_INTERVAL_SECONDS),
    (anonymise_inactive, RETENTION_INTERVAL_SECONDS),
]
