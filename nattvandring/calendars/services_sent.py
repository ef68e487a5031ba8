"""The admin's view of sent e-mail: each message with its calendar invite's METHOD, UID and
SEQUENCE, so invites can be checked with any mail backend (the console one included)."""

from __future__ import annotations

from dataclasses import dataclass

import icalendar
from sqlmodel import Session, col, select

from ..mail.models import EmailMessage

PAGE_SIZE = 200


@dataclass(frozen=True)
class SentEmail:
    message: EmailMessage
    method: str | None
    uid: str | None
    sequence: int | None


def invite_of(ics: str | None) -> tuple[str | None, str | None, int | None]:
    """(METHOD, UID, SEQUENCE) of an attached invite; Nones without one or if unreadable."""
    if not ics:
        return None, None, None
    try:
        calendar = icalendar.Calendar.from_ical(ics)
        event = next(iter(calendar.walk("VEVENT")))
    except (ValueError, StopIteration):
        return None, None, None
    sequence = event.get("SEQUENCE")
    method = calendar.get("METHOD")
    return (
        str(method) if method is not None else None,
        str(event.get("UID")) if event.get("UID") is not None else None,
        int(sequence) if sequence is not None else None,
    )


def sent_emails(session: Session, *, limit: int = PAGE_SIZE) -> list[SentEmail]:
    """The newest e-mails first (queued, sent or failed)."""
    messages = session.exec(
        select(EmailMessage).order_by(col(EmailMessage.id).desc()).limit(limit)
    ).all()
    return [SentEmail(message, *invite_of(message.ics)) for message in messages]
