"""Engine, sessions and transactions.

Services receive a ``Session`` and only flush; the edge (a request, a job, a CLI command)
commits once. On SQLite every connection runs in WAL mode with a busy timeout, and sessions
that will write start with ``BEGIN IMMEDIATE`` so that concurrent writers queue up instead of
failing or overbooking. On PostgreSQL writers lock rows with ``SELECT ... FOR UPDATE`` in a
fixed order (association, then shift, then person) with ``select(...).with_for_update()``,
which SQLAlchemy leaves out on SQLite, where the write lock already serializes writers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUTOCOMMIT = "AUTOCOMMIT"
READ_COMMITTED = "READ COMMITTED"


def make_engine(url: str, *, busy_timeout_ms: int = 15000, echo: bool = False) -> Engine:
    """The engine for ``url``. ``hide_parameters``: a database error's message (logged with its
    traceback) never shows the bound values, which hold phone numbers, names and e-mails."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    # Read committed whatever the server's default: the locking rules and GETs' autocommit
    # reads (``reader``) rest on every statement seeing what was committed before it began.
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        isolation_level=READ_COMMITTED,
        pool_size=5,
        max_overflow=5,
    )
    _configure_postgres(engine)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below emit BEGIN itself (pysqlite's own
        # transaction handling would defer it and break BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        begin = connection.get_execution_options().get("sqlite_begin", "BEGIN")
        connection.info[_WRITE_LOCK] = begin == "BEGIN IMMEDIATE"
        connection.exec_driver_sql(begin)


#: Whether the SQLite connection's transaction took the write lock at BEGIN.
_WRITE_LOCK = "nattvandring_write_lock"


class WriteOutsideTransaction(RuntimeError):
    """A reader's connection (autocommit, see ``reader``) was asked to write."""


#: A pooled connection idle for longer is pinged before use: the server may have restarted
#: or dropped it meanwhile. One used a moment ago is not (a round trip of every request).
PING_AFTER_IDLE_SECONDS = 5.0
_IDLE_SINCE = "nattvandring_idle_since"


def _configure_postgres(engine: Engine) -> None:
    _ping_after_idling(engine)
    _refuse_writes_in_autocommit(engine)


def _ping_after_idling(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _idle_from_now(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out another (a new one).
            raise DisconnectionError() from error


def _refuse_writes_in_autocommit(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _refuse(connection: Connection, _cursor, _statement, _parameters, context, _many) -> None:
        # Statement by statement, a write of several rows could commit half of itself.
        if context is None or not (context.isinsert or context.isupdate or context.isdelete):
            return
        if _in_autocommit(connection):
            raise WriteOutsideTransaction(
                "a reader wrote without db.begin_writing: it would commit statement by statement"
            )


def _in_autocommit(connectable: Engine | Connection) -> bool:
    return connectable.get_execution_options().get("isolation_level") == AUTOCOMMIT


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    bind = (
        engine_or_session.get_bind()
        if isinstance(engine_or_session, Session)
        else engine_or_session
    )
    return bind.dialect.name == "sqlite"


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions take SQLite's write lock at BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="BEGIN IMMEDIATE")
    return engine


def reader(engine: Engine) -> Engine:
    """The same engine, but on PostgreSQL its connections read in autocommit.

    Under read committed every statement sees its own snapshot whether or not it runs in a
    transaction, so a transaction that only reads adds nothing but a BEGIN and a COMMIT:
    two of the five or six round trips of a page. ``begin_writing`` opens a transaction
    where such a session must write after all; a write without it is refused (see
    ``_refuse_writes_in_autocommit``), never committed statement by statement."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level=AUTOCOMMIT)
    return engine


def new_session(engine: Engine, *, write: bool) -> Session:
    return Session(writer(engine) if write else engine, expire_on_commit=False)


def begin_writing(session: Session) -> None:
    """Let a session that began as a reader (a GET's) write from here on.

    On SQLite a reader's transaction begins deferred, and its first write fails at once
    ("database is locked", whatever the busy timeout) when another connection, the worker
    say, has written since its first read. On PostgreSQL a reader reads in autocommit
    (``reader``). Either way the reading so far is ended (it must hold no changes) and what
    follows runs in a transaction that may write: on SQLite one that took the write lock at
    BEGIN, waiting its turn as a POST's does. What the session loaded before keeps the
    ended transaction's values (expire what the writes decide on). Nothing to do where the
    session writes already."""
    if not is_sqlite(session):
        begin_transaction(session)
        return
    if session.in_transaction():
        if session.connection().info.get(_WRITE_LOCK):
            return
        _end_reading(session)
    session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})


def begin_transaction(session: Session) -> None:
    """Let a GET's session, which reads in autocommit on PostgreSQL (``reader``), run what
    follows in a transaction: what a server-side cursor (``yield_per``) needs, and writing.
    Nothing to do on SQLite, whose readers read in a transaction, nor where the session
    holds one already."""
    if is_sqlite(session):
        return
    if session.in_transaction():
        if not _in_autocommit(session.connection()):
            return
        _end_reading(session)
    if _in_autocommit(session.get_bind()):
        session.connection(execution_options={"isolation_level": READ_COMMITTED})


def _end_reading(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("the reading session holds unflushed changes")
    session.commit()


@contextmanager
def session_scope(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """A unit of work for jobs and the CLI: commit on success, roll back on error."""
    session = new_session(engine, write=write)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --- Flask integration ---------------------------------------------------------------------


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"], busy_timeout_ms=int(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    )
    use_engine(app, engine)

    @app.after_request
    def _commit_at_the_edge(response):
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
        return response

    @app.teardown_request
    def _close_on_error(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def use_engine(app: Flask, engine: Engine) -> None:
    """Make ``engine`` the app's, for writers and (through ``reader``) for GETs."""
    app.extensions["db_engine"] = engine
    app.extensions["db_reader"] = reader(engine)


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["db_engine"]


def db_session() -> Session:
    """The request's session, opened on first use (writers for POST and friends)."""
    session: Session | None = g.get("db_session")
    if session is None:
        if not request:
            session = new_session(get_engine(), write=False)
        elif request.method in WRITE_METHODS:
            session = new_session(get_engine(), write=True)
        else:
            session = new_session(current_app.extensions["db_reader"], write=False)
        g.db_session = session
    return session


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A connection for a view that only reads, with Core statements (no ORM objects): the
    secret feeds' one query of a 304 needs no ORM session and nothing to commit. On SQLite
    its reads share one transaction, and so one snapshot; on PostgreSQL it reads in
    autocommit, as every GET's session does (``reader``)."""
    with current_app.extensions["db_reader"].connect() as connection:
        yield connection
