"""The worker's SMS job: claim due rows, send outside any transaction, record the result.

Failure policy (per Twilio error, see ``gateways``). A message is retried for as long as it
is useful (its ``not_after``, see ``services_timing``), never after that, and never inside
quiet hours unless the row ignores them; a row that can no longer go out in time is
``expired`` with the reason in ``error_message``:

- ``RetryLater`` (429/20429, connection never made, 30003 once): back to ``pending`` after an
  exponential backoff with jitter (SMS_RETRY_BASE/CAP_SECONDS); 30003 is retried only once.
- ``OutcomeUnknown`` (5xx, read timeout) and any unexpected error: ``unknown``. After
  SMS_RECONCILE_GRACE_SECONDS (or the backoff, if longer) the row is reconciled with
  ``gateway.lookup``: found means ``sent`` (with Twilio's SID), not found means ``pending``
  again; a lookup that fails is tried again later. An unknown row is never expired unseen.
- A due row met inside quiet hours (a backlog) goes back to ``pending`` at their end.
- A lease that expired while ``sending`` (the worker died between claim and result) turns the
  row ``unknown`` the same way, so it is looked up before it is ever sent again.
- ``InvalidNumber``: ``failed``, the person's number is marked invalid and the leaders of the
  walk's association get an SMS (the status also shows on the association's SMS page).
- ``OptedOut``: ``failed`` and the person is opted out. ``PermanentFailure``: ``failed``.
- After each run the provider's health is recorded (``health``): admins see a banner when
  it has failed for more than 15 minutes.

A row is sent only while its lease covers the whole HTTP timeout, so a slow worker never
races the worker that recovers its expired rows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from ..accounts.models import User
from ..clock import utcnow
from ..db import get_engine, session_scope
from ..outbox import claim
from .dispatch_base import DispatcherBase, table
from .gateways import (
    UNREACHABLE_CODE,
    GatewayError,
    InvalidNumber,
    OptedOut,
    OutcomeUnknown,
    PermanentFailure,
    RetryLater,
    SmsGateway,
)
from .models import SmsStatus
from .services import (
    gateway_from_config,
    mark_phone_invalid,
    opt_out,
    skip_reason,
)
from .services_notices import tell_leaders_invalid_number
from .services_timing import next_send_time

log = logging.getLogger(__name__)


class Dispatcher(DispatcherBase):
    """One run of the job: claim, send, record."""

    # -- sending -----------------------------------------------------------------------------
    def send_claimed(self) -> int:
        claimed = claim(
            self.engine, table(), batch_size=self.batch_size, lease_seconds=self.lease_seconds
        )
        if not claimed.ids:
            return 0
        rows = self.load(claimed.ids)
        users, links = self.people_and_links(rows)
        sent = 0
        for row in rows:
            if row.id in claimed.recovered:  # lease expired between expire_leases and claim
                self.finish(
                    row,
                    status=SmsStatus.UNKNOWN,
                    reconcile_since=row.reconcile_since or row.due_at,
                    due_at=utcnow() + self.grace,
                    lease_until=None,
                    error_message="worker stopped while sending; checking with Twilio",
                )
                continue
            sent += self.send_one(row, users.get(row.user_id), links)
        return sent

    def send_one(self, row: Any, user: User | None, links: dict[int, str]) -> int:
        now = utcnow()
        reason = skip_reason(user) if row.user_id is not None else None
        if reason is None and not row.to_e164:
            reason = "no phone number"
        if reason is not None:
            self.finish(row, status=SmsStatus.CANCELLED, lease_until=None, error_message=reason)
            log.info("SMS %s cancelled: %s", row.id, reason)
            return 0
        if now >= self.useful_until(row):
            self.expire(row)
            return 0
        if not row.ignores_quiet_hours and self.quiet.window(now) is not None:
            # A backlog (a worker or the provider was down) waits for the quiet hours to end.
            self.hold(row, now)
            return 0
        if now + self.send_time >= row.lease_until:
            # Not enough lease left to finish the HTTP call: release it untouched.
            self.finish(row, status=SmsStatus.PENDING, lease_until=None, attempts=row.attempts - 1)
            return 0
        started = utcnow()
        try:
            result = self.gateway.send(
                to=row.to_e164, body=self.final_body(row, links), status_callback=self.callback
            )
        except RetryLater as exc:
            self.retry_later(row, exc)
            return 0
        except (InvalidNumber, OptedOut, PermanentFailure) as exc:
            self.health.answered()  # the provider works; this message or number does not
            self.refused(row, exc)
            return 0
        except Exception as exc:  # OutcomeUnknown, or anything unexpected: maybe sent
            reason = exc.reason if isinstance(exc, GatewayError) else type(exc).__name__
            code = exc.code if isinstance(exc, GatewayError) else None
            if not isinstance(exc, OutcomeUnknown):
                log.exception("SMS %s: unexpected error while sending", row.id)
            self.health.failed(reason)
            self.finish(
                row,
                status=SmsStatus.UNKNOWN,
                reconcile_since=started,
                # Reconcile after the grace period, later while the provider keeps failing.
                due_at=utcnow() + max(self.grace, self.backoff_delay(row.attempts)),
                lease_until=None,
                error_code=code,
                error_message=f"outcome unknown: {reason}"[:500],
            )
            return 0
        self.health.answered()
        done = self.finish(
            row,
            status=SmsStatus.SENT,
            twilio_sid=result.sid,
            sent_at=utcnow(),
            lease_until=None,
            error_code=None,
            error_message="",
        )
        return 1 if done else 0

    def hold(self, row: Any, now: datetime) -> None:
        """Back to pending at the end of the quiet hours (not an attempt), or expired if the
        message is no longer useful by then."""
        when = next_send_time(now, useful_until=self.useful_until(row), quiet=self.quiet)
        if when is None:
            self.expire(row, "quiet hours last past it")
            return
        self.finish(
            row, status=SmsStatus.PENDING, due_at=when, lease_until=None, attempts=row.attempts - 1
        )
        log.info("SMS %s held until the quiet hours end", row.id)

    def retry_later(self, row: Any, exc: RetryLater) -> None:
        unreachable = exc.code == UNREACHABLE_CODE
        if unreachable and row.retried_unreachable:
            self.give_up(row, f"unreachable twice: {exc.reason}", exc.code)
            return
        if not unreachable:
            self.health.failed(exc.reason)
        delay = max(self.backoff_delay(row.attempts), timedelta(seconds=exc.delay_seconds))
        self.pending_again(
            row,
            utcnow() + delay,
            retried_unreachable=bool(row.retried_unreachable or unreachable),
            error_code=exc.code,
            error_message=f"retrying: {exc.reason}"[:500],
        )

    def refused(self, row: Any, exc: GatewayError) -> None:
        self.give_up(row, f"{type(exc).__name__}: {exc.reason}", exc.code)
        if row.user_id is None:
            return
        with session_scope(self.engine) as session:
            user = session.get(User, row.user_id)
            if user is None:
                return
            if isinstance(exc, OptedOut):
                opt_out(session, user, reason="Twilio 21610")
            elif isinstance(exc, InvalidNumber):
                mark_phone_invalid(session, user)
                tell_leaders_invalid_number(session, row, user)


def dispatch_due(app: Flask, gateway: SmsGateway | None = None) -> int:
    """One run of the job: reconcile, then send due rows; returns how many were sent."""
    own = gateway is None
    active = gateway or gateway_from_config(app.config)
    try:
        with app.app_context():
            dispatcher = Dispatcher(app, active)
            dispatcher.expire_leases()
            sent = dispatcher.reconcile()
            sent += dispatcher.send_claimed()
            dispatcher.health.record(dispatcher.engine)
            return sent
    finally:
        close = getattr(active, "close", None)
        if own and close is not None:
            close()


def due_count(app: Flask, *, now: datetime | None = None) -> int:
    """Rows a dispatch run could act on now (pending or unknown and due)."""
    t = table()
    moment = now or utcnow()
    with get_engine(app).connect() as connection:
        query = select(t.c.id).where(
            t.c.status.in_([SmsStatus.PENDING, SmsStatus.UNKNOWN]), t.c.due_at <= moment
        )
        return len(connection.execute(query).all())
