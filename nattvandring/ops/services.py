"""Readiness checks and backups."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from .. import migrate
from ..clock import utcnow
from .models import WorkerHeartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Readiness:
    database: bool
    migrations: bool
    worker: bool

    @property
    def ready(self) -> bool:
        return self.database and self.migrations and self.worker


def readiness(engine: Engine) -> Readiness:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return Readiness(database=False, migrations=False, worker=False)
    migrations = migrate.is_current(engine)
    worker = False
    if migrations:
        with Session(engine) as session:
            latest = session.execute(
                select(col(WorkerHeartbeat.beat_at))
                .order_by(col(WorkerHeartbeat.beat_at).desc())
                .limit(1)
            ).scalar()
        worker = latest is not None and utcnow() - latest < HEARTBEAT_STALE_AFTER
    return Readiness(database=True, migrations=migrations, worker=worker)


def heartbeats(session: Session) -> list[WorkerHeartbeat]:
    return list(
        session.execute(
            select(WorkerHeartbeat).order_by(col(WorkerHeartbeat.beat_at).desc())
        ).scalars()
    )


def backup_sqlite(engine: Engine, destination: Path) -> Path:
    """An online, consistent copy of a SQLite database (the sqlite3 backup API)."""
    if engine.dialect.name != "sqlite":
        raise ValueError("Use pg_dump for PostgreSQL (see docs/deployment.md).")
    source_path = engine.url.database
    if not source_path:
        raise ValueError("An in-memory SQLite database has no file to back up.")
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return destination
