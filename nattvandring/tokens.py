"""Secret links: 256-bit random tokens, stored only as SHA-256, one purpose each.

A token found under a different purpose, expired, used or revoked resolves to nothing, and
the caller answers 404. Lookup is by hash, so the database never compares secrets; the final
comparison uses ``hmac.compare_digest``.

Stable links (personal page, feeds) are HMACs of a signing key, their purpose, owner and a
stored nonce. The signing keys are ``SECRET_KEY`` followed by ``SECRET_KEY_FALLBACKS``
(``signing_keys``): a link resolves only when it is derived with one of them, so a key taken
out of the list closes every link made with it. A rotation keeps the nonce: each stable link
gets one row per key it was issued under (same nonce, that key's digest; ``rekey``), so the
links sent before the rotation keep their rows and keep working, and links made from then on
use the new key. A link is always derived with the key of its newest row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from .accounts.models import AccessToken, TokenPurpose
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


def _keys(secret_key: SigningKeys) -> tuple[str, ...]:
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
        AccessToken.revoked_at.is_(None),  # type: ignore[union-attr]
        AccessToken.used_at.is_(None),  # type: ignore[union-attr]
        or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > now),  # type: ignore[union-attr]
    ]


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
    token = session.exec(select(AccessToken).where(*live_token(purpose, digest, utcnow()))).first()
    if token is None or not same_digest(token.token_hash, digest):
        return None
    if token.nonce is not None and not is_derived(
        raw,
        token.purpose,
        token.nonce,
        secret_key=secret_key,
        user_id=token.user_id,
        association_id=token.association_id,
    ):
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
    if not secret_key:
        raise ValueError("a stable link needs a signing key")
    mac = hmac.new(secret_key.encode(), f"{purpose}|{owner}|{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def _owner(user_id: int | None, association_id: int | None) -> str:
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
    owner = _owner(user_id, association_id)
    return any(
        hmac.compare_digest(raw, _derive(key, purpose, owner, nonce)) for key in _keys(secret_key)
    )


def link_from_nonce(
    nonce: str,
    purpose: TokenPurpose,
    *,
    secret_key: SigningKeys,
    user_id: int | None = None,
    association_id: int | None = None,
    digest: str | None = None,
) -> str:
    """The raw token of the stable link whose stored nonce is ``nonce``, for a caller that
    already read the nonce (the personal feed reads it in its stamp query): derived with the
    key whose link has the stored ``digest`` (that row's), else with the current key."""
    owner = _owner(user_id, association_id)
    keys = _keys(secret_key)
    if digest is not None:
        for key in keys:
            raw = _derive(key, purpose, owner, nonce)
            if same_digest(digest, hash_token(raw)):
                return raw
    return _derive(keys[0], purpose, owner, nonce)


def stable_link(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: SigningKeys,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """The current raw token of a rotatable link (created on first use).

    Only the token's SHA-256 and a random nonce are stored; the token itself needs the app's
    SECRET_KEY as well, so a copy of the database alone opens no personal page or feed. It
    is derived with the key of the link's newest row; should none of the configured keys
    have made that row (a key retired before ``rekey`` ran), a row for the current key is
    added.
    """
    owner = {"user_id": user_id, "association_id": association_id}
    condition = _owner_condition(user_id, association_id)
    current = session.exec(
        select(AccessToken.nonce, AccessToken.token_hash)
        .where(*_current(purpose, condition))
        .order_by(AccessToken.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    if current is None:
        nonce = stable_nonce(session, purpose, secret_key=secret_key, **owner)
        return link_from_nonce(nonce, purpose, secret_key=secret_key, **owner)
    nonce, digest = current
    raw = link_from_nonce(nonce, purpose, secret_key=secret_key, digest=digest, **owner)
    if not same_digest(digest, hash_token(raw)):
        _add_rows(session, [_row(purpose, nonce, raw, user_id, association_id)])
    return raw


def _owner_condition(user_id: int | None, association_id: int | None) -> Any:
    if user_id is not None:
        return AccessToken.user_id == user_id
    return AccessToken.association_id == association_id


def _current(purpose: TokenPurpose, owner: Any) -> list[Any]:
    return [
        AccessToken.purpose == purpose,
        AccessToken.revoked_at.is_(None),  # type: ignore[union-attr]
        AccessToken.nonce.is_not(None),  # type: ignore[union-attr]
        owner,
    ]


def current_digest(purpose: TokenPurpose, owner: Any) -> Any:
    """Query: the stored digest of the current stable link (see ``current_nonce``); it
    tells which key the link is derived with (``link_from_nonce``)."""
    return (
        select(AccessToken.token_hash)
        .where(*_current(purpose, owner))
        .order_by(AccessToken.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )


def current_nonce(purpose: TokenPurpose, owner: Any) -> Any:
    """Query: the nonce of the current stable link of ``purpose`` whose owner matches
    ``owner`` (a condition, e.g. ``AccessToken.user_id == <id or subquery>``)."""
    return (
        select(AccessToken.nonce)
        .where(*_current(purpose, owner))
        .order_by(AccessToken.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )


def stable_nonce(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: SigningKeys,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """The nonce of the current stable link (see ``stable_link``), created on first use
    (with the current key)."""
    current = session.exec(
        current_nonce(purpose, _owner_condition(user_id, association_id))
    ).first()
    if current:
        return current
    nonce = secrets.token_hex(16)
    raw = link_from_nonce(
        nonce, purpose, secret_key=secret_key, user_id=user_id, association_id=association_id
    )
    session.add(AccessToken(**_row(purpose, nonce, raw, user_id, association_id)))
    session.flush()
    return nonce


def _row(
    purpose: str, nonce: str, raw: str, user_id: int | None, association_id: int | None
) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "token_hash": hash_token(raw),
        "nonce": nonce,
        "user_id": user_id,
        "association_id": association_id,
        "created_at": utcnow(),
    }


def _add_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert stable-link rows; one another process inserted meanwhile is left as it is."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(AccessToken).on_conflict_do_nothing(index_elements=["token_hash"])
    session.flush()
    session.connection().execute(statement, rows)


def rekey(session: Session, *, secret_key: SigningKeys) -> int:
    """Give every live stable link a row for the current key, under the same nonce.

    Run after a rotation (the worker does, when it starts): the links already sent keep
    their rows and work while their key is among the fallbacks, and every link made from
    then on is derived with the new key. Idempotent; returns the number of rows added.
    """
    current = _keys(secret_key)[0]
    found = session.exec(
        select(
            AccessToken.purpose,
            AccessToken.nonce,
            AccessToken.user_id,
            AccessToken.association_id,
            AccessToken.token_hash,
        ).where(
            AccessToken.revoked_at.is_(None),  # type: ignore[union-attr]
            AccessToken.nonce.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    stored = {row.token_hash for row in found}
    missing: dict[str, dict[str, Any]] = {}
    for purpose, nonce, user_id, association_id, _digest in found:
        raw = _derive(current, purpose, _owner(user_id, association_id), nonce)
        row = _row(purpose, nonce, raw, user_id, association_id)
        if row["token_hash"] not in stored:
            missing[row["token_hash"]] = row
    _add_rows(session, list(missing.values()))
    return len(missing)


def rotate_stable_link(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: SigningKeys,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """Revoke the current link (it then answers 404) and return the new one."""
    revoke(session, purpose, user_id=user_id, association_id=association_id)
    session.flush()
    return stable_link(
        session, purpose, secret_key=secret_key, user_id=user_id, association_id=association_id
    )


def _first_nonce(secret_key: str, purpose: str, owner: str) -> str:
    """The nonce of a stable link's first row: derived, not random, so that concurrent
    first uses make the same row and all get the same link (a rotation picks a random
    one)."""
    mac = hmac.new(secret_key.encode(), f"first-nonce:{purpose}:{owner}".encode(), "sha256")
    return mac.hexdigest()[:32]


def stable_link_for_read(
    session: Session,
    purpose: TokenPurpose,
    *,
    secret_key: SigningKeys,
    user_id: int | None = None,
    association_id: int | None = None,
) -> str:
    """``stable_link`` for a GET, whose transaction only reads.

    A link made on first use is written in a transaction of its own on the same session:
    the read transaction so far is ended (it wrote nothing), and the insert runs in one that
    takes SQLite's write lock at BEGIN (so it waits its turn instead of failing, which
    upgrading a read transaction cannot), with a derived first nonce and
    ``ON CONFLICT DO NOTHING``: simultaneous first visits all get the same link. Needs no
    second connection, so a busy pool cannot deadlock on it.
    """
    condition = _owner_condition(user_id, association_id)
    current = session.exec(
        select(AccessToken.nonce, AccessToken.token_hash)
        .where(*_current(purpose, condition))
        .order_by(AccessToken.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    owner = {"user_id": user_id, "association_id": association_id}
    if current is not None:
        nonce, digest = current
        return link_from_nonce(nonce, purpose, secret_key=secret_key, digest=digest, **owner)
    nonce = _first_nonce(_keys(secret_key)[0], purpose, _owner(user_id, association_id))
    raw = link_from_nonce(nonce, purpose, secret_key=secret_key, **owner)
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("stable_link_for_read: the session has unflushed changes")
    session.commit()  # the read transaction so far: nothing to write
    session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
    try:
        _add_rows(session, [_row(purpose, nonce, raw, user_id, association_id)])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return raw
