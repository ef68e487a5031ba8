"""Twilio webhooks: delivery status callbacks and inbound SMS (JA/NEJ/STOPP/START/HJÄLP, and
MEDLEM JA/NEJ to a question about joining an association; START/SLUT and IN/UT check the
walker in and out, see ``nattvandring.checkins``; JA/NEJ to "Vi behöver en till", see
``services_calls``).

Both are CSRF-exempt (Twilio cannot send a token), rate-limited, and accepted only with a
valid ``X-Twilio-Signature`` computed over the public URL: PUBLIC_BASE_URL + path, or, when
PROXY_FIX_HOPS > 0, the URL ProxyFix rebuilt from X-Forwarded-Proto/Host. A repeated
``I-Twilio-Idempotency-Token``, or an inbound SMS whose ``MessageSid`` was handled before, is
answered without doing anything again.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Request
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select
from twilio.request_validator import RequestValidator, get_signature_algorithm

from ..accounts.models import User
from ..booking.models import AssignmentStatus
from ..checkins.rules import check_word, fold
from ..checkins.sms import answer_check
from ..clock import utcnow
from ..errors import RuleViolation
from ..volunteers.services_requests import answer_by_sms, open_questions
from . import services_calls
from . import services_roster as roster
from .gateways import InvalidNumber, OptedOut, classify_error_code
from .models import InboundReceipt, SmsMessage, SmsStatus, WebhookReceipt
from .services import mark_phone_invalid, opt_in, opt_out
from .services_notices import shift_context, tell_leaders_invalid_number
from .texts import render

log = logging.getLogger(__name__)

COMMANDS = {
    "JA": "yes",
    "YES": "yes",
    "NEJ": "no",
    "NO": "no",
    "STOPP": "stop",
    "STOP": "stop",
    "STOPALL": "stop",
    "UNSUBSCRIBE": "stop",
    "START": "start",
    "UNSTOP": "start",
    "HJÄLP": "help",
    "HJALP": "help",
    "HELP": "help",
    "INFO": "help",
}
# The code word of an answer to "do you want to join?": MEDLEM JA, ja medlem, MEMBER YES.
MEMBERSHIP_WORDS = {"MEDLEM", "MEDLEMSKAP", "MEMBER", "MEMBERSHIP"}
_WORD = re.compile(r"[^\W\d_]+")
UNREACHABLE_RETRY_MINUTES = 15


def parse_command(body: str | None) -> str | None:
    """'ja!' -> 'yes', ' Nej ' -> 'no', 'Stopp.' -> 'stop'; None if not a command."""
    return parse_reply(body)[0]


def parse_reply(body: str | None) -> tuple[str | None, bool]:
    """The command, and whether the reply answers a membership question.

    The rule is the code word, so that no reply is ambiguous: JA or NEJ alone answers the
    next walk (as it always has); with MEDLEM (before or after) it answers the question
    about joining an association that was asked last. 'Medlem ja' -> ('yes', True).
    """
    # Composed first: a decomposed "ä" (a and a combining mark) would split "hjälp" in two.
    words = _WORD.findall(unicodedata.normalize("NFC", body or "").upper())
    about_membership = any(word in MEMBERSHIP_WORDS for word in words)
    rest = [word for word in words if word not in MEMBERSHIP_WORDS]
    return (COMMANDS.get(rest[0]) if rest else None), about_membership


# --- request checks ---------------------------------------------------------------------------


def public_url(request: Request, config: Mapping[str, Any]) -> str:
    """The URL Twilio called, as Twilio saw it (what the signature covers)."""
    if int(config.get("PROXY_FIX_HOPS", 0)) > 0:
        return request.url
    query = request.query_string.decode()
    base = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def signature_valid(request: Request, config: Mapping[str, Any]) -> bool:
    token = config.get("TWILIO_AUTH_TOKEN") or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    return RequestValidator(token).validate(
        public_url(request, config), request.form, signature, algorithm=algorithm
    )


def _claim(session: Session, receipt: SQLModel) -> bool:
    """Insert a receipt whose unique key says "handled"; False when it already was.

    No SELECT first: the unique constraint decides, also between two requests at once (on
    PostgreSQL the second INSERT waits for the first transaction, then fails).
    """
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:
        return False
    return True


def first_time(session: Session, token: str | None) -> bool:
    """Record an idempotency token; False if it was seen before."""
    if not token:
        return True
    return _claim(session, WebhookReceipt(token=token[:128]))


def first_inbound(session: Session, message_sid: str | None) -> bool:
    """Record an inbound SMS's MessageSid; False if that message was handled before."""
    if not message_sid:
        return True  # Twilio always sends one; without it there is nothing to recognise
    return _claim(session, InboundReceipt(message_sid=message_sid[:64]))


# --- status callbacks -------------------------------------------------------------------------

_FINAL = {"delivered": SmsStatus.DELIVERED, "undelivered": SmsStatus.UNDELIVERED}
_FINAL["failed"] = SmsStatus.FAILED


def apply_status(
    session: Session, *, sid: str, status: str, error_code: str | None
) -> SmsMessage | None:
    """Record a delivery report. Never moves a delivered message back."""
    row = session.exec(select(SmsMessage).where(SmsMessage.twilio_sid == sid)).first()
    if row is None:
        log.info("Status callback for an unknown message SID")
        return None
    new = _FINAL.get(status.lower())
    if new is None:
        if status.lower() == "sent" and row.status in (SmsStatus.SENDING, SmsStatus.UNKNOWN):
            row.status = SmsStatus.SENT
            row.sent_at = row.sent_at or utcnow()
        session.add(row)
        return row
    if row.status == SmsStatus.DELIVERED:
        return row
    row.status = new
    if new == SmsStatus.DELIVERED:
        row.delivered_at = utcnow()
        row.error_code = None
        row.error_message = ""
        session.add(row)
        return row
    # Twilio's codes are five digits: anything else is kept as none, never a failed insert.
    digits = error_code if error_code and error_code.isascii() and error_code.isdigit() else ""
    code = int(digits) if 0 < len(digits) <= 9 else None
    row.error_code = code
    row.error_message = f"Twilio {status}" + (f" ({code})" if code else "")
    _after_delivery_error(session, row, code)
    session.add(row)
    return row


def _after_delivery_error(session: Session, row: SmsMessage, code: int | None) -> None:
    if code is None:
        return
    user = session.get(User, row.user_id) if row.user_id is not None else None
    error = classify_error_code(code, row.error_message)
    if isinstance(error, InvalidNumber) and user is not None:
        mark_phone_invalid(session, user)
        tell_leaders_invalid_number(session, row, user)
    elif isinstance(error, OptedOut) and user is not None:
        opt_out(session, user, reason="Twilio 21610")
    elif code == 30003 and not row.retried_unreachable:
        # Unreachable (phone off): one more try a little later, as a new message.
        row.retried_unreachable = True
        row.status = SmsStatus.PENDING
        row.due_at = utcnow() + timedelta(minutes=UNREACHABLE_RETRY_MINUTES)
        row.error_message = f"unreachable; retrying once (previous SID {row.twilio_sid})"
        row.twilio_sid = None


# --- inbound SMS ------------------------------------------------------------------------------


def _reply(kind: str, user: User, context: Mapping[str, Any] | None = None) -> str:
    values = {"name": (user.name or "").split(" ")[0], **(context or {})}
    return render(f"reply_{kind}", user.language, values)


def _check_in_or_out(session: Session, user: User, kind: str, *, opt_in_too: bool) -> str:
    """START also keeps its old meaning: it turns SMS on again for someone who sent STOPP."""
    log.info("Inbound SMS from user %s: check %s", user.id, kind)
    was_opted_out = user.sms_opt_out
    if opt_in_too and was_opted_out:
        opt_in(session, user)
    reply, context = answer_check(session, user, kind)
    if was_opted_out and opt_in_too and reply not in ("checked_in", "already_in"):
        return _reply("start", user)
    return _reply(reply, user, context)


def handle_inbound(session: Session, *, from_e164: str, body: str) -> str | None:
    """Act on a reply; returns the answer text, or None for unknown senders (no answer)."""
    user = roster.user_by_phone(session, from_e164)
    if user is None:
        log.info("Inbound SMS from an unknown number; ignored")
        return None
    checking = check_word(body)
    if checking is not None:
        return _check_in_or_out(session, user, checking, opt_in_too=fold(body or "") == "START")
    command, about_membership = parse_reply(body)
    log.info(
        "Inbound SMS from user %s: %s%s",
        user.id,
        command or "unrecognised",
        " (membership)" if about_membership else "",
    )
    if command == "stop":
        opt_out(session, user, reason="replied STOPP")
        return _reply("stop", user)
    if command == "start":
        opt_in(session, user)
        return _reply("start", user)
    if command == "help":
        return _reply("help", user)
    if command not in ("yes", "no"):
        return _reply("unknown", user)
    if about_membership:
        try:
            kind, membership_context = answer_by_sms(session, user, yes=command == "yes")
        except RuleViolation:  # answered on the page at the same moment
            return _reply("no_question", user)
        return _reply(kind, user, membership_context)
    asked = services_calls.answer(session, user, yes=command == "yes")
    if asked is not None:  # an answer to "Vi behöver en till"
        return asked
    assignment = roster.next_assignment(session, user.id, utcnow())  # type: ignore[arg-type]
    found = roster.shift_and_area(session, assignment.shift_id) if assignment else None
    if assignment is None or found is None:
        questions = open_questions(session, user.id)  # type: ignore[arg-type]
        if questions:  # a bare JA/NEJ never answers a membership question: say how to
            return _reply("join_hint", user, {"association": questions[0][1].name})
        return _reply("no_walk", user)
    context = shift_context(*found, user.language)
    try:
        if command == "no":
            roster.decline_assignment(session, assignment)
            return _reply("declined", user, context)
        if assignment.status == AssignmentStatus.DECLINED:
            return _reply("already_declined", user, context)
        roster.confirm_assignment(session, assignment)
    except RuleViolation:
        return _reply("no_walk", user)
    return _reply("confirmed", user, context)
