"""Cached page fragments, keyed by the data version of the municipality they show.

A fragment (the coordinator's month, the public page's nights) is rendered once per data
version, locale and parameters, and served from the app's cache (``web.caching``: SimpleCache
per process, Redis in production) until the version moves. Its key never names a viewer:
only pages whose content is the same for everyone allowed to see them are cached (a personal
page is its holder's alone, and its key names them), and the view checks access before it
asks for the fragment.

The versions are ``PageVersion`` rows: one per municipality and one (scope 0) for rows that
belong to no municipality. A flush listener on every ORM session finds the municipality of
each row written (its ``municipality_id``, or through its association, shift, patrol area or
booking) and the transaction raises those versions as its last write, so they commit or
roll back with the change itself, whichever process or job made it. Writes to tables that no
cached page shows (outboxes, heartbeats, receipts, tokens, the audit log, calendar versions)
move nothing, so the worker's steady writes do not empty the cache; a row of any other table
whose municipality cannot be found raises scope 0, which every key includes.

A fragment that the clock alone changes (a night leaves the public page when it ends) says
until when it is valid, on the app's clock, and is rendered again after that.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Select, bindparam, event, func, inspect, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession

from ..accounts.models import AccessToken, User, Verification
from ..associations.models import Association
from ..audit.models import AuditEntry
from ..booking.models import Booking
from ..calendars.models import EventVersion, FeedVersion
from ..clock import utcnow
from ..mail.models import EmailMessage
from ..messaging.models import InboundReceipt, SmsMessage, SmsProviderHealth, WebhookReceipt
from ..municipalities.models import Municipality
from ..ops.models import WorkerHeartbeat
from ..planning.models import PatrolArea, Shift
from ..settings import ROOT
from .caching import cache
from .models import PageVersion

EVERYTHING_ELSE = 0
PENDING = "page_scopes"
#: Where a cached fragment's forms have their CSRF token: ``with_csrf`` puts the viewer's own
#: there. Escaped text can never contain it, so only a template can have put it there.
CSRF_SLOT = Markup("<csrf-token-slot/>")

#: Tables that no cached page shows and that are written often (by the worker, by every
#: login or link): their writes move no version.
QUIET_TABLES = frozenset(
    model.__tablename__
    for model in (
        AccessToken,
        AuditEntry,
        EmailMessage,
        EventVersion,
        FeedVersion,
        InboundReceipt,
        PageVersion,
        SmsMessage,
        SmsProviderHealth,
        Verification,
        WebhookReceipt,
        WorkerHeartbeat,
    )
)
#: Columns written on every login or visit, shown on no cached page.
QUIET_COLUMNS = {User.__tablename__: frozenset({"last_login_at", "last_activity_at"})}

#: How a row leads to its municipality: the first of these columns it has.
_PARENTS: tuple[tuple[str, Any], ...] = (
    ("association_id", Association.__table__),  # type: ignore[attr-defined]
    ("shift_id", Shift.__table__),  # type: ignore[attr-defined]
    ("area_id", PatrolArea.__table__),  # type: ignore[attr-defined]
)
_VERSIONS: Any = PageVersion.__table__  # type: ignore[attr-defined]
_BOOKINGS: Any = Booking.__table__  # type: ignore[attr-defined]
_ASSOCIATIONS: Any = Association.__table__  # type: ignore[attr-defined]
#: The statements of ``versions_key``, built once (building one costs about as much as
#: running it).
_EVERY_VERSION = select(func.sum(_VERSIONS.c.version), func.max(_VERSIONS.c.created))
_VERSIONS_OF = select(_VERSIONS.c.scope, _VERSIONS.c.version, _VERSIONS.c.created).where(
    _VERSIONS.c.scope.in_(bindparam("scopes", expanding=True))
)


@dataclass(frozen=True)
class SelectedScopes:
    """The municipalities that ``statement`` selects (one column) with ``params`` bound: for
    a page whose municipalities only a query knows. The statement is built once and executed
    with its parameters, so its cache key is computed once too."""

    statement: Select
    params: Mapping[str, Any]


@functools.lru_cache(maxsize=32)
def _versions_selected(statement: Select) -> Select:
    """The versions of everything else and of the municipalities ``statement`` selects."""
    return (
        select(_VERSIONS.c.scope, _VERSIONS.c.version, _VERSIONS.c.created)
        .where(or_(_VERSIONS.c.scope == EVERYTHING_ELSE, _VERSIONS.c.scope.in_(statement)))
        .order_by(_VERSIONS.c.scope)
    )


# --- reading: the fragment ----------------------------------------------------------------


def fragment(
    name: str,
    *,
    municipality_ids: Iterable[int] | SelectedScopes | None,
    parts: Iterable[object],
    render: Callable[[], tuple[str, datetime | None]],
) -> Markup:
    """The fragment ``name`` of a page for ``parts`` (its parameters) that shows data of
    the municipalities ``municipality_ids`` (None: of every one; ``SelectedScopes``: of
    those a statement selects, read with the versions) and rows of none.

    ``render`` makes the HTML and says until when the clock leaves it true (None: until the
    data changes). It runs only when no fragment is cached for the current versions.
    """
    key = ":".join(
        [
            "page",
            code_version(),
            name,
            str(get_locale()),
            versions_key(municipality_ids),
            *map(str, parts),
        ]
    )
    found = cache.get(key)
    now = utcnow()
    if found is not None:
        valid_until, html = found
        if valid_until is None or now < valid_until:
            return Markup(html)  # noqa: S704 - rendered by our own templates below
    html, valid_until = render()
    timeout = int(current_app.config["CACHE_DEFAULT_TIMEOUT"])
    if valid_until is not None:
        timeout = min(timeout, max(1, int((valid_until - now).total_seconds()) + 1))
    cache.set(key, (valid_until, str(html)), timeout=timeout)
    return Markup(html)  # noqa: S704 - rendered by our own templates


@functools.cache
def code_version() -> str:
    """A digest of what renders the fragments: the package, the templates, the translations.

    In the key, so that a release never reads a fragment another release rendered (in a
    shared Redis, across a deploy or beside the old workers of a rolling one)."""
    digest = hashlib.sha256()
    files = [
        *(ROOT / "nattvandring").rglob("*.py"),
        *(ROOT / "nattvandring" / "translations").rglob("*.po"),
        *(ROOT / "templates").rglob("*.html"),
    ]
    for path in sorted(files):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def with_csrf(html: Markup) -> Markup:
    """A cached fragment with the viewer's CSRF token in its forms."""
    return Markup(str(html).replace(CSRF_SLOT, generate_csrf()))  # noqa: S704 - see CSRF_SLOT


def versions_key(municipality_ids: Iterable[int] | SelectedScopes | None) -> str:
    """The municipalities' versions and the one of everything else, in one small query.

    For every municipality (None) the sum of all versions stands for them: versions only
    grow, so the sum moves with each of them, and ``created`` tells a database made anew.
    For the municipalities a statement selects, the key names those that have a version:
    one that gains its first version, or joins or leaves the selection, changes the key.
    """
    from ..db import db_session

    if isinstance(municipality_ids, SelectedScopes):
        rows = (
            db_session()
            .connection()
            .execute(_versions_selected(municipality_ids.statement), municipality_ids.params)
        )
        return "/".join(f"{row.scope}={row.version}.{row.created}" for row in rows) or "none"
    if municipality_ids is None:
        row = db_session().connection().execute(_EVERY_VERSION).one()
        return f"all={row[0] or 0}.{row[1] or 0}"
    scopes = sorted({EVERYTHING_ELSE, *municipality_ids})
    rows = db_session().connection().execute(_VERSIONS_OF, {"scopes": scopes})
    found = {row.scope: f"{row.version}.{row.created}" for row in rows}
    return "/".join(f"{scope}={found.get(scope, '0')}" for scope in scopes)


# --- writing: which municipalities a transaction changed ----------------------------------


def _changed(obj: Any, is_new_or_deleted: bool) -> bool:
    table = obj.__table__.name
    if table in QUIET_TABLES:
        return False
    if is_new_or_deleted:
        return True
    quiet = QUIET_COLUMNS.get(table, frozenset())
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in quiet)


def _values(obj: Any, name: str) -> set[int]:
    """The column's value now and before the flush (a row moved to another parent)."""
    state = inspect(obj)
    found = {state.dict.get(name), *state.attrs[name].history.deleted}
    return {int(value) for value in found if value is not None}


def scopes_of(session: OrmSession, objects: Iterable[Any]) -> set[int]:
    """The municipalities of the rows, and ``EVERYTHING_ELSE`` for a row without one."""
    scopes: set[int] = set()
    parents: dict[str, set[int]] = {}
    for obj in objects:
        columns = inspect(obj).mapper.columns.keys()
        if isinstance(obj, Municipality):
            scopes |= _values(obj, "id")
        elif "municipality_id" in columns and _values(obj, "municipality_id"):
            scopes |= _values(obj, "municipality_id")
        elif parent := next((c for c, _table in _PARENTS if c in columns), None):
            parents.setdefault(parent, set()).update(_values(obj, parent))
        elif "booking_id" in columns:
            parents.setdefault("booking_id", set()).update(_values(obj, "booking_id"))
        else:
            scopes.add(EVERYTHING_ELSE)
    connection = session.connection()
    for column, table in _PARENTS:
        ids = parents.get(column)
        if ids:
            found = connection.execute(
                select(table.c.id, table.c.municipality_id).where(table.c.id.in_(ids))
            ).all()
            scopes |= {row.municipality_id for row in found}
            if len(found) < len(ids):  # a parent deleted in the same transaction
                scopes.add(EVERYTHING_ELSE)
    if booking_ids := parents.get("booking_id"):
        found = connection.execute(
            select(_BOOKINGS.c.id, _ASSOCIATIONS.c.municipality_id)
            .join(_ASSOCIATIONS, _ASSOCIATIONS.c.id == _BOOKINGS.c.association_id)
            .where(_BOOKINGS.c.id.in_(booking_ids))
        ).all()
        scopes |= {row.municipality_id for row in found}
        if len(found) < len(booking_ids):
            scopes.add(EVERYTHING_ELSE)
    return scopes


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _context: Any) -> None:
    new_or_deleted = set(map(id, session.new)) | set(map(id, session.deleted))
    written = [
        obj
        for obj in [*session.new, *session.dirty, *session.deleted]
        if hasattr(obj, "__table__") and _changed(obj, id(obj) in new_or_deleted)
    ]
    if written:
        session.info.setdefault(PENDING, set()).update(scopes_of(session, written))


@event.listens_for(OrmSession, "do_orm_execute")
def _on_bulk_write(state: Any) -> None:
    """A bulk UPDATE or DELETE through the session names its table, not its rows."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in QUIET_TABLES:
        state.session.info.setdefault(PENDING, set()).add(EVERYTHING_ELSE)


@event.listens_for(OrmSession, "before_commit")
def _raise_versions(session: OrmSession) -> None:
    """Raise the versions as the transaction's last writes, in a fixed order, so their row
    locks come after every other lock the writer holds and cannot deadlock. Releasing a
    savepoint fires this event too; its scopes wait for the transaction's own commit."""
    if session.in_nested_transaction():
        return
    session.flush()
    scopes = session.info.pop(PENDING, None)
    if not scopes:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = time.time_ns() // 1000
    connection = session.connection()
    for scope in sorted(scopes):
        statement = insert(_VERSIONS).values(scope=scope, version=1, created=created)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["scope"], set_={"version": _VERSIONS.c.version + 1}
            )
        )


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: Any) -> None:
    """A transaction rolled back changed nothing. Only the outermost one: a savepoint rolled
    back (a lost insert race, say) leaves the transaction's earlier writes to commit."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)
