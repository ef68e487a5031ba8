"""APScheduler only ticks; the work is in our own tables (outboxes, retention).

``nattvandring worker`` runs the jobs in the foreground (production, any number of workers:
claims are safe to run concurrently). ``nattvandring serve`` runs them in a background thread
of the development server. Never started from ``create_app``, so gunicorn workers and the
reloader don't each start a scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from .discovery import area_modules

log = logging.getLogger(__name__)


def jobs() -> list[tuple[str, Callable[[Flask], object], str | int]]:
    """Every area's ``tasks.JOBS``: (function taking the app, interval setting or seconds)."""
    found = []
    for tasks in area_modules("tasks"):
        for function, interval in tasks.JOBS:
            found.append((f"{function.__module__}.{function.__name__}", function, interval))
    return found


def _wrap(app: Flask, job: Callable[[Flask], object], name: str) -> Callable[[], None]:
    def run() -> None:
        with app.app_context():
            try:
                job(app)
            except Exception:
                log.exception("Scheduled job %s failed", name)

    return run


def configure(scheduler, app: Flask) -> None:
    for path, function, interval in jobs():
        seconds = int(app.config[interval]) if isinstance(interval, str) else interval
        scheduler.add_job(
            _wrap(app, function, path),
            "interval",
            seconds=seconds,
            id=path,
            coalesce=True,
            max_instances=1,
            # Run once right away: a new worker sends what is due and shows its heartbeat
            # without waiting a whole interval.
            next_run_time=datetime.now(UTC),
            misfire_grace_time=max(1, seconds // 2),
        )


def start_background(app: Flask) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    configure(scheduler, app)
    scheduler.start()
    log.info("Scheduler started in the web process")
    return scheduler


def run_blocking(app: Flask) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    configure(scheduler, app)
    log.info("Worker started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Worker stopped")
