"""Scheduled jobs of the calendars area."""

from __future__ import annotations

from flask import Flask

from ..db import get_engine, session_scope
from .feeds import advance_window
from .services_cancelled import purge_old

DAILY = 24 * 3600
WINDOW_SECONDS = 3600  # hourly: the window's day moves within an hour of midnight UTC


def purge_cancelled_walks(app: Flask) -> int:
    """Records of cancelled walks that no feed scans any more are personal data we drop."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return purge_old(session)


def move_feed_window(app: Flask) -> int:
    """Move the feeds' window to today, raising the feeds it drops walks from."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        return advance_window(session, config=app.config)


JOBS = [(purge_cancelled_walks, DAILY), (move_feed_window, WINDOW_SECONDS)]
