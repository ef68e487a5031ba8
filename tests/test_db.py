"""Sessions and transactions (nattvandring/db.py): a reading session that turns to writing."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from nattvandring import db
from nattvandring.db import (
    WriteOutsideTransaction,
    begin_transaction,
    begin_writing,
    db_session,
    get_engine,
    make_engine,
    new_session,
    read_connection,
    reader,
)
from nattvandring.municipalities.models import Municipality
from tests.support.database import written_elsewhere_after_first_read


def _names(app) -> list[str]:
    with new_session(get_engine(app), write=False) as session:
        return list(session.exec(select(Municipality.name)).all())


def test_a_reader_writes_after_another_connection_wrote(app) -> None:
    with (
        written_elsewhere_after_first_read(app),
        new_session(get_engine(app), write=False) as session,
    ):
        assert session.exec(select(Municipality)).all() == []
        begin_writing(session)
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        session.commit()
    assert _names(app) == ["Hässleholm"]


def test_a_writer_keeps_its_one_transaction(app) -> None:
    """Nothing is committed early: what a POST flushed still rolls back."""
    with new_session(get_engine(app), write=True) as session:
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        session.flush()
        begin_writing(session)
        session.add(Municipality(name="Lund", slug="lund"))
        session.flush()
        session.rollback()
    assert _names(app) == []


def test_a_reader_with_unflushed_changes_is_refused_on_sqlite(app) -> None:
    """Ending the read transaction would commit them; PostgreSQL needs no new transaction
    where the session began one (a job's, not a GET's)."""
    with new_session(get_engine(app), write=False) as session:
        session.exec(select(Municipality)).all()
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        if get_engine(app).dialect.name == "sqlite":
            with pytest.raises(RuntimeError):
                begin_writing(session)
        else:
            begin_writing(session)
            assert session.new


# --- a GET's session: autocommit reads on PostgreSQL -------------------------------------


def _gets_session(app):
    return new_session(reader(get_engine(app)), write=False)


def _in_server_transaction(session_or_connection) -> bool:
    """Whether the session's (or the connection's) database connection holds an open
    transaction on the server."""
    connection = session_or_connection
    if isinstance(connection, Session):
        connection = connection.connection()
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite":
        return raw.in_transaction
    return raw.info.transaction_status != 0  # psycopg: 0 is IDLE


def test_a_gets_reads_open_no_transaction_on_postgresql(app) -> None:
    """Read committed gives each statement its own snapshot anyway: a BEGIN and a COMMIT
    would only add round trips. SQLite's reads share one transaction, one snapshot."""
    engine = get_engine(app)
    with _gets_session(app) as session:
        session.exec(select(Municipality)).all()
        assert _in_server_transaction(session) is (engine.dialect.name == "sqlite")
    with app.test_request_context("/"), read_connection() as connection:
        connection.execute(select(Municipality.id)).all()
        assert _in_server_transaction(connection) is (engine.dialect.name == "sqlite")


def test_a_get_that_writes_without_begin_writing_writes_nothing(app) -> None:
    """On PostgreSQL, in autocommit, each statement would commit on its own and a write of
    several rows could land half: it is refused before it reaches the server. On SQLite the
    write stays in the reader's transaction, which rolls back."""
    with _gets_session(app) as session:
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        if get_engine(app).dialect.name == "sqlite":
            session.flush()
        else:
            with pytest.raises(WriteOutsideTransaction):
                session.flush()
        session.rollback()
    assert _names(app) == []


def test_a_get_writes_in_one_transaction_after_begin_writing(app) -> None:
    """What it flushed after ``begin_writing`` still rolls back as one."""
    with _gets_session(app) as session:
        assert session.exec(select(Municipality)).all() == []
        begin_writing(session)
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        session.flush()
        assert _in_server_transaction(session)
        session.add(Municipality(name="Lund", slug="lund"))
        session.flush()
        session.rollback()
    assert _names(app) == []
    with _gets_session(app) as session:
        session.exec(select(Municipality)).all()
        begin_writing(session)
        begin_writing(session)  # writing already: nothing to do
        session.add(Municipality(name="Lund", slug="lund"))
        session.commit()
    assert _names(app) == ["Lund"]


def test_a_gets_unflushed_changes_are_refused(app) -> None:
    with _gets_session(app) as session:
        session.exec(select(Municipality)).all()
        session.add(Municipality(name="Hässleholm", slug="hassleholm"))
        with pytest.raises(RuntimeError):
            begin_writing(session)


def test_requests_read_as_gets_and_write_as_posts(app) -> None:
    """The request's session: a reader for GET and HEAD, a writer for POST and friends."""
    for method, writes in (("GET", False), ("HEAD", False), ("POST", True), ("DELETE", True)):
        with app.test_request_context("/", method=method):
            session = db_session()
            # On SQLite a writer's transaction takes the write lock at BEGIN.
            begin = session.get_bind().get_execution_options().get("sqlite_begin")
            assert (begin == "BEGIN IMMEDIATE") is (writes and get_engine(app).name == "sqlite")
            session.add(Municipality(name="Hässleholm", slug="hassleholm"))
            if writes or get_engine(app).dialect.name == "sqlite":
                session.flush()
            else:
                with pytest.raises(WriteOutsideTransaction):
                    session.flush()
            session.rollback()


def test_a_get_streams_with_a_server_side_cursor_in_a_transaction(app) -> None:
    """PostgreSQL declares a server-side cursor (``yield_per``) only in a transaction."""
    with new_session(get_engine(app), write=True) as session:
        for name in ("Bjuv", "Lund", "Ystad"):
            session.add(Municipality(name=name, slug=name.lower()))
        session.commit()
    streamed = select(Municipality.name).order_by(Municipality.name)
    with _gets_session(app) as session:
        session.exec(select(Municipality)).all()
        begin_transaction(session)
        names = list(session.exec(streamed.execution_options(yield_per=1)))
        begin_transaction(session)  # in one already: nothing to do
        assert _in_server_transaction(session)
    assert names == ["Bjuv", "Lund", "Ystad"]


# --- pooled connections on PostgreSQL: pinged when they may have gone stale ---------------


def _terminate_backend_of(engine) -> int:
    """End the server process of the pooled connection, as a server restart would."""
    pid = _backend_pid(engine)
    admin = create_engine(engine.url)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        for _ in range(100):
            gone = connection.exec_driver_sql(
                f"SELECT count(*) FROM pg_stat_activity WHERE pid = {int(pid)}"
            )
            if gone.scalar_one() == 0:
                break
            time.sleep(0.05)
    admin.dispose()
    return pid


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


@pytest.mark.postgres
def test_a_pooled_connection_is_pinged_only_after_idling(app, monkeypatch) -> None:
    """A connection used a moment ago goes out unchecked: under load a ping would be a
    round trip of every request. One that idled is pinged first, and a dead one replaced,
    so a restart of the server between requests costs no request."""
    engine = make_engine(str(app.config["DATABASE_URL"]))
    try:
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every checkout idled
        first = _terminate_backend_of(engine)
        assert _backend_pid(engine) != first  # pinged, found dead, replaced

        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)  # used a moment ago
        _terminate_backend_of(engine)
        with pytest.raises(OperationalError), engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        assert _backend_pid(engine)  # the pool dropped its dead connections
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_transactions_read_committed_whatever_the_servers_default(app) -> None:
    """The re-checks after a row lock (a second first visit finding the first's draft) see
    what was committed meanwhile only under read committed."""
    url = make_url(str(app.config["DATABASE_URL"])).update_query_dict(
        {"options": "-c default_transaction_isolation=serializable"}
    )
    engine = make_engine(url.render_as_string(hide_password=False))
    show = text("SHOW transaction_isolation")
    try:
        plain = create_engine(url)
        with plain.connect() as connection:
            assert connection.execute(show).scalar_one() == "serializable"
        plain.dispose()
        with new_session(engine, write=True) as session:
            assert session.execute(show).scalar_one() == "read committed"
        with new_session(reader(engine), write=False) as session:
            begin_transaction(session)
            assert session.execute(show).scalar_one() == "read committed"
            assert _in_server_transaction(session)
    finally:
        engine.dispose()
