"""Is the SMS provider failing? Recorded by the dispatch job, shown to admins.

A dispatch run counts the provider's answers (a message taken, a lookup answered, a refusal
about one message or number) and its failures (429, 5xx, timeouts, connections that failed,
lookups that failed). A run with an answer marks the provider healthy; a run with only
failures marks it failing since the first such run. Runs that did not talk to the provider
change nothing. ``banner`` is what admins see once it has failed for ``BANNER_AFTER``; the
outbox page shows the backlog (``backlog``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from ..clock import utcnow
from ..db import writer
from .models import SmsMessage, SmsProviderHealth, SmsStatus

log = logging.getLogger(__name__)

BANNER_AFTER = timedelta(minutes=15)
HEALTH_ID = 1


@dataclass
class RunHealth:
    """What one dispatch run saw of the provider."""

    answers: int = 0
    failures: int = 0
    last_error: str = ""

    def answered(self) -> None:
        self.answers += 1

    def failed(self, reason: str) -> None:
        self.failures += 1
        self.last_error = reason

    def record(self, engine: Engine, *, now: datetime | None = None) -> None:
        if not self.answers and not self.failures:
            return
        moment = now or utcnow()
        table = SmsProviderHealth.__table__  # type: ignore[attr-defined]
        values: dict[str, Any]
        if self.answers:
            values = {"failing_since": None, "last_success_at": moment}
        else:
            values = {
                "failing_since": func.coalesce(table.c.failing_since, moment),
                "last_failure_at": moment,
                "last_error": self.last_error[:200],
            }
        statement = update(table).where(table.c.id == HEALTH_ID).values(**values)
        with writer(engine).begin() as connection:
            if connection.execute(statement).rowcount:
                return
        first = dict(values)
        if not self.answers:
            first["failing_since"] = moment
        try:
            with writer(engine).begin() as connection:
                connection.execute(table.insert().values(id=HEALTH_ID, **first))
        except IntegrityError:  # another worker created the row at the same moment
            with writer(engine).begin() as connection:
                connection.execute(statement)
        if not self.answers:
            log.warning("SMS provider failing: %s", self.last_error)


def failing_since(session: Session, *, now: datetime | None = None) -> datetime | None:
    """When the provider started failing, if that is more than ``BANNER_AFTER`` ago."""
    state = session.get(SmsProviderHealth, HEALTH_ID)
    if state is None or state.failing_since is None:
        return None
    if state.failing_since > (now or utcnow()) - BANNER_AFTER:
        return None
    return state.failing_since


@dataclass(frozen=True)
class Backlog:
    waiting: int  # pending or unknown, due now
    retrying: int  # of those and of the later ones: failed at least once
    oldest_due: datetime | None


def backlog(session: Session, municipality_ids: set[int] | None = None) -> Backlog:
    """Messages waiting to go out (``municipality_ids`` None: all of them)."""
    now = utcnow()
    open_rows = col(SmsMessage.status).in_([SmsStatus.PENDING, SmsStatus.UNKNOWN])
    scope = []
    if municipality_ids is not None:
        scope.append(col(SmsMessage.municipality_id).in_(municipality_ids))
    due = session.execute(
        select(func.count(), func.min(col(SmsMessage.due_at))).where(
            open_rows, col(SmsMessage.due_at) <= now, *scope
        )
    ).one()
    retrying = session.execute(
        select(func.count()).where(
            open_rows,
            (col(SmsMessage.status) == SmsStatus.UNKNOWN) | (col(SmsMessage.attempts) > 0),
            *scope,
        )
    ).one()
    return Backlog(waiting=int(due[0]), retrying=int(retrying[0]), oldest_due=due[1])


#: What an admin is asked to look at: messages that did not reach the person.
NOT_DELIVERED = (SmsStatus.FAILED, SmsStatus.UNDELIVERED)


def not_delivered(session: Session, *, since: datetime) -> dict[str, int]:
    """Messages queued since ``since`` that failed or were not delivered, per status (one
    query; statuses without any are left out)."""
    rows = session.execute(
        select(col(SmsMessage.status), func.count())
        .where(col(SmsMessage.status).in_(NOT_DELIVERED), col(SmsMessage.created_at) >= since)
        .group_by(col(SmsMessage.status))
    ).all()
    return {str(status): int(count) for status, count in rows}
