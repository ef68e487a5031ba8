"""Messaging reacts to planning and booking events by queueing SMS in the same transaction."""

from __future__ import annotations

from sqlmodel import Session

from .. import events
from ..accounts.models import User
from ..clock import to_local
from . import services_calls
from . import services_roster as roster
from .models import SmsKind, SmsMessage
from .services import cancel_rows, open_rows, scrub_person
from .services_notices import (
    confirm_and_remind,
    ensure_reminders,
    notify_cancelled,
    shift_changed,
    stop_walker_messages,
    to_leaders,
)


def _superseded(rows: list[SmsMessage]) -> list[SmsMessage]:
    """Everything about a walk that is off, except the notices saying so."""
    return [row for row in rows if row.kind not in (SmsKind.CANCELLATION, SmsKind.REMOVED)]


@events.subscribe(events.AssignmentAdded)
def on_assignment_added(session: Session, event: events.AssignmentAdded) -> None:
    confirm_and_remind(
        session,
        assignment_id=event.assignment_id,
        shift_id=event.shift_id,
        user_id=event.user_id,
        association_id=event.association_id,
    )


@events.subscribe(events.AssignmentRemoved)
def on_assignment_removed(session: Session, event: events.AssignmentRemoved) -> None:
    user = session.get(User, event.user_id)
    if user is None:
        return
    notify_cancelled(
        session,
        shift_id=event.shift_id,
        users=[(user, event.association_id)],
        kind=SmsKind.REMOVED,
        dedupe_prefix=f"removed:{event.assignment_id}",
        reason="removed from the group",
    )


@events.subscribe(events.AssignmentDeclined)
def on_assignment_declined(session: Session, event: events.AssignmentDeclined) -> None:
    stop_walker_messages(
        session, shift_id=event.shift_id, user_id=event.user_id, reason="volunteer declined"
    )
    volunteer = session.get(User, event.user_id)
    found = roster.shift_and_area(session, event.shift_id)
    if volunteer is None or found is None:
        return
    to_leaders(
        session,
        SmsKind.LEADER_DECLINED,
        association_id=event.association_id,
        shift_id=event.shift_id,
        dedupe_key=f"declined:{event.assignment_id}",
        extra={
            "volunteer": volunteer.name,
            "count": roster.group_size(session, event.shift_id, event.association_id),
            "minimum": found[0].min_walkers,
        },
    )


@events.subscribe(events.AssignmentConfirmed)
def on_assignment_confirmed(session: Session, event: events.AssignmentConfirmed) -> None:
    """Confirming again after a decline brings the (cancelled) reminders back."""
    found = roster.shift_and_area(session, event.shift_id)
    volunteer = session.get(User, event.user_id)
    if found is not None and volunteer is not None:
        ensure_reminders(session, *found, volunteer, association_id=event.association_id)


@events.subscribe(events.ShiftChanged)
def on_shift_changed(session: Session, event: events.ShiftChanged) -> None:
    shift_changed(session, shift_id=event.shift_id)


@events.subscribe(events.ShiftCancelled)
def on_shift_cancelled(session: Session, event: events.ShiftCancelled) -> None:
    cancel_rows(session, _superseded(open_rows(session, shift_id=event.shift_id)), "walk cancelled")
    users = [
        (user, roster.booking_association(session, assignment))
        for assignment, user in roster.walkers(session, event.shift_id, active_only=False)
    ]
    notify_cancelled(
        session,
        shift_id=event.shift_id,
        users=users,
        kind=SmsKind.CANCELLATION,
        dedupe_prefix=f"cancel:{event.shift_id}",
        reason="walk cancelled",
    )


@events.subscribe(events.BookingCancelled)
def on_booking_cancelled(session: Session, event: events.BookingCancelled) -> None:
    pending = open_rows(session, shift_id=event.shift_id, association_id=event.association_id)
    cancel_rows(session, _superseded(pending), "booking cancelled")
    users = [
        (user, event.association_id)
        for _assignment, user in roster.walkers(
            session, event.shift_id, booking_id=event.booking_id, active_only=False
        )
    ]
    notify_cancelled(
        session,
        shift_id=event.shift_id,
        users=users,
        kind=SmsKind.CANCELLATION,
        dedupe_prefix=f"cancel:{event.shift_id}",
        reason="booking cancelled",
    )


@events.subscribe(events.ReserveOffered)
def on_reserve_offered(session: Session, event: events.ReserveOffered) -> None:
    to_leaders(
        session,
        SmsKind.RESERVE_OFFERED,
        association_id=event.association_id,
        shift_id=event.shift_id,
        # A second offer of the same entry (it left the list and came back) is a new SMS.
        dedupe_key=f"reserve:{event.reserve_entry_id}"
        + (f":{int(event.expires_at.timestamp())}" if event.expires_at else ""),
        extra={"until": _until(event.expires_at)},
    )


def _until(instant) -> str:
    if instant is None:
        return ""
    local = to_local(instant)
    return f"{local:%Y-%m-%d %H:%M}"


@events.subscribe(events.ReserveOfferExpired)
def on_reserve_offer_expired(session: Session, event: events.ReserveOfferExpired) -> None:
    to_leaders(
        session,
        SmsKind.RESERVE_EXPIRED,
        association_id=event.association_id,
        shift_id=event.shift_id,
        dedupe_key=f"reserve_expired:{event.reserve_entry_id}",
    )


@events.subscribe(events.WalkerCallOpened)
def on_walker_call_opened(session: Session, event: events.WalkerCallOpened) -> None:
    services_calls.ask_members(
        session,
        call_id=event.call_id,
        shift_id=event.shift_id,
        association_id=event.association_id,
        user_ids=event.user_ids,
    )


@events.subscribe(events.WalkerCallFilled)
def on_walker_call_filled(session: Session, event: events.WalkerCallFilled) -> None:
    services_calls.stop_asking(
        session,
        call_id=event.call_id,
        shift_id=event.shift_id,
        association_id=event.association_id,
    )


@events.subscribe(events.ReportDue)
def on_report_due(session: Session, event: events.ReportDue) -> None:
    extra = {"due_date": to_local(event.due_at).strftime("%Y-%m-%d")}
    to_leaders(
        session,
        SmsKind.LEADER_REPORT_DUE,
        association_id=event.association_id,
        shift_id=event.shift_id,
        dedupe_key=f"report_due:{event.booking_id}",
        extra=extra,
        before_start=False,
    )


@events.subscribe(events.PersonErased)
def on_person_erased(session: Session, event: events.PersonErased) -> None:
    scrub_person(session, event.user_id)
