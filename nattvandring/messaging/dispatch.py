"""The worker's SMS job: claim due rows, send outside any transaction, record the result.

Failure policy (per Twilio error, see ``gateways``):

- ``RetryLater`` (429/20429, connection never made, 30003 once): back to ``pending`` with an
  exponential backoff; 30003 is retried at most once.
- ``OutcomeUnknown`` (5xx, read timeout) and any unexpected error: ``unknown``. After
  SMS_RECONCILE_GRACE_SECONDS the row is reconciled with ``gateway.lookup``: found means
  ``sent`` (with Twilio's SID), not found means ``pending`` again (bounded by attempts).
- A lease that expired while ``sending`` (the worker died between claim and result) turns the
  row ``unknown`` the same way, so it is looked up before it is ever sent again.
- ``InvalidNumber``: ``failed``, the person's number is marked invalid and the leaders of the
  walk's association get an SMS (the status also shows on the association's SMS page).
- ``OptedOut``: ``failed`` and the person is opted out. ``PermanentFailure``: ``failed``.
- After SMS_MAX_ATTEMPTS claims the row is ``failed`` with the reason in ``error_message``.

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
    GatewayError,
    InvalidNumber,
    OptedOut,
    OutcomeUnknown,
    PermanentFailure,
    RetryLater,
    SmsGateway,
)
from .models import SmsKind, SmsStatus
from .services import (
    gateway_from_config,
    mark_phone_invalid,
    opt_out,
    skip_reason,
)
from .services_notices import tell_leaders_invalid_number

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
        if reason is None and row.not_after is not None and now >= row.not_after:
            reason = (
                "the code has expired"
                if row.kind == SmsKind.VERIFICATION_CODE
                else "the walk has started"
            )
        if reason is not None:
            self.finish(row, status=SmsStatus.CANCELLED, lease_until=None, error_message=reason)
            log.info("SMS %s cancelled: %s", row.id, reason)
            return 0
        if row.attempts > self.max_attempts:
            self.give_up(row, f"gave up after {row.attempts - 1} attempts: {row.error_message}")
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
            self.refused(row, exc)
            return 0
        except Exception as exc:  # OutcomeUnknown, or anything unexpected: maybe sent
            reason = exc.reason if isinstance(exc, GatewayError) else type(exc).__name__
            code = exc.code if isinstance(exc, GatewayError) else None
            if not isinstance(exc, OutcomeUnknown):
                log.exception("SMS %s: unexpected error while sending", row.id)
            self.finish(
                row,
                status=SmsStatus.UNKNOWN,
                reconcile_since=started,
                due_at=utcnow() + self.grace,
                lease_until=None,
                error_code=code,
                error_message=f"outcome unknown: {reason}"[:500],
            )
            return 0
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

    def retry_later(self, row: Any, exc: RetryLater) -> None:
        unreachable = exc.code == 30003
        if unreachable and row.retried_unreachable:
            self.give_up(row, f"unreachable twice: {exc.reason}", exc.code)
            return
        if row.attempts >= self.max_attempts:
            self.give_up(row, f"gave up after {row.attempts} attempts: {exc.reason}", exc.code)
            return
        backoff = min(3600.0, 30.0 * 2 ** max(row.attempts - 1, 0))
        self.finish(
            row,
            status=SmsStatus.PENDING,
            due_at=utcnow() + timedelta(seconds=max(backoff, float(exc.delay_seconds))),
            lease_until=None,
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
            return sent + dispatcher.send_claimed()
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
