"""Cached rendering: one Flask-Caching ``cache`` for fragments of pages and for QR codes.

A page fragment (``{% cache %}`` in a template) is keyed by :func:`fragment_key`: the data
version, the locale, the viewer and the fragment's own parameters. The data version is a
counter in the database (``calendar_feed_version``, kind ``pages``) that every committed
write raises once, in its own transaction (``_before_commit`` below), so a fragment rendered
before a change is never found again after it, whichever process or backend cached it. The
viewer (user id, or ``anon``) is always part of the key: a fragment is never served to
another person, role or tenant than the one it was rendered for. Forms (CSRF tokens) stay
outside cached fragments.

The backend is SimpleCache per process by default, RedisCache in production
(docs/configuration.md); ``NullCache`` turns caching off.
"""

from __future__ import annotations

import time
from hashlib import sha256
from typing import Any

from flask import Flask, g, session
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession

from ..calendars.models import FeedVersion
from ..clock import to_local, utcnow

cache = Cache()
KIND = "pages"
_table: Any = FeedVersion.__table__  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    config = {key: value for key, value in app.config.items() if key.startswith("CACHE_")}
    if not config.get("CACHE_REDIS_URL"):
        config.pop("CACHE_REDIS_URL", None)
    cache.init_app(app, config=config)
    app.jinja_env.globals.update(fragment_key=fragment_key)

    @app.before_request
    def _forget_version() -> None:
        # ``g`` outlives a request when an outer app context is reused (tests, CLI).
        g.pop("data_version", None)


def data_version() -> str:
    """The pages' data version (read once per request): counter and time of the last write."""
    found = g.get("data_version")
    if found is None:
        from ..db import db_session

        row = (
            db_session()
            .execute(
                select(_table.c.version, _table.c.changed).where(
                    _table.c.kind == KIND, _table.c.owner_id == 0
                )
            )
            .first()
        )
        found = g.data_version = f"{row[0]}.{row[1]}" if row else "0"
    return found


def viewer() -> str:
    """Who sees the fragment: the login (user and session version) and the session's CSRF
    secret, so that a cached form's token is always the viewer's own; ``anon`` without."""
    user = current_user
    who = f"u{user.get_id()}" if getattr(user, "is_authenticated", False) else "anon"
    secret = session.get("csrf_token")
    if isinstance(secret, str):
        who += "." + sha256(secret.encode()).hexdigest()[:16]
    return who


def fragment_key(*parts: object) -> str:
    """The vary-on key of a fragment: data version, the hour (pages show what is coming,
    which moves with the clock too), locale, viewer, then ``parts``."""
    hour = to_local(utcnow()).strftime("%Y%m%d%H")
    return ":".join([data_version(), hour, str(get_locale()), viewer(), *map(str, parts)])


# --- the data version moves with every committed write -------------------------------------


def _mark(session: OrmSession) -> None:
    session.info["pages_changed"] = True


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _context: Any) -> None:
    if session.new or session.dirty or session.deleted:
        _mark(session)


@event.listens_for(OrmSession, "do_orm_execute")
def _on_execute(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _mark(state.session)


@event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    """Raise the version as the transaction's last write (its row lock is taken last, so it
    orders after every other lock the writer holds and cannot deadlock with them)."""
    session.flush()
    if not session.info.pop("pages_changed", False):
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # ``changed`` is set once, when the row is made: a database made anew (a restore, a test)
    # starts over at version 1 but with another ``changed``, so old keys never match.
    statement = insert(_table).values(
        kind=KIND, owner_id=0, version=1, changed=time.time_ns() // 1000
    )
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "owner_id"], set_={"version": _table.c.version + 1}
    )
    session.connection().execute(statement)


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    session.info.pop("pages_changed", None)
