"""Scheduled jobs of the check-in area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .nudges import scan

NUDGE_SCAN_SECONDS = 60


def scan_nudges(app: Flask) -> int:
    """Safety nudges to leaders (each once per walk; see ``nudges``)."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return scan(session)


JOBS = [(scan_nudges, NUDGE_SCAN_SECONDS)]
