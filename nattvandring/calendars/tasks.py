"""Scheduled jobs of the calendars area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .services_cancelled import purge_old

PURGE_SECONDS = 24 * 3600


def purge_cancelled_walks(app: Flask) -> int:
    """Records of cancelled walks that no feed scans any more are personal data we drop."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return purge_old(session)


JOBS = [(purge_cancelled_walks, PURGE_SECONDS)]
