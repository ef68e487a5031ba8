"""Scheduled jobs of the associations area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .registration import purge_old

PURGE_SECONDS = 24 * 3600


def purge_old_applications(app: Flask) -> int:
    """Registration applications past their link's life hold personal data we drop."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return purge_old(session)


JOBS = [(purge_old_applications, PURGE_SECONDS)]
