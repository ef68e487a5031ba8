"""Worker heartbeats, shown on the admin page and checked by /readyz."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class WorkerHeartbeat(SQLModel, table=True):
    __tablename__ = "worker_heartbeat"

    worker_id: str = Field(primary_key=True, max_length=120)
    hostname: str = Field(max_length=120)
    pid: int
    started_at: datetime
    beat_at: datetime
