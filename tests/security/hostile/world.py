"""The world a target is fuzzed in: built once, fingerprinted, restored after every change."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from nattvandring import clock
from nattvandring.db import get_engine, session_scope
from tests import factories
from tests.security.conftest import reset_database
from tests.security.hostile.recording import RecordingRequest

#: The clock of every hostile-input world: a Tuesday morning in December 2026.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)  # raw tokens for URLs


def base_world(session: Session) -> World:
    built = factories.build_world(session)
    return World(ids=dict(built.ids), emails=dict(built.emails))


def _digest(rows) -> str:
    return hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()


def _pg_fingerprint(connection) -> dict[str, tuple[int, str]]:
    """The same in one round trip: each table's rows as text, sorted and hashed by the server."""
    parts = [
        f"SELECT '{t.name}', count(*),"
        f" md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM \"{t.name}\" r"
        for t in SQLModel.metadata.sorted_tables
    ]
    rows = connection.execute(text(" UNION ALL ".join(parts))).all()
    return {name: (count, digest) for name, count, digest in rows}


def db_fingerprint(app) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row, per table."""
    result = {}
    with get_engine(app).connect() as connection:
        if connection.dialect.name == "postgresql":
            return _pg_fingerprint(connection)
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(sa_select(table)).all()
            result[table.name] = (len(rows), _digest(rows))
    return result


class Snapshot:
    """Every row of the world as built, written back in a few statements after a change
    (much faster than running the builders again, and TRUNCATE, on PostgreSQL)."""

    def __init__(self, engine) -> None:
        self.rows: dict[str, list[dict]] = {}
        with engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                found = connection.execute(sa_select(table)).mappings().all()
                self.rows[table.name] = [dict(row) for row in found]

    def restore(self, engine, current: dict[str, tuple[int, str]]) -> None:
        tables = SQLModel.metadata.sorted_tables
        touched = [t for t in tables if self.rows[t.name] or current[t.name][0]]
        with engine.begin() as connection:
            for table in reversed(touched):
                connection.execute(table.delete())
            for table in touched:
                if self.rows[table.name]:
                    connection.execute(table.insert(), self.rows[table.name])
            if engine.dialect.name == "postgresql":
                for table in touched:
                    column = table.autoincrement_column
                    if column is None:
                        continue
                    top = max((row[column.name] for row in self.rows[table.name]), default=0)
                    connection.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, :c), :n, :called)"),
                        {
                            "t": f'"{table.name}"',
                            "c": column.name,
                            "n": max(top, 1),
                            "called": top > 0,
                        },
                    )


class Fuzzer:
    """An app, a world built by ``build`` and one client per actor, restored when dirtied."""

    def __init__(self, app, build: Callable[[Session], World]) -> None:
        app.request_class = RecordingRequest
        self.app, self.build = app, build
        self.engine = get_engine(app)
        self.clients: dict[str | None, object] = {}
        self.cookies: dict[str, str] = {}
        self.rebuild()

    def rebuild(self) -> None:
        clock.freeze(NOW)
        reset_database(self.engine)
        with self.app.test_request_context(), session_scope(self.engine) as session:
            self.world = self.build(session)
        self.snapshot = Snapshot(self.engine)
        self.clean = db_fingerprint(self.app)
        self.state: dict[str, tuple[int, str]] | None = self.clean

    def client(self, actor: str | None):
        if actor not in self.clients:
            client = self.app.test_client()
            self.clients[actor] = client
            if actor is not None:
                response = factories.login(client, self.world.emails[actor])
                assert response.status_code == 302, actor
                self.cookies[actor] = client.get_cookie("nv_session").value
                self.rebuild()  # logging in wrote a last-login time
        return self.clients[actor]

    def restore(self) -> None:
        """Back to the world as built, whatever the previous request changed."""
        clock.freeze(NOW)
        current = self.state or db_fingerprint(self.app)
        if current != self.clean:
            self.snapshot.restore(self.engine, current)
            assert db_fingerprint(self.app) == self.clean
        self.state = self.clean
        for actor, value in self.cookies.items():
            self.clients[actor].set_cookie("nv_session", value)
        if None in self.clients:
            # The public's session holds only what earlier examples left (a chosen language,
            # flashes): gone, so that every example starts as a first visit.
            self.clients[None].delete_cookie("nv_session")
