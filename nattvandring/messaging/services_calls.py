""" "Vi behöver en till" by SMS: the ask to each member, and the answer to their JA or NEJ.

The rule of who joins is ``booking.calls``; here are the texts. A bare JA or NEJ answers the
person's newest open ask, unless a walk they were put on after that ask still waits for their
answer: then it answers that walk, as it always has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from ..accounts.models import User
from ..booking import calls
from ..booking.models import AssignmentStatus, CallAnswer, WalkerCall
from ..clock import utcnow
from . import services_roster as roster
from .models import SmsKind
from .services import cancel_rows, open_rows, queue_sms
from .services_notices import first_name, shift_context
from .texts import render


def dedupe_prefix(call_id: int) -> str:
    return f"call:{call_id}:"


def ask_members(
    session: Session, *, call_id: int, shift_id: int, association_id: int, user_ids: Sequence[int]
) -> int:
    """Queue the ask to each member (quiet hours may hold it, never past the start)."""
    found = roster.shift_and_area(session, shift_id)
    association = roster.association(session, association_id)
    if found is None or association is None:
        return 0
    shift, area = found
    queued = 0
    for user_id in user_ids:
        user = session.get(User, user_id)
        if user is None:
            continue
        context: dict[str, Any] = shift_context(shift, area, user.language)
        context.update(name=first_name(user), association=association.name)
        row = queue_sms(
            session,
            kind=SmsKind.WALKER_CALL,
            user=user,
            body=render(SmsKind.WALKER_CALL, user.language, context),
            dedupe_key=f"{dedupe_prefix(call_id)}{user_id}",
            deliver_by=shift.start_at,
            shift_id=shift_id,
            association_id=association_id,
            municipality_id=shift.municipality_id,
        )
        queued += row is not None
    return queued


def stop_asking(session: Session, *, call_id: int, shift_id: int, association_id: int) -> int:
    """The call is filled: asks still waiting (quiet hours) are not sent."""
    rows = [
        row
        for row in open_rows(
            session, shift_id=shift_id, association_id=association_id, kinds=[SmsKind.WALKER_CALL]
        )
        if row.dedupe_key.startswith(dedupe_prefix(call_id))
    ]
    return cancel_rows(session, rows, "the group is complete")


_REPLIES = {
    CallAnswer.JOINED: "call_joined",
    CallAnswer.TOO_LATE: "call_full",
    CallAnswer.DECLINED: "call_declined",
    CallAnswer.REFUSED: "call_refused",
}


def answer(session: Session, user: User, *, yes: bool) -> str | None:
    """The reply to a JA/NEJ that answers an ask, or None when it answers no ask."""
    now = utcnow()
    invite = calls.open_invite(session, user.id, now)  # type: ignore[arg-type]
    if invite is None:
        return None
    walk = roster.next_assignment(session, user.id, now)  # type: ignore[arg-type]
    if (
        walk is not None
        and walk.status == AssignmentStatus.ASSIGNED
        and walk.created_at > invite.created_at
    ):
        return None  # the walk was asked later: JA/NEJ answers it
    call = session.get(WalkerCall, invite.call_id)
    found = roster.shift_and_area(session, call.shift_id if call is not None else None)
    outcome, assignment = calls.answer_by_sms(session, invite, yes=yes, now=now)
    if assignment is not None:
        # They said yes already: no confirmation asking for JA, only the reminders.
        rows = open_rows(session, user_id=user.id, kinds=[SmsKind.CONFIRMATION])
        cancel_rows(
            session,
            [r for r in rows if r.dedupe_key == f"confirmation:{assignment.id}"],
            "joined by answering JA",
        )
    context: dict[str, Any] = {"name": first_name(user)}
    if found is not None:
        context.update(shift_context(*found, user.language))
    return render(f"reply_{_REPLIES[CallAnswer(outcome)]}", user.language, context)
