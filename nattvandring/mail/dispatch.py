"""The worker's e-mail job: claim due messages, send outside any transaction, record."""

from __future__ import annotations

import logging
import re
import smtplib
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from ..clock import utcnow
from ..db import get_engine
from ..outbox import claim, finish
from .backends import MailBackend, OutgoingMail, backend_from_config
from .models import EmailMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


# Invitation, reset, registration and e-mail-change links open an account or prove an
# address; once the mail is out, the copy kept in the outbox must not (a database copy would
# otherwise hold working links).
_SECRET_LINK = re.compile(r"(/(?:invitation|reset|register|email)/)[A-Za-z0-9_\-]+")


def redact_links(body: str) -> str:
    return _SECRET_LINK.sub(r"\1[borttagen efter utskick]", body)


def dispatch_due(app: Flask, backend: MailBackend | None = None) -> int:
    """Send every due e-mail; returns how many were sent."""
    engine = get_engine(app)
    table = EmailMessage.__table__  # type: ignore[attr-defined]
    backend = backend or backend_from_config(app.config)
    claimed = claim(
        engine,
        table,
        batch_size=int(app.config["OUTBOX_BATCH_SIZE"]),
        lease_seconds=int(app.config["OUTBOX_LEASE_SECONDS"]),
    )
    if not claimed.ids:
        return 0
    with engine.connect() as connection:
        rows = connection.execute(select(table).where(table.c.id.in_(claimed.ids))).all()
    sent = 0
    for row in rows:
        mail = OutgoingMail(
            to_address=row.to_address,
            to_name=row.to_name,
            subject=row.subject,
            body_text=row.body_text,
            ics=row.ics,
            ics_method=row.ics_method,
        )
        try:
            backend.send(mail)
        except (smtplib.SMTPException, OSError) as exc:
            final = row.attempts >= MAX_ATTEMPTS
            finish(
                engine,
                table,
                row.id,
                expected_lease=row.lease_until,
                status="failed" if final else "pending",
                due_at=utcnow() + timedelta(minutes=2**row.attempts),
                last_error=f"{type(exc).__name__}: {exc}"[:500],
                lease_until=None,
            )
            log.warning(
                "E-mail %s failed (attempt %s): %s", row.id, row.attempts, type(exc).__name__
            )
            continue
        finish(
            engine,
            table,
            row.id,
            expected_lease=row.lease_until,
            status="sent",
            sent_at=utcnow(),
            lease_until=None,
            body_text=redact_links(row.body_text),
        )
        sent += 1
    return sent
