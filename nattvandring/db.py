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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
    )


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


def new_session(engine: Engine, *, write: bool) -> Session:
    return Session(writer(engine) if write else engine, expire_on_commit=False)


def begin_writing(session: Session) -> None:
    """Let a session that began as a reader (a GET's) write from here on.

    On SQLite a reader's transaction begins deferred, and its first write fails at once
    ("database is locked", whatever the busy timeout) when another connection, the worker
    say, has written since its first read. So the read transaction so far is ended (it must
    hold no changes) and the next one takes the write lock at BEGIN, waiting its turn as a
    POST's does; what the session loaded before keeps the ended transaction's values (expire
    what the writes decide on). Nothing to do where the transaction holds that lock already,
    nor on PostgreSQL, where any transaction may write."""
    if not is_sqlite(session):
        return
    if session.in_transaction():
        if session.connection().info.get(_WRITE_LOCK):
            return
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_writing: the read transaction holds unflushed changes")
        session.commit()
    session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})


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
    app.extensions["db_engine"] = engine

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


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["db_engine"]


def db_session() -> Session:
    """The request's session, opened on first use (writers for POST and friends)."""
    session: Session | None = g.get("db_session")
    if session is None:
        write = request.method in WRITE_METHODS if request else False
        session = new_session(get_engine(), write=write)
        g.db_session = session
    return session


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A connection for a view that only reads, with Core statements (no ORM objects): the
    secret feeds' one query of a 304 needs no ORM session and nothing to commit.

    On SQLite its reads share one transaction, and so one snapshot. On PostgreSQL (read
    committed) every statement sees its own snapshot anyway, so the connection reads in
    autocommit: a transaction would add nothing but a BEGIN and a ROLLBACK, two of a 304's
    four round trips."""
    engine = get_engine()
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection
