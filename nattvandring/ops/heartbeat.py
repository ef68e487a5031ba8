"""Each worker process records that it is alive."""

from __future__ import annotations

import os
import socket

from flask import Flask

from ..clock import utcnow
from ..db import get_engine, session_scope
from .models import WorkerHeartbeat

_STARTED = utcnow()


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(app: Flask) -> None:
    with session_scope(get_engine(app)) as session:
        row = session.get(WorkerHeartbeat, worker_id())
        if row is None:
            row = WorkerHeartbeat(
                worker_id=worker_id(),
                hostname=socket.gethostname(),
                pid=os.getpid(),
                started_at=_STARTED,
                beat_at=utcnow(),
            )
        row.beat_at = utcnow()
        session.add(row)
