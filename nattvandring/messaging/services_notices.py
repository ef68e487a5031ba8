"""The messages the walks cause: confirmation, reminders, changes, cancellations, leader notes.

Each function renders the text for the recipient's language and queues it with a dedupe key,
in the caller's session (the same transaction as the change, via the event subscribers).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlmodel import Session

from ..accounts.models import User
from ..clock import utcnow
from ..planning.models import PatrolArea, Shift
from . import services_roster as roster
from .models import SmsKind, SmsMessage, SmsStatus
from .services import cancel_rows, open_rows, queue_sms
from .services_timing import A_DAY, QuietHours, Walk, reminder_times, useful_until
from .texts import (
    LINK_MARKER,
    TOKEN_LENGTH,
    ics_url,
    local_clock,
    local_day,
    reminder_wording,
    render,
)

log = logging.getLogger(__name__)


def _config() -> Mapping[str, Any]:
    return current_app.config


def _base_url() -> str:
    return str(_config()["PUBLIC_BASE_URL"]).rstrip("/")


def _link_length() -> int:
    return len(f"{_base_url()}/me/") + TOKEN_LENGTH


def _quiet() -> QuietHours:
    return QuietHours.from_config(_config())


def first_name(user: User) -> str:
    return (user.name or "").split(" ")[0]


def shift_context(shift: Shift, area: PatrolArea, language: str) -> dict[str, Any]:
    return {
        "date": local_day(shift.start_at, language),
        "start": local_clock(shift.start_at),
        "end": local_clock(shift.end_at),
        "area": area.name,
        "meeting_point": area.meeting_point or area.name,
        "ics_url": ics_url(_base_url(), shift.id),  # type: ignore[arg-type]
        "base_url": _base_url(),
    }


def _volunteer_text(kind: str, user: User, shift: Shift, area: PatrolArea, **extra: Any) -> str:
    context = shift_context(shift, area, user.language)
    context.update(name=first_name(user), personal_url=LINK_MARKER, **extra)
    return render(kind, user.language, context, link_length=_link_length())


def _reminder(user: User, shift: Shift, area: PatrolArea, due: datetime) -> tuple[str, datetime]:
    """The reminder's text as sent at ``due`` ("i morgon ..." / "i kväll"), and until when
    it is useful: the walk's start, or earlier when its wording stops being true."""
    wording = reminder_wording(due, shift.start_at, user.language)
    body = _volunteer_text(wording.template, user, shift, area, when=wording.when)
    return body, min(shift.start_at, wording.true_until)


def _queue_for_walker(
    session: Session,
    kind: SmsKind,
    user: User,
    shift: Shift,
    area: PatrolArea,
    *,
    association_id: int | None,
    dedupe_key: str,
    due_at: datetime | None = None,
) -> SmsMessage | None:
    now = utcnow()
    # A confirmation or reminder is of no use once the walk has started; a notice of a
    # change or cancellation is, until its end (walkers already out are told).
    if now >= useful_until(kind, queued_at=now, walk=Walk(shift.start_at, shift.end_at)):
        return None
    not_after = None  # from the kind (``services_timing.useful_until``)
    if kind == SmsKind.REMINDER and due_at is not None:
        body, not_after = _reminder(user, shift, area, due_at)
    else:
        body = _volunteer_text(kind, user, shift, area)
    return queue_sms(
        session,
        kind=kind,
        user=user,
        body=body,
        dedupe_key=dedupe_key,
        due_at=due_at,
        not_after=not_after,
        deliver_by=shift.start_at,  # quiet hours never push it past the start
        shift_id=shift.id,
        association_id=association_id,
        municipality_id=shift.municipality_id,
    )


def reminder_key(shift: Shift, user_id: int, offset: int) -> str:
    return f"reminder:{shift.id}:{user_id}:{offset}h:s{shift.sequence}"


def confirm_and_remind(
    session: Session, *, assignment_id: int, shift_id: int, user_id: int, association_id: int
) -> None:
    """A volunteer was added to a walk: confirmation now, reminders before the start."""
    found = roster.shift_and_area(session, shift_id)
    user = session.get(User, user_id)
    if found is None or user is None:
        return
    shift, area = found
    _queue_for_walker(
        session,
        SmsKind.CONFIRMATION,
        user,
        shift,
        area,
        association_id=association_id,
        dedupe_key=f"confirmation:{assignment_id}",
    )
    ensure_reminders(session, shift, area, user, association_id=association_id)


def ensure_reminders(
    session: Session, shift: Shift, area: PatrolArea, user: User, *, association_id: int | None
) -> None:
    offsets = _config().get("SMS_REMINDER_OFFSETS_HOURS", [24, 3])
    for offset, due in reminder_times(shift.start_at, offsets, now=utcnow(), quiet=_quiet()):
        _queue_for_walker(
            session,
            SmsKind.REMINDER,
            user,
            shift,
            area,
            association_id=association_id,
            dedupe_key=reminder_key(shift, user.id, offset),  # type: ignore[arg-type]
            due_at=due,
        )


def shift_changed(session: Session, *, shift_id: int) -> None:
    """Time or place changed: tell every walker, re-time (and re-word) pending reminders."""
    found = roster.shift_and_area(session, shift_id)
    if found is None:
        return
    shift, area = found
    for assignment, user in roster.walkers(session, shift_id):
        association_id = roster.booking_association(session, assignment)
        _queue_for_walker(
            session,
            SmsKind.CHANGE,
            user,
            shift,
            area,
            association_id=association_id,
            dedupe_key=f"change:{shift.id}:{user.id}:s{shift.sequence}",
        )
        retime_reminders(session, shift, area, user, association_id=association_id)


def _offset_of(dedupe_key: str) -> int | None:
    parts = dedupe_key.split(":")
    if len(parts) >= 4 and parts[0] == "reminder" and parts[3].endswith("h"):
        return int(parts[3][:-1])
    return None


def retime_reminders(
    session: Session, shift: Shift, area: PatrolArea, user: User, *, association_id: int | None
) -> None:
    """Move the pending reminders to the new start (new text too); add any now missing."""
    offsets = _config().get("SMS_REMINDER_OFFSETS_HOURS", [24, 3])
    plan = dict(reminder_times(shift.start_at, offsets, now=utcnow(), quiet=_quiet()))
    rows = open_rows(session, shift_id=shift.id, user_id=user.id, kinds=[SmsKind.REMINDER])
    for row in rows:
        if row.status != SmsStatus.PENDING:
            continue  # an unknown outcome is reconciled first, never re-timed
        offset = _offset_of(row.dedupe_key)
        due = plan.get(offset) if offset is not None else None
        if due is None:
            cancel_rows(session, [row], "walk changed: reminder no longer due")
            continue
        row.due_at = due
        row.body, row.not_after = _reminder(user, shift, area, due)
        row.ignores_quiet_hours = _quiet().window(due) is not None
        row.dedupe_key = reminder_key(shift, user.id, offset)  # type: ignore[arg-type]
        session.add(row)
    session.flush()
    ensure_reminders(session, shift, area, user, association_id=association_id)


def stop_walker_messages(session: Session, *, shift_id: int, user_id: int, reason: str) -> None:
    rows = open_rows(session, shift_id=shift_id, user_id=user_id)
    cancel_rows(session, [r for r in rows if r.kind in _WALKER_KINDS], reason)


_WALKER_KINDS = {SmsKind.CONFIRMATION, SmsKind.REMINDER, SmsKind.CHANGE}


def notify_cancelled(
    session: Session,
    *,
    shift_id: int,
    users: Sequence[tuple[User, int | None]],
    kind: SmsKind,
    dedupe_prefix: str,
    reason: str,
) -> None:
    """Cancel the walkers' pending messages and tell each of them (kind: cancellation/removed)."""
    found = roster.shift_and_area(session, shift_id)
    for user, association_id in users:
        stop_walker_messages(session, shift_id=shift_id, user_id=user.id, reason=reason)  # type: ignore[arg-type]
        if found is None:
            continue
        shift, area = found
        _queue_for_walker(
            session,
            kind,
            user,
            shift,
            area,
            association_id=association_id,
            dedupe_key=f"{dedupe_prefix}:{user.id}",
        )


def to_leaders(
    session: Session,
    kind: SmsKind,
    *,
    association_id: int,
    shift_id: int | None,
    dedupe_key: str,
    extra: Mapping[str, Any] | None = None,
    due_at: datetime | None = None,
    before_start: bool = True,
) -> list[SmsMessage]:
    """One message to each leader of the association (dedupe key per leader).

    ``before_start``: the note concerns the walk ahead (quiet hours may not push it past the
    start); False for notes after the walk (report due).
    """
    association = roster.association(session, association_id)
    found = roster.shift_and_area(session, shift_id)
    if association is None:
        return []
    queued = []
    now = utcnow()
    for leader in roster.leaders(session, association_id):
        context: dict[str, Any] = {"association": association.name, "base_url": _base_url()}
        if found is not None:
            context.update(shift_context(*found, leader.language))
        context.update(extra or {})
        body = render(kind, leader.language, context)
        start = found[0].start_at if found is not None and before_start else None
        row = queue_sms(
            session,
            kind=kind,
            user=leader,
            body=body,
            dedupe_key=f"{dedupe_key}:{leader.id}",
            due_at=due_at or now,
            deliver_by=start,
            # A note about the walk ahead is useful until it starts, a note after it for a day.
            not_after=start if start is not None else now + A_DAY,
            shift_id=shift_id,
            association_id=association_id,
            municipality_id=association.municipality_id,
        )
        if row is not None:
            queued.append(row)
    if not queued:
        log.info("No leader of association %s could get the %s SMS", association_id, kind)
    return queued


def understaffed_scan(session: Session, *, hours: int = 48) -> int:
    """Tell leaders whose group is below the shift's minimum within ``hours`` of the start."""
    now = utcnow()
    queued = 0
    for shift, booking in roster.upcoming_bookings(
        session, now=now, until=now + timedelta(hours=hours)
    ):
        count = roster.group_size(session, shift.id, booking.association_id)  # type: ignore[arg-type]
        if count >= shift.min_walkers:
            continue
        queued += len(
            to_leaders(
                session,
                SmsKind.LEADER_UNDERSTAFFED,
                association_id=booking.association_id,
                shift_id=shift.id,
                dedupe_key=f"understaffed:{shift.id}:{booking.id}",
                extra={"count": count, "minimum": shift.min_walkers},
            )
        )
    return queued


_NOTE_KINDS = {
    SmsKind.CONFIRMATION,
    SmsKind.REMINDER,
    SmsKind.CHANGE,
    SmsKind.CANCELLATION,
    SmsKind.REMOVED,
}


def tell_leaders_invalid_number(session: Session, row: Any, user: User) -> None:
    """A walker's number turned out invalid: their association's leaders get one SMS."""
    if row.kind not in _NOTE_KINDS or row.association_id is None:
        return
    digest = hashlib.sha256(str(row.to_e164).encode()).hexdigest()[:12]
    to_leaders(
        session,
        SmsKind.LEADER_INVALID_NUMBER,
        association_id=row.association_id,
        shift_id=row.shift_id,
        dedupe_key=f"invalid_number:{user.id}:{digest}",
        extra={"volunteer": user.name},
        before_start=False,
    )
    log.info("Leaders of association %s told about user %s", row.association_id, user.id)
