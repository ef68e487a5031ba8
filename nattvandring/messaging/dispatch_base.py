"""The dispatcher's bookkeeping: loading claimed rows, personal links, results, and the
reconciliation of ``unknown`` rows (a 5xx, a timeout or a dead worker) with Twilio's list of
sent messages before anything is sent again, and the helpers that put a row back to
``pending`` (never inside quiet hours, never past its usefulness) or mark it ``expired``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col
from sqlmodel import select as sm_select

from .. import stable_links, tokens
from ..accounts.models import TokenPurpose, User
from ..clock import utcnow
from ..db import get_engine, session_scope, writer
from ..outbox import finish
from .gateways import GatewayError, SmsGateway
from .health import RunHealth
from .models import SmsMessage, SmsStatus
from .services import status_callback_url
from .services_timing import A_DAY, Backoff, QuietHours, expiry_reason, next_send_time
from .texts import CODE_MARKER, LINK_MARKER, personal_url

log = logging.getLogger(__name__)

LOOKUP_SLACK = timedelta(minutes=2)
LEASE_MARGIN = timedelta(seconds=5)


def table() -> Table:
    return SmsMessage.__table__  # type: ignore[attr-defined]


class DispatcherBase:
    """Settings, gateway and engine of one run; bookkeeping and reconciliation."""

    def __init__(self, app: Flask, gateway: SmsGateway) -> None:
        config = app.config
        self.app = app
        self.engine: Engine = get_engine(app)
        self.gateway = gateway
        self.batch_size = int(config["OUTBOX_BATCH_SIZE"])
        self.lease_seconds = int(config["OUTBOX_LEASE_SECONDS"])
        self.quiet = QuietHours.from_config(config)
        self.backoff = Backoff.from_config(config)
        self.health = RunHealth()
        self.grace = timedelta(seconds=int(config.get("SMS_RECONCILE_GRACE_SECONDS", 120)))
        self.send_time = timedelta(seconds=float(config["TWILIO_TIMEOUT_SECONDS"])) + LEASE_MARGIN
        self.callback = status_callback_url(config)
        self.base_url = str(config["PUBLIC_BASE_URL"])
        self.secret_key = tokens.signing_keys(config)

    # -- bookkeeping -----------------------------------------------------------------------
    def finish(self, row: Any, **values: Any) -> bool:
        done = finish(self.engine, table(), row.id, expected_lease=row.lease_until, **values)
        if not done:
            log.warning("SMS %s: lease lost before the result was recorded", row.id)
        return done

    def useful_until(self, row: Any) -> datetime:
        """The row's ``not_after``; rows queued before every row had one get a day."""
        return row.not_after or row.created_at + A_DAY

    def backoff_delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=self.backoff.seconds(attempts))

    def pending_again(self, row: Any, wanted: datetime, **values: Any) -> None:
        """Pending at the first moment from ``wanted`` outside quiet hours (unless the row
        ignores them), or expired if the message is no longer useful by then."""
        when = next_send_time(
            wanted,
            useful_until=self.useful_until(row),
            quiet=self.quiet,
            ignores_quiet_hours=bool(row.ignores_quiet_hours),
        )
        if when is None:
            last = values.get("error_message") or row.error_message
            self.expire(row, f"last error: {last}" if last else "")
            return
        self.finish(row, status=SmsStatus.PENDING, due_at=when, lease_until=None, **values)

    def expire(self, row: Any, detail: str = "") -> None:
        if not detail and row.error_message:
            detail = f"last error: {row.error_message}"
        reason = expiry_reason(row.kind) + (f"; {detail}" if detail else "")
        self.finish(row, status=SmsStatus.EXPIRED, lease_until=None, error_message=reason[:500])
        log.info("SMS %s expired: %s", row.id, reason)

    def load(self, ids: list[int]) -> list[Any]:
        with self.engine.connect() as connection:
            t = table()
            return list(connection.execute(select(t).where(t.c.id.in_(ids)).order_by(t.c.id)))

    def people_and_links(self, rows: list[Any]) -> tuple[dict[int, User], dict[int, str]]:
        user_ids = {row.user_id for row in rows if row.user_id is not None}
        needs_link = {row.user_id for row in rows if LINK_MARKER in row.body and row.user_id}
        if not user_ids:
            return {}, {}
        with session_scope(self.engine, write=bool(needs_link)) as session:
            found = session.exec(sm_select(User).where(col(User.id).in_(user_ids))).all()
            users = {user.id: user for user in found}
            links = {
                user_id: personal_url(
                    self.base_url,
                    stable_links.stable_link(
                        session,
                        TokenPurpose.PERSONAL_PAGE,
                        secret_key=self.secret_key,
                        user_id=user_id,
                    ),
                )
                for user_id in needs_link
                if user_id in users
            }
        return users, links  # type: ignore[return-value]

    def final_body(self, row: Any, links: dict[int, str]) -> str:
        """The text as sent: the personal link and a verification code are filled in only
        now, so neither is ever stored (a code is derived from the row's own dedupe key)."""
        body = str(row.body)
        if LINK_MARKER in body:
            body = body.replace(LINK_MARKER, links.get(row.user_id, ""))
        if CODE_MARKER in body:
            code = tokens.code_from_key(self.secret_key[0], row.dedupe_key)
            body = body.replace(CODE_MARKER, code)
        return body

    # -- expired leases and unknown outcomes ------------------------------------------------
    def expire_leases(self) -> int:
        """Rows left ``sending`` by a dead worker become ``unknown`` (lookup before resend)."""
        t = table()
        now = utcnow()
        with writer(self.engine).begin() as connection:
            stale = connection.execute(
                select(t.c.id, t.c.lease_until).where(
                    t.c.status == SmsStatus.SENDING, t.c.lease_until < now
                )
            ).all()
            for row_id, lease_until in stale:
                connection.execute(
                    update(t)
                    .where(t.c.id == row_id, t.c.status == SmsStatus.SENDING)
                    .where(t.c.lease_until == lease_until)
                    .values(
                        status=SmsStatus.UNKNOWN,
                        # A send, if any, happened after the row was due.
                        reconcile_since=func.coalesce(t.c.reconcile_since, t.c.due_at),
                        due_at=lease_until + self.grace,
                        lease_until=None,
                        error_message="worker stopped while sending; checking with Twilio",
                    )
                )
        if stale:
            log.warning("%s SMS rows had an expired lease; reconciling them", len(stale))
        return len(stale)

    def claim_unknown(self) -> list[int]:
        t = table()
        now = utcnow()
        condition = (t.c.status == SmsStatus.UNKNOWN) & (t.c.due_at <= now)
        candidates = select(t.c.id).where(condition).order_by(t.c.due_at, t.c.id)
        candidates = candidates.limit(self.batch_size)
        if self.engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        # A CTE runs once; PostgreSQL may re-run a LIMIT ... FOR UPDATE subquery of IN per
        # row (skipping rows this statement already updated) and claim far past the limit.
        claimable = candidates.cte("claimable")
        statement = (
            update(t)
            .where(t.c.id.in_(select(claimable.c.id)))
            .where(condition)
            .values(
                status=SmsStatus.SENDING, lease_until=now + timedelta(seconds=self.lease_seconds)
            )
            .returning(t.c.id)
        )
        with writer(self.engine).begin() as connection:
            return sorted(row[0] for row in connection.execute(statement))

    def known_sids(self, row: Any) -> set[str]:
        t = table()
        with self.engine.connect() as connection:
            found = connection.execute(
                select(t.c.twilio_sid).where(
                    t.c.to_e164 == row.to_e164, t.c.twilio_sid.is_not(None), t.c.id != row.id
                )
            )
            return {sid for (sid,) in found}

    def reconcile(self) -> int:
        """Look up every due ``unknown`` row; returns how many turned out to be sent."""
        ids = self.claim_unknown()
        if not ids:
            return 0
        rows = self.load(ids)
        _users, links = self.people_and_links(rows)
        found_count = 0
        for row in rows:
            since = (row.reconcile_since or row.due_at) - LOOKUP_SLACK
            try:
                found = self.gateway.lookup(
                    to=row.to_e164,
                    body=self.final_body(row, links),
                    sent_after=since,
                    exclude_sids=self.known_sids(row),
                )
            except GatewayError as exc:
                self.health.failed(exc.reason)
                self.finish(
                    row,
                    status=SmsStatus.UNKNOWN,
                    due_at=utcnow() + max(self.grace, self.backoff_delay(row.attempts)),
                    lease_until=None,
                    error_message=f"lookup failed: {exc.reason}"[:500],
                )
                continue
            self.health.answered()
            if found is not None:
                found_count += self.finish(
                    row,
                    status=SmsStatus.SENT,
                    twilio_sid=found.sid,
                    sent_at=utcnow(),
                    lease_until=None,
                    error_message="",
                )
                log.info("SMS %s was sent after all (%s)", row.id, found.sid)
            else:
                # Not sent: again at once if still useful (and not in quiet hours).
                self.pending_again(row, utcnow())
                log.info("SMS %s not found at Twilio; it will be sent again if useful", row.id)
        return found_count

    def give_up(self, row: Any, reason: str, code: int | None = None) -> None:
        self.finish(
            row,
            status=SmsStatus.FAILED,
            lease_until=None,
            error_message=reason[:500],
            error_code=code,
        )
        log.warning("SMS %s failed for good: %s", row.id, reason)
