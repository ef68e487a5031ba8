"""Queueing e-mail in the caller's transaction (never sent inside a request)."""

from __future__ import annotations

import logging

from sqlmodel import Session

from .models import EmailMessage

log = logging.getLogger(__name__)


def queue_email(
    session: Session,
    *,
    to_address: str,
    subject: str,
    body_text: str,
    kind: str,
    to_name: str = "",
    ics: str | None = None,
    ics_method: str | None = None,
    dedupe_key: str | None = None,
) -> EmailMessage:
    message = EmailMessage(
        to_address=to_address,
        to_name=to_name,
        subject=subject[:200],
        body_text=body_text,
        kind=kind,
        ics=ics,
        ics_method=ics_method,
        dedupe_key=dedupe_key,
    )
    session.add(message)
    log.info("Queued e-mail of kind %s", kind)
    return message
