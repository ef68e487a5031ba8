"""E-mail invites on roster and shift changes (written to the outbox in the same session)."""

from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from .. import events, tokens
from ..accounts.models import TokenPurpose
from ..booking.models import Booking
from . import changes, services_cancelled  # noqa: F401 - changes: the flush listener
from .ical import InviteMethod
from .services_invites import (
    InviteSettings,
    assignments_of_booking,
    assignments_of_shift,
    send_invite,
)


def _settings() -> InviteSettings:
    return InviteSettings.from_config(current_app.config)


def _to_each(session: Session, assignments, method: InviteMethod) -> None:  # type: ignore[no-untyped-def]
    settings = _settings()
    for assignment in assignments:
        booking = session.get_one(Booking, assignment.booking_id)
        send_invite(
            session,
            shift_id=assignment.shift_id,
            user_id=assignment.user_id,
            association_id=booking.association_id,
            booking_id=assignment.booking_id,
            method=method,
            settings=settings,
        )


@events.subscribe(events.AssignmentAdded)
def _assignment_added(session: Session, event: events.AssignmentAdded) -> None:
    services_cancelled.forget(session, shift_id=event.shift_id, user_id=event.user_id)
    send_invite(
        session,
        shift_id=event.shift_id,
        user_id=event.user_id,
        association_id=event.association_id,
        method="REQUEST",
        settings=_settings(),
    )


def _cancel_for_one(session: Session, event) -> None:  # type: ignore[no-untyped-def]
    send_invite(
        session,
        shift_id=event.shift_id,
        user_id=event.user_id,
        association_id=event.association_id,
        method="CANCEL",
        settings=_settings(),
    )


events.subscribe(events.AssignmentRemoved)(_cancel_for_one)
# A volunteer who declines (web or SMS) gets the walk taken out of their calendar too.
events.subscribe(events.AssignmentDeclined)(_cancel_for_one)


@events.subscribe(events.ShiftChanged)
def _shift_changed(session: Session, event: events.ShiftChanged) -> None:
    _to_each(session, assignments_of_shift(session, event.shift_id), "REQUEST")


@events.subscribe(events.ShiftCancelled)
def _shift_cancelled(session: Session, event: events.ShiftCancelled) -> None:
    _to_each(session, assignments_of_shift(session, event.shift_id), "CANCEL")


@events.subscribe(events.BookingCancelled)
def _booking_cancelled(session: Session, event: events.BookingCancelled) -> None:
    # Emitted before the group is dropped: the walkers' feeds keep the walk, as cancelled.
    services_cancelled.remember_booking(session, event.booking_id)
    _to_each(session, assignments_of_booking(session, event.booking_id), "CANCEL")


@events.subscribe(events.PersonErased)
def _person_erased(session: Session, event: events.PersonErased) -> None:
    """An erased volunteer's calendar link stops working (404) at once."""
    tokens.revoke(session, TokenPurpose.PERSONAL_FEED, user_id=event.user_id)
    services_cancelled.forget_person(session, event.user_id)
    session.flush()
