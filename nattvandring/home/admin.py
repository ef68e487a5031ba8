"""The admin's home: is a worker running, which SMS did not reach anyone, which invitations
wait for an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from ..accounts.invitations import offered
from ..accounts.models import PendingRole
from ..messaging import health
from ..ops import services as ops
from ..ops.models import WorkerHeartbeat
from .lists import Shown, shown

#: Failed SMS this far back are worth a look.
FAILED_SINCE = timedelta(days=7)


@dataclass(frozen=True)
class AdminHome:
    latest_beat: WorkerHeartbeat | None
    worker_running: bool
    not_delivered: dict[str, int]  # SMS status -> count, queued in the last FAILED_SINCE
    provider_failing_since: datetime | None
    invitations: Shown[PendingRole]

    @property
    def all_done(self) -> bool:
        return (
            self.worker_running
            and not self.not_delivered
            and self.provider_failing_since is None
            and not self.invitations
        )


def admin_home(session: Session, now: datetime) -> AdminHome:
    beats = ops.heartbeats(session)
    latest = beats[0] if beats else None
    return AdminHome(
        latest_beat=latest,
        worker_running=latest is not None and now - latest.beat_at < ops.HEARTBEAT_STALE_AFTER,
        not_delivered=health.not_delivered(session, since=now - FAILED_SINCE),
        provider_failing_since=health.failing_since(session, now=now),
        invitations=shown(offered(session)),
    )
