"""Safety nudges to the leader, through the SMS outbox.

- ``not_started``: 20 minutes after the start nobody in the booked group has checked in:
  "Har ni kommit i väg?". Useful until the planned end.
- ``still_out``: two hours after the planned end walkers are still checked in: a gentle
  check. Useful for an hour (``rules.NUDGE_USEFUL_FOR``).

Each fires at most once per booking: the scan inserts a ``CheckinNudge`` row under a unique
(booking, kind) key before it queues anything, in the same transaction, so two workers
scanning at once queue one set of SMS (the second insert fails, on PostgreSQL after waiting
for the first transaction). A coordinator turns either nudge off for their municipality.

The SMS rows carry ``not_after`` = the end of the nudge's usefulness: the dispatcher retries
them while useful and never sends them later (also not after a provider outage). Quiet hours
are applied by ``queue_sms`` with that moment as the deadline, so a nudge in the night is not
held until morning (it goes at once, and may be retried in the night): the leader is out
walking.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..accounts.models import User
from ..audit.services import record
from ..booking.models import Booking
from ..clock import utcnow
from ..messaging import services_roster as roster
from ..messaging.models import OPEN_STATUSES, SmsKind, SmsMessage
from ..messaging.services import cancel_rows, queue_sms
from ..messaging.services_notices import shift_context
from ..messaging.texts import render
from ..planning.models import PatrolArea, Shift
from . import rules
from .models import CheckEvent, CheckinNudge, CheckinSettings, CheckKind, NudgeKind
from .queries import live_bookings, times_by_walker

log = logging.getLogger(__name__)

SMS_KIND = {
    NudgeKind.NOT_STARTED: SmsKind.LEADER_NOT_STARTED,
    NudgeKind.STILL_OUT: SmsKind.LEADER_STILL_OUT,
}


def settings_for(session: Session, municipality_id: int) -> CheckinSettings:
    """The municipality's settings (not stored until changed: both nudges on)."""
    found = session.exec(
        select(CheckinSettings).where(CheckinSettings.municipality_id == municipality_id)
    ).first()
    return found or CheckinSettings(municipality_id=municipality_id)


def save_settings(
    session: Session,
    municipality_id: int,
    *,
    not_started: bool,
    still_out: bool,
    actor_id: int | None,
) -> CheckinSettings:
    found = settings_for(session, municipality_id)
    changed = [
        f"{name}: {old} → {new}"
        for name, old, new in (
            ("nudge_not_started", found.nudge_not_started, not_started),
            ("nudge_still_out", found.nudge_still_out, still_out),
        )
        if old != new
    ]
    found.nudge_not_started = not_started
    found.nudge_still_out = still_out
    found.updated_by_id = actor_id
    found.updated_at = utcnow()
    try:
        with session.begin_nested():
            session.add(found)
            session.flush()
    except IntegrityError:  # saved at the same moment by another coordinator: update theirs
        session.expire_all()
        return save_settings(
            session,
            municipality_id,
            not_started=not_started,
            still_out=still_out,
            actor_id=actor_id,
        )
    if changed:  # a safety setting: who turned a nudge off, and when
        record(
            session,
            actor_id=actor_id,
            action="municipality.nudges_changed",
            object_type="municipality",
            object_id=municipality_id,
            municipality_id=municipality_id,
            details="; ".join(changed),
        )
    return found


def is_on(settings: CheckinSettings, kind: NudgeKind) -> bool:
    if kind == NudgeKind.NOT_STARTED:
        return settings.nudge_not_started
    return settings.nudge_still_out


def due_nudge(
    kind: NudgeKind,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    anyone_checked: bool,
    anyone_in: bool,
) -> datetime | None:
    """Until when the nudge of ``kind`` is useful, if it is due now; else None (pure)."""
    if kind == NudgeKind.NOT_STARTED:
        if not anyone_checked and start + rules.NOT_STARTED_AFTER <= now < end:
            return end
        return None
    moment = end + rules.STILL_OUT_AFTER
    if anyone_in and moment <= now < moment + rules.NUDGE_USEFUL_FOR:
        return moment + rules.NUDGE_USEFUL_FOR
    return None


def _claim(session: Session, booking_id: int, kind: NudgeKind) -> bool:
    try:
        with session.begin_nested():
            session.add(CheckinNudge(booking_id=booking_id, kind=kind))
            session.flush()
    except IntegrityError:
        return False
    return True


def _already(session: Session, booking_id: int, kind: NudgeKind) -> bool:
    return (
        session.exec(
            select(CheckinNudge.id).where(
                CheckinNudge.booking_id == booking_id, CheckinNudge.kind == kind
            )
        ).first()
        is not None
    )


def _queue(
    session: Session, kind: NudgeKind, booking: Booking, shift: Shift, useful_until: datetime
) -> int:
    area = session.get(PatrolArea, shift.area_id)
    association = roster.association(session, booking.association_id)
    if area is None or association is None:
        return 0
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    queued = 0
    leader: User
    for leader in roster.leaders(session, booking.association_id):
        context = shift_context(shift, area, leader.language)
        context.update(
            association=association.name,
            group_url=f"{base}/booking/bookings/{booking.id}/roster",
        )
        row = queue_sms(
            session,
            kind=SMS_KIND[kind],
            user=leader,
            body=render(SMS_KIND[kind], leader.language, context),
            dedupe_key=f"nudge:{kind}:{booking.id}:{leader.id}",
            # Useful until its moment passes: retries stop then, and quiet hours (which
            # queue_sms applies with this deadline) never hold it past it.
            not_after=useful_until,
            shift_id=shift.id,
            association_id=booking.association_id,
            municipality_id=shift.municipality_id,
        )
        queued += row is not None
    return queued


def scan(session: Session, *, now: datetime | None = None) -> int:
    """Fire the nudges that are due; returns the number of SMS queued."""
    now = now or utcnow()
    municipality_ids = set(
        session.exec(
            select(Shift.municipality_id)
            .where(
                Shift.start_at <= now - rules.NOT_STARTED_AFTER,
                Shift.end_at >= now - rules.STILL_OUT_AFTER - rules.NUDGE_USEFUL_FOR,
            )
            .distinct()
        ).all()
    )
    queued = 0
    settings: dict[int, CheckinSettings] = {}
    for booking, shift, _area, _association in live_bookings(session, municipality_ids, now):
        if shift.municipality_id not in settings:
            settings[shift.municipality_id] = settings_for(session, shift.municipality_id)
        times = times_by_walker(session, booking.id)  # type: ignore[arg-type]
        anyone_checked = bool(times) or _has_events(session, booking.id)  # type: ignore[arg-type]
        for kind in NudgeKind:
            if not is_on(settings[shift.municipality_id], kind):
                continue
            useful_until = due_nudge(
                kind,
                start=shift.start_at,
                end=shift.end_at,
                now=now,
                anyone_checked=anyone_checked,
                anyone_in=any(t.checked_in for t in times.values()),
            )
            if useful_until is None or _already(session, booking.id, kind):  # type: ignore[arg-type]
                continue
            if not _claim(session, booking.id, kind):  # type: ignore[arg-type]
                continue  # another worker fired it at this moment
            log.info("Nudge %s for booking %s", kind, booking.id)
            queued += _queue(session, kind, booking, shift, useful_until)
    return queued


def withdraw(session: Session, booking_id: int, shift_id: int, checked: str) -> int:
    """A nudge still waiting to go out (the provider was down, say) is withdrawn once its
    reason is gone: "Har ni kommit i väg?" when someone checks in, the gentle check when the
    last walker checks out. Returns the number of SMS withdrawn."""
    if checked == CheckKind.IN:
        kind, reason = NudgeKind.NOT_STARTED, "no longer useful: the group has checked in"
    else:
        times = times_by_walker(session, booking_id)
        if any(t.checked_in for t in times.values()):
            return 0
        kind, reason = NudgeKind.STILL_OUT, "no longer useful: every walker has checked out"
    rows = session.exec(
        select(SmsMessage).where(
            SmsMessage.shift_id == shift_id,
            SmsMessage.kind == SMS_KIND[kind],
            col(SmsMessage.status).in_(list(OPEN_STATUSES)),
            col(SmsMessage.dedupe_key).startswith(f"nudge:{kind}:{booking_id}:"),
        )
    ).all()
    withdrawn = cancel_rows(session, rows, reason)
    if withdrawn:
        log.info("Nudge %s for booking %s withdrawn: %s", kind, booking_id, reason)
    return withdrawn


def _has_events(session: Session, booking_id: int) -> bool:
    return (
        session.exec(select(CheckEvent.id).where(CheckEvent.booking_id == booking_id)).first()
        is not None
    )


__all__ = ["due_nudge", "save_settings", "scan", "settings_for", "withdraw"]
