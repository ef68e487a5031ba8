"""Telling the person who acts when the SMS they cause will go out (quiet hours).

SMS wanted inside quiet hours wait for their end (``services_timing.schedule``). A leader who
adds walkers at 22:45 should learn then that the confirmations go at 08:00, not wonder why
nobody answers: ``held_until`` reads the queued rows, ``quiet_until`` says whether a message
queued now would wait, and ``note`` is the sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, select

from ..clock import to_local, utcnow
from ..i18n import _
from .models import SmsMessage, SmsStatus
from .services_timing import QuietHours

# A row due this little after now goes out with the next dispatch: it does not "wait".
SLACK = timedelta(minutes=1)


def held_until(session: Session, dedupe_keys: Sequence[str]) -> datetime | None:
    """The latest send time of these pending rows, if it lies ahead (quiet hours); else None."""
    if not dedupe_keys:
        return None
    latest = session.exec(
        select(SmsMessage.due_at).where(
            col(SmsMessage.dedupe_key).in_(list(dedupe_keys)),
            SmsMessage.status == SmsStatus.PENDING,
        )
    ).all()
    due = max(latest, default=None)
    if due is None or due <= utcnow() + SLACK:
        return None
    return due


def quiet_until(now: datetime | None = None) -> datetime | None:
    """When the quiet hours around ``now`` end (None: it is not quiet now)."""
    window = QuietHours.from_config(current_app.config).window(now or utcnow())
    return window[1] if window is not None else None


def note(instant: datetime) -> str:
    """'SMS:en skickas kl 08:00 (inga SMS går ut på natten).' with the day when not today."""
    local = to_local(instant)
    days = (local.date() - to_local(utcnow()).date()).days
    if days == 0:
        return _("SMS:en skickas kl %(time)s: inga SMS går ut på natten.", time=f"{local:%H:%M}")
    if days == 1:
        return _(
            "SMS:en skickas i morgon kl %(time)s: inga SMS går ut på natten.",
            time=f"{local:%H:%M}",
        )
    return _(
        "SMS:en skickas %(day)s kl %(time)s: inga SMS går ut på natten.",
        day=f"{local:%Y-%m-%d}",
        time=f"{local:%H:%M}",
    )
