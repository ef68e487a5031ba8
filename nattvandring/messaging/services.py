"""The SMS outbox: queueing in the caller's transaction, cancelling, opt-outs, gateways.

Functions here take the caller's ``session`` and only flush. Nothing here talks to Twilio:
the dispatch job does, after the transaction that queued a row has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .. import stable_links, tokens
from ..accounts.models import TokenPurpose, User
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from .gateways import ConsoleGateway, SmsGateway, TwilioGateway
from .models import OPEN_STATUSES, SmsMessage, SmsStatus
from .services_timing import QuietHours, Walk, schedule, useful_until
from .texts import LINK_MARKER

log = logging.getLogger(__name__)

STATUS_WEBHOOK_PATH = "/webhooks/twilio/status"
INBOUND_WEBHOOK_PATH = "/webhooks/twilio/inbound"
RETRYABLE_BY_HAND = (SmsStatus.FAILED, SmsStatus.UNDELIVERED, SmsStatus.UNKNOWN)


def gateway_from_config(config: Mapping[str, Any]) -> SmsGateway:
    """``console`` (default) or ``twilio`` from the TWILIO_* settings."""
    if config.get("SMS_BACKEND", "console") != "twilio":
        return ConsoleGateway()
    return TwilioGateway(
        account_sid=config["TWILIO_ACCOUNT_SID"],
        auth_token=config["TWILIO_AUTH_TOKEN"],
        from_number=config.get("TWILIO_FROM") or None,
        messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID") or None,
        validity_period_s=int(config.get("TWILIO_VALIDITY_PERIOD_SECONDS", 14400)),
        timeout_s=float(config.get("TWILIO_TIMEOUT_SECONDS", 10)),
        # Only for tests and benchmarks: a local fake of the Twilio API.
        base_url=config.get("TWILIO_API_BASE_URL") or None,
    )


def status_callback_url(config: Mapping[str, Any]) -> str | None:
    if config.get("SMS_BACKEND", "console") != "twilio":
        return None
    return str(config["PUBLIC_BASE_URL"]).rstrip("/") + STATUS_WEBHOOK_PATH


def skip_reason(user: User | None) -> str | None:
    """Why this person gets no SMS (None: they can get one)."""
    if user is None:
        return "no such user"
    if user.anonymized_at is not None:
        return "erased"
    if not user.phone_e164:
        return "no phone number"
    if user.sms_opt_out:
        return "opted out"
    if user.phone_invalid:
        return "phone marked invalid"
    return None


def queue_sms(
    session: Session,
    *,
    kind: str,
    user: User,
    body: str,
    dedupe_key: str,
    due_at: datetime | None = None,
    not_after: datetime | None = None,
    deliver_by: datetime | None = None,
    answer: bool = False,
    shift_id: int | None = None,
    association_id: int | None = None,
    municipality_id: int | None = None,
) -> SmsMessage | None:
    """Add one outbox row, unless the person can't get SMS or the key was already queued.

    ``due_at`` is when the message is wanted (default now); it is moved out of quiet hours
    by ``services_timing.schedule`` with ``deliver_by`` (default: ``not_after``) as the
    deadline, unless ``answer`` (a reply to the person's own SMS or request: never held).
    ``not_after`` is when it stops being useful; by default it follows from the kind and the
    walk (``services_timing.useful_until``).
    """
    reason = skip_reason(user)
    if reason is not None:
        log.info("No %s SMS for user %s: %s", kind, user.id if user else None, reason)
        return None
    if session.exec(select(SmsMessage.id).where(SmsMessage.dedupe_key == dedupe_key)).first():
        log.debug("SMS %s already queued", dedupe_key)
        return None
    if LINK_MARKER in body:
        # Create the personal link now (in this transaction); its value is derived at send.
        stable_links.stable_link(
            session,
            TokenPurpose.PERSONAL_PAGE,
            secret_key=tokens.signing_keys(current_app.config),
            user_id=user.id,
        )
    due, not_after, ignores_quiet = _timing(
        session, kind, due_at, not_after, deliver_by, shift_id=shift_id, answer=answer
    )
    row = SmsMessage(
        kind=kind,
        to_e164=user.phone_e164 or "",
        user_id=user.id,
        shift_id=shift_id,
        association_id=association_id,
        municipality_id=municipality_id,
        language=user.language or "sv",
        body=body,
        due_at=due,
        not_after=not_after,
        ignores_quiet_hours=ignores_quiet,
        dedupe_key=dedupe_key,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # queued concurrently by another transaction
        log.debug("SMS %s queued concurrently", dedupe_key)
        return None
    log.info("Queued %s SMS %s for user %s", kind, row.id, user.id)
    return row


def _timing(
    session: Session,
    kind: str,
    due_at: datetime | None,
    not_after: datetime | None,
    deliver_by: datetime | None,
    *,
    shift_id: int | None,
    answer: bool,
) -> tuple[datetime, datetime, bool]:
    """(due, useful until, ignores quiet hours) of a row being queued."""
    from ..planning.models import Shift  # planning's services import messaging

    now = utcnow()
    if not_after is None:
        shift = session.get(Shift, shift_id) if shift_id is not None else None
        walk = Walk(shift.start_at, shift.end_at) if shift is not None else None
        not_after = useful_until(kind, queued_at=now, walk=walk)
    wanted = due_at or now
    if answer:
        return wanted, not_after, True
    quiet = QuietHours.from_config(current_app.config)
    due = schedule(wanted, now=now, deadline=deliver_by or not_after, quiet=quiet)
    # Still inside quiet hours: the walk starts before they end, so the message goes anyway
    # (rule 3 of ``services_timing``), and so may its retries.
    return due, not_after, quiet.window(due) is not None


def queue_sms_to_number(
    session: Session,
    *,
    kind: str,
    to_e164: str,
    body: str,
    dedupe_key: str,
    language: str = "sv",
    not_after: datetime | None = None,
) -> SmsMessage | None:
    """An SMS to a number that is not (or not yet) the recipient's own: a verification code.

    These answer the person's own action (they asked for a code, they changed the number), so
    quiet hours do not hold them; they are useful until ``not_after`` (default 24 h).

    If the number belongs to someone, the row is theirs, so their STOPP and an invalid-number
    mark apply here and in the dispatcher. The caller answers the same either way.
    """
    owner = session.exec(
        select(User).where(User.phone_e164 == to_e164, col(User.anonymized_at).is_(None))
    ).first()
    reason = skip_reason(owner) if owner is not None else None
    if reason is not None:
        log.info("No %s SMS to the number of user %s: %s", kind, owner.id, reason)  # type: ignore[union-attr]
        return None
    row = SmsMessage(
        kind=kind,
        to_e164=to_e164,
        user_id=owner.id if owner is not None else None,
        language=language,
        body=body,
        due_at=utcnow(),
        not_after=not_after or useful_until(kind, queued_at=utcnow()),
        ignores_quiet_hours=True,
        dedupe_key=dedupe_key,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same message, queued by a concurrent request
        log.debug("SMS %s queued concurrently", dedupe_key)
        return None
    log.info("Queued %s SMS %s", kind, row.id)
    return row


def open_rows(
    session: Session,
    *,
    user_id: int | None = None,
    shift_id: int | None = None,
    association_id: int | None = None,
    kinds: Iterable[str] | None = None,
) -> list[SmsMessage]:
    query = select(SmsMessage).where(col(SmsMessage.status).in_(list(OPEN_STATUSES)))
    if user_id is not None:
        query = query.where(SmsMessage.user_id == user_id)
    if shift_id is not None:
        query = query.where(SmsMessage.shift_id == shift_id)
    if association_id is not None:
        query = query.where(SmsMessage.association_id == association_id)
    if kinds is not None:
        query = query.where(col(SmsMessage.kind).in_(list(kinds)))
    return list(session.exec(query.order_by(col(SmsMessage.id))).all())


def cancel_rows(session: Session, rows: Iterable[SmsMessage], reason: str) -> int:
    count = 0
    for row in rows:
        # Free the dedupe key, so the same message can be queued again later (a volunteer
        # who declined and then confirmed gets their reminders back).
        if "|x" not in row.dedupe_key:
            row.dedupe_key = f"{row.dedupe_key}|x{row.id}"
        row.status = SmsStatus.CANCELLED
        row.error_message = reason[:500]
        row.lease_until = None
        session.add(row)
        count += 1
    session.flush()
    return count


def readdress_open_rows(session: Session, user: User, new_e164: str) -> int:
    """The person's number changed: what is still waiting goes to the new number, not to
    whoever has the old one now."""
    rows = [row for row in open_rows(session, user_id=user.id) if row.to_e164 == user.phone_e164]
    for row in rows:
        row.to_e164 = new_e164
        session.add(row)
    session.flush()
    return len(rows)


def opt_out(session: Session, user: User, *, reason: str) -> int:
    """The person wants no SMS: flag them and cancel everything still waiting."""
    user.sms_opt_out = True
    session.add(user)
    cancelled = cancel_rows(session, open_rows(session, user_id=user.id), reason)
    log.info("User %s opted out of SMS (%s); %s messages cancelled", user.id, reason, cancelled)
    return cancelled


def opt_in(session: Session, user: User) -> None:
    user.sms_opt_out = False
    session.add(user)
    session.flush()
    log.info("User %s opted in to SMS again", user.id)


def mark_phone_invalid(session: Session, user: User) -> None:
    user.phone_invalid = True
    session.add(user)
    cancel_rows(session, open_rows(session, user_id=user.id), "invalid number")
    log.info("User %s: phone number marked invalid", user.id)


def scrub_person(session: Session, user_id: int) -> int:
    """Erasure: remove the number and text of every message to this person."""
    rows = list(session.exec(select(SmsMessage).where(SmsMessage.user_id == user_id)).all())
    for row in rows:
        if row.status in OPEN_STATUSES:
            row.status = SmsStatus.CANCELLED
        row.to_e164 = ""
        row.body = ""
        row.error_message = ""
        session.add(row)
    session.flush()
    log.info("Scrubbed %s SMS rows of user %s", len(rows), user_id)
    return len(rows)


def retry_by_hand(session: Session, row: SmsMessage) -> None:
    """An admin's retry. An unknown outcome is reconciled with Twilio before any resend."""
    if row.status not in RETRYABLE_BY_HAND:
        raise RuleViolation("not_retryable", _l("Det här SMS:et kan inte skickas om."))
    if row.not_after is not None and row.not_after <= utcnow():
        raise RuleViolation("not_useful", _l("Det här SMS:et är inte längre aktuellt."))
    user = session.get(User, row.user_id) if row.user_id is not None else None
    if user is not None and user.sms_opt_out:
        raise RuleViolation("opted_out", _l("Mottagaren har tackat nej till SMS (STOPP)."))
    if not row.to_e164:
        raise RuleViolation("no_number", _l("Mottagaren har inget nummer."))
    if user is not None and user.phone_e164 and user.phone_invalid:
        user.phone_invalid = False  # the admin vouches for the number: try it again
        row.to_e164 = user.phone_e164
        session.add(user)
    if row.status != SmsStatus.UNKNOWN:
        row.status = SmsStatus.PENDING
        row.reconcile_since = None
    row.attempts = 0
    row.due_at = utcnow()
    row.error_message = ""
    session.add(row)
    session.flush()
    log.info("SMS %s queued again by hand", row.id)
