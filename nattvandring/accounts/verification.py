"""Proof of ownership: a six-digit code sent by SMS to a number, or a link e-mailed to an address.

Neither secret is stored. A code is derived from the code SMS's random dedupe key and
SECRET_KEY (``tokens.code_from_key``), filled in by the SMS dispatcher at send time; a link is
kept only as its SHA-256. Codes are few (10^6), so they expire after ``CODE_MINUTES``, a new
code revokes the previous one, at most ``MAX_CODES_PER_HOUR`` are sent per owner and
``MAX_CODES_PER_NUMBER_PER_DAY`` to one number, and the forms that take a code are limited by
``RATELIMIT_CODE_TRIES`` per link (a wrong code writes nothing, so the limiter counts it).
Flush only; the edge commits.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlmodel import Session, col, func, select

from .. import tokens
from ..clock import utcnow
from ..messaging.models import SmsKind
from ..messaging.services import queue_sms_to_number
from ..messaging.texts import CODE_MARKER, render
from .models import Verification, VerificationPurpose

CODE_MINUTES = 15
LINK_HOURS = 24
MAX_CODES_PER_HOUR = 3
MAX_CODES_PER_NUMBER_PER_DAY = 5


def _owned(purpose: VerificationPurpose, user_id: int | None, registration_id: int | None):
    conditions = [Verification.purpose == purpose]
    if user_id is not None:
        conditions.append(Verification.user_id == user_id)
    if registration_id is not None:
        conditions.append(Verification.registration_id == registration_id)
    return conditions


def live(
    session: Session,
    purpose: VerificationPurpose,
    *,
    user_id: int | None = None,
    registration_id: int | None = None,
) -> Verification | None:
    """The owner's current, unused and unexpired proof of ``purpose``, if any."""
    return session.exec(
        select(Verification)
        .where(
            *_owned(purpose, user_id, registration_id),
            col(Verification.verified_at).is_(None),
            col(Verification.revoked_at).is_(None),
            Verification.expires_at > utcnow(),
        )
        .order_by(col(Verification.id).desc())
    ).first()


def _revoke_live(session: Session, conditions: list) -> None:
    now = utcnow()
    for earlier in session.exec(
        select(Verification).where(
            *conditions,
            col(Verification.verified_at).is_(None),
            col(Verification.revoked_at).is_(None),
        )
    ):
        earlier.revoked_at = now
        session.add(earlier)


def send_code(
    session: Session,
    purpose: VerificationPurpose,
    *,
    to_e164: str,
    language: str = "sv",
    user_id: int | None = None,
    registration_id: int | None = None,
) -> Verification | None:
    """Send a new code to ``to_e164`` (revoking the owner's earlier one), or None when a limit
    was reached or the number takes no SMS. Callers answer the same either way."""
    now = utcnow()
    owner_conditions = _owned(purpose, user_id, registration_id)
    sent_lately = session.exec(
        select(func.count())
        .select_from(Verification)
        .where(*owner_conditions, Verification.created_at > now - timedelta(hours=1))
    ).one()
    to_number_today = session.exec(
        select(func.count())
        .select_from(Verification)
        .where(Verification.target == to_e164, Verification.created_at > now - timedelta(days=1))
    ).one()
    if sent_lately >= MAX_CODES_PER_HOUR or to_number_today >= MAX_CODES_PER_NUMBER_PER_DAY:
        return None
    _revoke_live(session, owner_conditions)
    key = f"code:{secrets.token_hex(16)}"
    verification = Verification(
        purpose=purpose,
        target=to_e164,
        user_id=user_id,
        registration_id=registration_id,
        code_key=key,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    session.add(verification)
    session.flush()
    body = render("verification_code", language, {"code": CODE_MARKER, "minutes": CODE_MINUTES})
    queue_sms_to_number(
        session,
        kind=SmsKind.VERIFICATION_CODE,
        to_e164=to_e164,
        body=body,
        dedupe_key=key,
        language=language,
        not_after=verification.expires_at,
    )
    return verification


def normalize_code(typed: str | None) -> str:
    """'123 456' and '123-456' are '123456'."""
    return "".join(ch for ch in (typed or "") if ch.isdigit() and ch.isascii())


def code_matches(verification: Verification | None, typed: str | None) -> bool:
    """Whether ``typed`` is the code sent for ``verification`` (live, of course); writes nothing."""
    if verification is None or verification.code_key is None:
        return False
    if verification.verified_at or verification.revoked_at or verification.expires_at <= utcnow():
        return False
    # Derived with SECRET_KEY at send time; one sent just before a key rotation still counts
    # while its key is in SECRET_KEY_FALLBACKS.
    typed_code = normalize_code(typed)
    return any(
        hmac.compare_digest(tokens.code_from_key(key, verification.code_key), typed_code)
        for key in tokens.signing_keys(current_app.config)
    )


def mark_verified(verification: Verification) -> None:
    verification.verified_at = utcnow()


def issue_link(
    session: Session, purpose: VerificationPurpose, *, to_email: str, user_id: int
) -> tuple[Verification, str]:
    """A link proving ``to_email`` (revoking the owner's earlier one); returns the raw token."""
    _revoke_live(session, _owned(purpose, user_id, None))
    raw = secrets.token_urlsafe(tokens.TOKEN_BYTES)
    verification = Verification(
        purpose=purpose,
        target=to_email,
        user_id=user_id,
        token_hash=tokens.hash_token(raw),
        expires_at=utcnow() + timedelta(hours=LINK_HOURS),
    )
    session.add(verification)
    session.flush()
    return verification, raw


def by_link(session: Session, purpose: VerificationPurpose, raw: str | None) -> Verification | None:
    """The live verification behind a link, or None (the caller answers 404)."""
    digest = tokens.digest_of(raw)
    if digest is None:
        return None
    found = session.exec(
        select(Verification).where(
            Verification.token_hash == digest,
            Verification.purpose == purpose,
            col(Verification.verified_at).is_(None),
            col(Verification.revoked_at).is_(None),
            Verification.expires_at > utcnow(),
        )
    ).first()
    if found is None or not tokens.same_digest(found.token_hash, digest):
        return None
    return found


def purge_old(session: Session, *, now: datetime | None = None) -> int:
    """Proofs a day past their expiry are of no use; they name a number or address."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    old = list(session.exec(select(Verification).where(Verification.expires_at < cutoff)))
    for row in old:
        session.delete(row)
    session.flush()
    return len(old)
