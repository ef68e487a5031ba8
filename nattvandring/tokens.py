"""Secret links: 256-bit random tokens, stored only as SHA-256, one purpose each.

A token found under a different purpose, expired, used or revoked resolves to nothing, and
the caller answers 404. Lookup is by hash, so the database never compares secrets; the final
comparison uses ``hmac.compare_digest``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, select

from .accounts.models import AccessToken, TokenPurpose
from .clock import utcnow

TOKEN_BYTES = 32


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(
    session: Session,
    purpose: TokenPurpose,
    *,
    user_id: int | None = None,
    association_id: int | None = None,
    ttl: timedelta | None = None,
) -> str:
    """Create a token and return the raw value (shown once, never stored)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        AccessToken(
            purpose=purpose,
            token_hash=hash_token(raw),
            user_id=user_id,
            association_id=association_id,
            expires_at=utcnow() + ttl if ttl else None,
        )
    )
    return raw


def digest_of(raw: str | None) -> str | None:
    """The stored form of a raw token from a URL, or None for what no token can be."""
    if not raw or len(raw) > 200:
        return None
    return hash_token(raw)


def live_token(purpose: TokenPurpose, digest: Any, now: Any) -> list[Any]:
    """SQL conditions: the ``AccessToken`` row is the live token of ``purpose`` for
    ``digest``: not revoked, not used, not expired at ``now`` (values or bound parameters).
    The one definition, also used inside the feeds' single query."""
    return [
        AccessToken.token_hash == digest,
        AccessToken.purpose == purpose,
        AccessToken.revoked_at.is_(None),  # type: ignore[union-attr]
        AccessToken.used_at.is_(None),  # type: ignore[union-attr]
        or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now),  # type: ignore[union-attr]
    ]


def same_digest(stored: str | None, digest: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, digest)


def resolve(session: Session, purpose: TokenPurpose, raw: str | None) -> AccessToken | None:
    """The live token for ``raw`` and ``purpose``, or None."""
    digest = digest_of(raw)
    if digest is None:
        return None
    token = session.exec(select(AccessToken).where(*live_token(purpose, digest, utcnow()))).first()
    if token is None or not same_digest(token.token_hash, digest):
        return None
    return token


def consume(token: AccessToken, *, at: datetime | None = None) -> None:
    token.used_at = at or utcnow()


def revoke(
    session: Session,
    purpose: TokenPurpose,
    *,
    user_id: int | None = None,
    association_id: int | None = None,
) -> None:
    query = select(AccessToken).where(
        AccessToken.purpose == purpose, AccessToken.revoked_at.is_(None)
    )
    if user_id is not None:
        query = query.where(AccessToken.user_id == user_id)
    if association_id is not None:
        query = query.where(AccessToken.association_id == association_id)
    now = utcnow()
    for token in session.exec(query):
        token.revoked_at = now


def rotate(
    session: Session,
    purpose: TokenPurpose,
    *,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """Revoke the current token of this purpose and owner and issue a new one."""
    revoke(session, purpose, user_id=user_id, association_id=association_id)
    return issue(session, purpose, user_id=user_id, association_id=association_id)


def code_from_key(secret_key: str, key: str) -> str:
    """The six-digit code that proves a mobile number, derived from a stored random key.

    Only the key is stored (as the code SMS's dedupe key): without SECRET_KEY a copy of the
    database yields no code, and the outbox page shows only the marker.
    """
    mac = hmac.new(secret_key.encode(), f"code|{key}".encode(), hashlib.sha256).digest()
    return f"{int.from_bytes(mac[:8], 'big') % 1_000_000:06d}"


def _derive(secret_key: str, purpose: str, owner: str, nonce: str) -> str:
    mac = hmac.new(secret_key.encode(), f"{purpose}|{owner}|{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def link_from_nonce(
    nonce: str,
    purpose: TokenPurpose,
    *,
    secret_key: str,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """The raw token of the stable link whose stored nonce is ``nonce``, for a caller that
    already read the nonce (the personal feed reads it in its stamp query)."""
    owner = f"u{user_id}" if user_id is not None else f"a{association_id}"
    return _derive(secret_key, purpose, owner, nonce)


def stable_link(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: str,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """The current raw token of a rotatable link (created on first use).

    Only the token's SHA-256 and a random nonce are stored; the token itself needs the app's
    SECRET_KEY as well, so a copy of the database alone opens no personal page or feed.
    """
    owner = {"user_id": user_id, "association_id": association_id}
    nonce = stable_nonce(session, purpose, secret_key=secret_key, **owner)
    return link_from_nonce(nonce, purpose, secret_key=secret_key, **owner)


def current_nonce(purpose: TokenPurpose, owner: Any) -> Any:
    """Query: the nonce of the current stable link of ``purpose`` whose owner matches
    ``owner`` (a condition, e.g. ``AccessToken.user_id == <id or subquery>``)."""
    return (
        select(AccessToken.nonce)
        .where(
            AccessToken.purpose == purpose,
            AccessToken.revoked_at.is_(None),  # type: ignore[union-attr]
            AccessToken.nonce.is_not(None),  # type: ignore[union-attr]
            owner,
        )
        .order_by(AccessToken.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )


def stable_nonce(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: str,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """The nonce of the current stable link (see ``stable_link``), created on first use."""
    owner = (
        AccessToken.user_id == user_id
        if user_id is not None
        else AccessToken.association_id == association_id
    )
    current = session.exec(current_nonce(purpose, owner)).first()
    if current:
        return current
    nonce = secrets.token_hex(16)
    raw = link_from_nonce(
        nonce, purpose, secret_key=secret_key, user_id=user_id, association_id=association_id
    )
    session.add(
        AccessToken(
            purpose=purpose,
            token_hash=hash_token(raw),
            nonce=nonce,
            user_id=user_id,
            association_id=association_id,
        )
    )
    session.flush()
    return nonce


def rotate_stable_link(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: str,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """Revoke the current link (it then answers 404) and return the new one."""
    revoke(session, purpose, user_id=user_id, association_id=association_id)
    session.flush()
    return stable_link(
        session, purpose, secret_key=secret_key, user_id=user_id, association_id=association_id
    )
