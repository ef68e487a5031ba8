"""Secret links: 256-bit random tokens, stored only as SHA-256, one purpose each.

A token found under a different purpose, expired, used or revoked resolves to nothing, and
the caller answers 404. Lookup is by hash, so the database never compares secrets; the final
comparison uses ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

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


def resolve(session: Session, purpose: TokenPurpose, raw: str | None) -> AccessToken | None:
    """The live token for ``raw`` and ``purpose``, or None."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_token(raw)
    token = session.exec(select(AccessToken).where(AccessToken.token_hash == digest)).first()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.purpose != purpose or token.revoked_at or token.used_at:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
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
