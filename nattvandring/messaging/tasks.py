"""Scheduled jobs of the messaging area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .dispatch import dispatch_due
from .services_notices import understaffed_scan

UNDERSTAFFED_SCAN_SECONDS = 900


def scan_understaffed(app: Flask) -> int:
    """Leaders of groups below the minimum 48 h before the start get one SMS per walk."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return understaffed_scan(session, hours=48)


JOBS = [
    (dispatch_due, "DISPATCH_INTERVAL_SECONDS"),
    (scan_understaffed, UNDERSTAFFED_SCAN_SECONDS),
]
