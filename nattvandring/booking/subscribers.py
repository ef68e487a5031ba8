"""Booking's reactions to other areas' events (same transaction, flush only)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from .. import events
from ..audit.services import record
from ..clock import to_local, utcnow
from ..i18n import _l
from ..planning.models import Shift
from .models import Assignment, ReserveEntry, ReserveStatus
from .services_booking import end_bookings_of_cancelled_shift


@events.subscribe(events.ShiftCancelled)
def end_bookings(session: Session, event: events.ShiftCancelled) -> None:
    """A cancelled shift ends its active bookings (booking's own cancel, no second copy)."""
    end_bookings_of_cancelled_shift(
        session, shift_id=event.shift_id, actor_id=event.actor_id, reason=event.reason
    )


@events.subscribe(events.ShiftCancelled)
def withdraw_reserve_list(session: Session, event: events.ShiftCancelled) -> None:
    """A cancelled shift can no longer be offered to anyone waiting for it."""
    entries = session.exec(
        select(ReserveEntry).where(
            ReserveEntry.shift_id == event.shift_id,
            col(ReserveEntry.status).in_([ReserveStatus.WAITING, ReserveStatus.OFFERED]),
        )
    ).all()
    for entry in entries:
        entry.status = ReserveStatus.WITHDRAWN
        session.add(entry)


@events.subscribe(events.PersonErased)
def leave_future_walks(session: Session, event: events.PersonErased) -> None:
    """An erased person walks no more: their places on walks that have not started free up."""
    now = utcnow()
    rows = session.exec(
        select(Assignment, Shift)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .where(Assignment.user_id == event.user_id, Shift.start_at > now)
    ).all()
    for assignment, shift in rows:
        record(
            session,
            actor_id=None,
            action="roster.removed_on_erasure",
            object_type="shift",
            object_id=shift.id,
            municipality_id=shift.municipality_id,
        )
        session.delete(assignment)
    if rows:
        session.flush()


def _email_leaders(session: Session, *, association_id: int, subject, body, key: str):
    """An e-mail to each leader of the association who has an address (deduplicated).

    ``subject`` and ``body`` are lazy texts, rendered in each leader's language; the sweep
    that expires offers runs in the worker, outside any request.
    """
    from flask_babel import force_locale

    from ..mail.services import queue_email
    from ..messaging.services_roster import leaders

    for leader in leaders(session, association_id):
        if leader.email and leader.anonymized_at is None:
            with force_locale(leader.language or "sv"):
                subject_text, body_text = str(subject), str(body)
            queue_email(
                session,
                to_address=leader.email,
                to_name=leader.name,
                subject=subject_text,
                body_text=body_text,
                kind="reserve_offer",
                dedupe_key=f"{key}:{leader.id}",
            )


def _night(session: Session, shift_id: int) -> tuple[str, str]:
    from ..planning.models import PatrolArea

    shift = session.get(Shift, shift_id)
    assert shift is not None
    area = session.get(PatrolArea, shift.area_id)
    return f"{to_local(shift.start_at):%Y-%m-%d %H:%M}", area.name if area else ""


def _offer_stamp(session: Session, entry_id: int) -> str:
    """Entry and offer time: an association that left the list and came back gets a new
    offer, and its e-mail must not be taken for the first one's."""
    entry = session.get(ReserveEntry, entry_id)
    offered = entry.offered_at if entry is not None and entry.offered_at else None
    return f"{entry_id}:{int(offered.timestamp()) if offered else 0}"


@events.subscribe(events.ReserveOffered)
def email_reserve_offer(session: Session, event: events.ReserveOffered) -> None:
    when, area = _night(session, event.shift_id)
    until = f"{to_local(event.expires_at):%Y-%m-%d %H:%M}" if event.expires_at else ""
    _email_leaders(
        session,
        association_id=event.association_id,
        subject=(
            _l("Ett pass från reservlistan erbjuds er: %(area)s %(when)s", area=area, when=when)
        ),
        body=(
            _l(
                "Nattvandringen %(when)s i %(area)s har blivit ledig och ni står först på "
                "reservlistan.\n\nFram till %(until)s kan bara ni boka den. Boka på "
                "föreningens sida i Nattvandring. Efter det går erbjudandet vidare till nästa "
                "förening på listan.\n",
                when=when,
                area=area,
                until=until,
            )
        ),
        key=f"reserve_offer:{_offer_stamp(session, event.reserve_entry_id)}",
    )


@events.subscribe(events.ReserveOfferExpired)
def email_reserve_offer_expired(session: Session, event: events.ReserveOfferExpired) -> None:
    when, area = _night(session, event.shift_id)
    _email_leaders(
        session,
        association_id=event.association_id,
        subject=_l("Erbjudandet gick ut: %(area)s %(when)s", area=area, when=when),
        body=(
            _l(
                "Erbjudandet om nattvandringen %(when)s i %(area)s gick ut utan att ni bokade "
                "den. Passet går nu vidare till nästa förening på reservlistan.\n",
                when=when,
                area=area,
            )
        ),
        key=f"reserve_expired:{_offer_stamp(session, event.reserve_entry_id)}",
    )
