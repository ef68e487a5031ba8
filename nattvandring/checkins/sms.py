"""Answers to START / SLUT (and IN / UT) sent by SMS.

The answer goes back in the webhook's own response (TwiML), not through the outbox, so it is
an answer and quiet hours do not hold it back.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ..accounts.models import User
from ..clock import utcnow
from ..messaging.texts import local_clock, local_day
from ..planning.models import PatrolArea, Shift
from . import rules
from .models import CheckSource
from .services import CheckRefused, check, walk_to_check

_REFUSALS = {
    "checkin_too_early": "checkin_too_early",
    "checkin_too_late": "checkin_too_late",
    "checkout_too_late": "checkout_too_late",
    "not_checked_in": "not_checked_in",
}


def _walk_context(session: Session, shift: Shift, language: str) -> dict[str, Any]:
    area = session.get(PatrolArea, shift.area_id)
    return {
        "date": local_day(shift.start_at, language),
        "start": local_clock(shift.start_at),
        "end": local_clock(shift.end_at),
        "area": area.name if area else "",
        "opens": local_clock(rules.check_in_window(shift.start_at, shift.end_at)[0]),
        "closes": local_clock(rules.check_out_window(shift.start_at, shift.end_at)[1]),
    }


def answer_check(session: Session, user: User, kind: str) -> tuple[str, dict[str, Any]]:
    """Check the sender in or out of the walk it is about; (reply template, context)."""
    now = utcnow()
    try:
        assignment = walk_to_check(session, user.id, kind, now)  # type: ignore[arg-type]
        result = check(session, assignment, kind=kind, source=CheckSource.SMS, at=now)
    except CheckRefused as refused:
        if refused.code in _REFUSALS and refused.shift is not None:
            context = _walk_context(session, refused.shift, user.language)
            return _REFUSALS[refused.code], context
        return "no_walk_now", {}
    shift = session.get(Shift, result.event.shift_id)
    assert shift is not None
    context = _walk_context(session, shift, user.language)
    context["at"] = local_clock(result.event.at)
    if kind == "in":
        return ("checked_in" if result.new else "already_in"), context
    return ("checked_out" if result.new else "already_out"), context
