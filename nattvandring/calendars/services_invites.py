"""E-mailed calendar invites (iTIP): REQUEST when a volunteer gets a walk or it changes,
CANCEL when it is cancelled or they leave it. Only for volunteers with an e-mail address.

An invite carries the walk's SEQUENCE from its ``EventVersion``, the one every feed shows
for the same UID (``calendars.changes`` raises it with each change, before the invite is
rendered). Should an invite still have to go above it (a CANCEL after a REQUEST of the same
version), the event's version is lifted to match, so no feed shows a lower SEQUENCE than a
mailbox. The outbox's dedupe key ``ics:<shift>:<user>:<sequence>:<method>`` records what was
sent and stops duplicates.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from email.utils import parseaddr

from babel.dates import format_datetime
from sqlalchemy import select
from sqlmodel import Session

from .. import tokens
from ..accounts.models import User
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking
from ..clock import to_local
from ..mail.models import EmailMessage
from ..mail.services import queue_email
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
from . import changes
from .ical import InviteMethod, render_invite
from .models import EventVersion
from .services_links import personal_page_url
from .services_personal import personal_event, walk_of

log = logging.getLogger(__name__)
KIND = "calendar_invite"


@dataclass(frozen=True)
class InviteSettings:
    host: str
    base_url: str
    secret_key: tokens.SigningKeys
    mail_from: str
    alarm_minutes: int | None

    @classmethod
    def from_config(cls, config) -> InviteSettings:  # type: ignore[no-untyped-def]
        alarm = int(config["FEED_ALARM_MINUTES"])
        return cls(
            host=config["CALENDAR_HOST"],
            base_url=config["PUBLIC_BASE_URL"].rstrip("/"),
            secret_key=tokens.signing_keys(config),
            mail_from=config["MAIL_FROM"],
            alarm_minutes=alarm if alarm > 0 else None,
        )


def _history(session: Session, shift_id: int, user_id: int) -> list[tuple[int, str]]:
    """(sequence, method) of the invites already queued for this person and shift."""
    prefix = f"ics:{shift_id}:{user_id}:"
    keys = session.exec(
        select(EmailMessage.dedupe_key).where(EmailMessage.dedupe_key.startswith(prefix))
    ).all()
    found = []
    for (key,) in keys:
        _ics, _shift, _user, sequence, method = key.split(":")
        found.append((int(sequence), method))
    return sorted(found)


def next_sequence(shift_sequence: int, method: InviteMethod, history: list[tuple[int, str]]):
    """The SEQUENCE for this invite, or None when it would repeat what was already sent."""
    if not history:
        return shift_sequence
    last_sequence, last_method = history[-1]
    if method == "CANCEL":
        if last_method == "CANCEL":
            return None
        return max(shift_sequence, last_sequence + 1)
    if last_method == "CANCEL":
        return max(shift_sequence, last_sequence + 1)
    return shift_sequence if shift_sequence > last_sequence else None


def send_invite(
    session: Session,
    *,
    shift_id: int,
    user_id: int,
    association_id: int,
    method: InviteMethod,
    settings: InviteSettings,
    booking_id: int | None = None,
) -> EmailMessage | None:
    """Queue one invite for a volunteer (if they have an e-mail address).

    Works after the assignment row is gone too (a removal may delete it): the booking is
    then found by shift and association.
    """
    user = session.get(User, user_id)
    if user is None or not user.email or user.anonymized_at is not None:
        return None
    shift = session.get(Shift, shift_id)
    if shift is None:
        return None
    assignment = session.exec(
        select(Assignment).where(Assignment.shift_id == shift_id, Assignment.user_id == user_id)
    ).scalar_one_or_none()
    if booking_id is None and assignment is not None:
        booking_id = assignment.booking_id
    booking = (
        session.get(Booking, booking_id)
        if booking_id is not None
        else session.exec(
            select(Booking)
            .where(Booking.shift_id == shift_id, Booking.association_id == association_id)
            .order_by(Booking.id.desc())
        )
        .scalars()
        .first()
    )
    if booking is None:
        return None
    # The flush raises the walk's EventVersion for the change this invite announces.
    session.flush()
    version = session.exec(
        select(EventVersion).where(EventVersion.shift_id == shift_id)
    ).scalar_one_or_none()
    if version is not None:
        session.refresh(version)
    history = _history(session, shift_id, user_id)
    sequence = next_sequence(version.sequence if version else 0, method, history)
    if sequence is None:
        return None
    if version is None or sequence > version.sequence:
        changes.raise_sequence(session, shift_id, sequence)
    area = session.get(PatrolArea, shift.area_id)
    association = session.get(Association, booking.association_id)
    municipality = session.get(Municipality, shift.municipality_id)
    assert area is not None and association is not None and municipality is not None
    page = personal_page_url(
        session, user_id=user.id, secret_key=settings.secret_key, base_url=settings.base_url
    )  # type: ignore[arg-type]
    event = personal_event(
        walk_of(shift, booking, area, association, municipality, version),
        base_url=settings.base_url,
        alarm_minutes=settings.alarm_minutes,
    )
    if method == "REQUEST" and event.status == "CANCELLED":
        method = "CANCEL"
    event = dataclasses.replace(event, sequence=sequence)
    organizer = parseaddr(settings.mail_from)[1] or "noreply@" + settings.host
    ics = render_invite(
        method=method,
        event=event,
        host=settings.host,
        organizer_email=organizer,
        organizer_name=association.name,
        attendee_email=user.email,
        attendee_name=user.name,
    )
    # Works outside a request too (jobs): Swedish, Stockholm time, no Flask-Babel.
    when = format_datetime(
        to_local(shift.start_at).replace(tzinfo=None), "EEE d MMM yyyy 'kl.' HH:mm", locale="sv"
    )
    if method == "CANCEL":
        subject = f"Inställt: nattvandring {area.name} {when}"
        intro = f"Nattvandringen i {area.name} {when} är inställd för dig."
    elif history:
        subject = f"Ändrat: nattvandring {area.name} {when}"
        intro = f"Nattvandringen i {area.name} har ändrats. Ny tid: {when}."
    else:
        subject = f"Nattvandring {area.name} {when}"
        intro = f"Du är med och nattvandrar i {area.name} {when}."
    details = f"{event.description}\nDin sida: {page}"
    body = "\n\n".join([f"Hej {user.name}!", intro, details, "/" + association.name])
    message = queue_email(
        session,
        to_address=user.email,
        to_name=user.name,
        subject=subject,
        body_text=body,
        kind=KIND,
        ics=ics.decode("utf-8"),
        ics_method=method,
        dedupe_key=f"ics:{shift.id}:{user.id}:{sequence}:{method}",
    )
    session.flush()
    log.info("Queued calendar %s for shift %s (sequence %s)", method, shift.id, sequence)
    return message


def assignments_of_shift(session: Session, shift_id: int) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment)
            .where(
                Assignment.shift_id == shift_id,
                Assignment.status != AssignmentStatus.DECLINED,
            )
            .order_by(Assignment.id)
        ).scalars()
    )


def assignments_of_booking(session: Session, booking_id: int) -> list[Assignment]:
    return list(
        session.exec(
            select(Assignment)
            .where(
                Assignment.booking_id == booking_id,
                Assignment.status != AssignmentStatus.DECLINED,
            )
            .order_by(Assignment.id)
        ).scalars()
    )
