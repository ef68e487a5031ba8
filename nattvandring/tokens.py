"""Secret links: 256-bit random tokens, stored only as SHA-256, one purpose each.

A token found under a different purpose, expired, used or revoked resolves to nothing, and
the caller answers 404. Lookup is by hash, so the database never compares secrets; the final
comparison uses ``hmac.compare_digest``.

Stable links (personal page, feeds) are in ``stable_links``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from .accounts.models import AccessToken, TokenPurpose, User
from .clock import utcnow

TOKEN_BYTES = 32

#: The keys stable links are derived with: one key, or ``signing_keys(config)`` (the
#: current key first, then the previous ones).
SigningKeys = str | Sequence[str]


def signing_keys(config: Mapping[str, Any]) -> tuple[str, ...]:
    """``SECRET_KEY`` (new links) first, then each of ``SECRET_KEY_FALLBACKS`` (links made
    before a rotation, still accepted)."""
    fallbacks = config.get("SECRET_KEY_FALLBACKS") or ()
    return (str(config["SECRET_KEY"]), *(str(key) for key in fallbacks if key))


def keys_of(secret_key: SigningKeys) -> tuple[str, ...]:
    return (secret_key,) if isinstance(secret_key, str) else tuple(secret_key)


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
        col(AccessToken.revoked_at).is_(None),
        col(AccessToken.used_at).is_(None),
        or_(col(AccessToken.expires_at).is_(None), col(AccessToken.expires_at) > now),
    ]


@functools.cache
def _live(purpose: TokenPurpose) -> Any:
    """The live token of ``purpose`` by digest, built once (run per request)."""
    return select(AccessToken).where(*live_token(purpose, bindparam("digest"), bindparam("now")))


@functools.cache
def _live_with_user(purpose: TokenPurpose) -> Any:
    """``_live`` with the token's user."""
    return (
        select(AccessToken, User)
        .join(User, col(User.id) == AccessToken.user_id)
        .where(*live_token(purpose, bindparam("digest"), bindparam("now")))
    )


def same_digest(stored: str | None, digest: str) -> bool:
    return stored is not None and hmac.compare_digest(stored, digest)


def resolve(
    session: Session, purpose: TokenPurpose, raw: str | None, *, secret_key: SigningKeys = ()
) -> AccessToken | None:
    """The live token for ``raw`` and ``purpose``, or None. A stable link must also be
    derived with one of ``secret_key`` (without keys, no stable link resolves)."""
    digest = digest_of(raw)
    if digest is None or raw is None:
        return None
    token = session.exec(_live(purpose), params={"digest": digest, "now": utcnow()}).first()
    return token if _opens(token, raw, digest, secret_key) else None


def resolve_user(
    session: Session, purpose: TokenPurpose, raw: str | None, *, secret_key: SigningKeys = ()
) -> User | None:
    """The person whose live token of ``purpose`` ``raw`` is, as ``resolve`` decides, read
    with the token in one query (a secret link's page looks its holder up on every view)."""
    digest = digest_of(raw)
    if digest is None or raw is None:
        return None
    found = session.exec(
        _live_with_user(purpose), params={"digest": digest, "now": utcnow()}
    ).first()
    if found is None:
        return None
    token, user = found
    return user if _opens(token, raw, digest, secret_key) else None


def _opens(token: AccessToken | None, raw: str, digest: str, secret_key: SigningKeys) -> bool:
    if token is None or not same_digest(token.token_hash, digest):
        return False
    return token.nonce is None or is_derived(
        raw,
        token.purpose,
        token.nonce,
        secret_key=secret_key,
        user_id=token.user_id,
        association_id=token.association_id,
    )


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
        AccessToken.purpose == purpose, col(AccessToken.revoked_at).is_(None)
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


def derive(secret_key: str, purpose: str, owner: str, nonce: str) -> str:
    if not secret_key:
        raise ValueError("a stable link needs a signing key")
    mac = hmac.new(secret_key.encode(), f"{purpose}|{owner}|{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def owner_of(user_id: int | None, association_id: int | None) -> str:
    return f"u{user_id}" if user_id is not None else f"a{association_id}"


def is_derived(
    raw: str,
    purpose: str,
    nonce: str,
    *,
    secret_key: SigningKeys,
    user_id: int | None = None,
    association_id: int | None = None,
) -> bool:
    """Whether ``raw`` is the stable link of this purpose, owner and nonce under one of the
    keys: a link made with a key no longer configured opens nothing."""
    owner = owner_of(user_id, association_id)
    return any(
        hmac.compare_digest(raw, derive(key, purpose, owner, nonce)) for key in keys_of(secret_key)
    )
