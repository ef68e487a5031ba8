"""Stable links (personal page, feeds): HMACs of a signing key, their purpose, owner and a
stored nonce. The signing keys are ``SECRET_KEY`` followed by ``SECRET_KEY_FALLBACKS``
(``signing_keys``): a link resolves only when it is derived with one of them, so a key taken
out of the list closes every link made with it. A rotation keeps the nonce: each stable link
gets one row per key it was issued under (same nonce, that key's digest; ``rekey``), so the
links sent before the rotation keep their rows and keep working, and links made from then on
use the new key. A link is always derived with the key of its newest row.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from . import tokens
from .accounts.models import AccessToken, TokenPurpose
from .clock import utcnow
from .db import begin_writing
from .tokens import SigningKeys


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
    owner = tokens.owner_of(user_id, association_id)
    keys = tokens.keys_of(secret_key)
    if digest is not None:
        for key in keys:
            raw = tokens.derive(key, purpose, owner, nonce)
            if tokens.same_digest(digest, tokens.hash_token(raw)):
                return raw
    return tokens.derive(keys[0], purpose, owner, nonce)


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
    current = _newest_row(session, purpose, user_id, association_id)
    if current is None:  # first use: a row with a random nonce, made with the current key
        nonce = secrets.token_hex(16)
        raw = link_from_nonce(
            nonce, purpose, secret_key=secret_key, user_id=user_id, association_id=association_id
        )
        session.add(AccessToken(**_row(purpose, nonce, raw, user_id, association_id)))
        session.flush()
        return raw
    nonce, digest = current
    assert nonce is not None  # _newest() selects rows with a nonce
    raw = link_from_nonce(
        nonce,
        purpose,
        secret_key=secret_key,
        digest=digest,
        user_id=user_id,
        association_id=association_id,
    )
    if not tokens.same_digest(digest, tokens.hash_token(raw)):
        _add_rows(session, [_row(purpose, nonce, raw, user_id, association_id)])
    return raw


def _newest_row(
    session: Session, purpose: TokenPurpose, user_id: int | None, association_id: int | None
) -> Any:
    """(nonce, token_hash) of the link's newest live row, or None before first use."""
    owner_id = user_id if user_id is not None else association_id
    return session.exec(
        _newest(purpose, by_user=user_id is not None), params={"owner_id": owner_id}
    ).first()


@functools.cache
def _newest(purpose: TokenPurpose, *, by_user: bool) -> Any:
    """The statement of ``_newest_row``, built once (pages read a link on every view)."""
    owner = AccessToken.user_id if by_user else AccessToken.association_id
    return (
        select(AccessToken.nonce, AccessToken.token_hash)
        .where(
            AccessToken.purpose == purpose,
            col(AccessToken.revoked_at).is_(None),
            col(AccessToken.nonce).is_not(None),
            col(owner) == bindparam("owner_id"),
        )
        .order_by(col(AccessToken.id).desc())
        .limit(1)
    )


def _row(
    purpose: str, nonce: str, raw: str, user_id: int | None, association_id: int | None
) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "token_hash": tokens.hash_token(raw),
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
    current = tokens.keys_of(secret_key)[0]
    found = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types up to 4 entities
            col(AccessToken.purpose),
            col(AccessToken.nonce),
            col(AccessToken.user_id),
            col(AccessToken.association_id),
            col(AccessToken.token_hash),
        ).where(
            col(AccessToken.revoked_at).is_(None),
            col(AccessToken.nonce).is_not(None),
        )
    ).all()
    stored = {token_hash for *_, token_hash in found}
    missing: dict[str, dict[str, Any]] = {}
    for purpose, nonce, user_id, association_id, _digest in found:
        raw = tokens.derive(current, purpose, tokens.owner_of(user_id, association_id), nonce)
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
    tokens.revoke(session, purpose, user_id=user_id, association_id=association_id)
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

    A link made on first use is written and committed in a transaction of its own on the
    same session, which ``db.begin_writing`` begins (on SQLite it waits for the write lock
    instead of failing), with a derived first nonce and ``ON CONFLICT DO NOTHING``:
    simultaneous first visits all get the same link. Needs no second connection, so a busy
    pool cannot deadlock on it.
    """
    current = _newest_row(session, purpose, user_id, association_id)
    if current is not None:
        nonce, digest = current
        assert nonce is not None  # stable links always carry their nonce
        return link_from_nonce(
            nonce,
            purpose,
            secret_key=secret_key,
            digest=digest,
            user_id=user_id,
            association_id=association_id,
        )
    nonce = _first_nonce(
        tokens.keys_of(secret_key)[0], purpose, tokens.owner_of(user_id, association_id)
    )
    raw = link_from_nonce(
        nonce, purpose, secret_key=secret_key, user_id=user_id, association_id=association_id
    )
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("stable_link_for_read: the session has unflushed changes")
    begin_writing(session)
    try:
        _add_rows(session, [_row(purpose, nonce, raw, user_id, association_id)])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return raw
