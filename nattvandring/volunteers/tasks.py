"""Scheduled jobs of the volunteers area: the retention sweep."""

from __future__ import annotations

import logging

from flask import Flask

from .. import db
from .privacy import retention_sweep

log = logging.getLogger(__name__)

RETENTION_INTERVAL_SECONDS = 24 * 60 * 60


def anonymise_inactive(app: Flask) -> int:
    """Anonymise volunteers with no activity for RETENTION_MONTHS months (default 24)."""
    months = int(app.config.get("RETENTION_MONTHS", 24))
    with db.session_scope(db.get_engine(app)) as session:
        erased = retention_sweep(session, months=months)
    if erased:
        log.info("Retention: anonymised %s people", len(erased))
    return len(erased)


JOBS = [(anonymise_inactive, RETENTION_INTERVAL_SECONDS)]
