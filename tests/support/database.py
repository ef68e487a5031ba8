"""The test database: its schema is created once per test process, not once per test.

On SQLite the schema is created once into a template file and every test's app gets a copy
of it (a file copy takes milliseconds; ``metadata.create_all`` took 0.1-0.2 s per test). On
PostgreSQL (NATTVANDRING_TEST_DATABASE_URL) each pytest-xdist worker gets a database of its
own, ``<name>_<worker id>``, created on the server when missing; its schema is created once
and emptied between tests (only the tables that have rows), so ids start at 1.
Without xdist the URL's database itself is used, as before. The apps of a process share one
engine per PostgreSQL database (``make_test_app``), so its connections outlive a test: a
fixture ends with ``release(app)``, which keeps them; ``get_engine(app).dispose()``, which
older fixtures still call, is correct too but closes them for the next test.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from nattvandring.app import create_app
from nattvandring.db import get_engine, make_engine, use_engine, writer
from nattvandring.models import metadata  # every area's models: the complete schema

SECRET_KEY = "test-secret-key-that-is-long-enough-000"
BASE_URL = os.environ.get("NATTVANDRING_TEST_DATABASE_URL", "")


def _worker_url(base: str) -> str:
    """This xdist worker's database: the base URL's database name plus the worker id."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not base or not worker:
        return base
    url = make_url(base)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


#: The PostgreSQL database of this test process ("" on SQLite).
PG_URL = _worker_url(BASE_URL)


def ensure_postgres_database(url: str = PG_URL) -> None:
    """Create ``url``'s database on its server when it does not exist yet."""
    if not url:
        return
    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                # A name from our own environment plus "gw<n>", quoted as an identifier.
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()


class _Schema:
    """Whether this process's PostgreSQL schema matches the models (see ``forget``)."""

    postgres_ready = False
    sqlite_template: Path | None = None


def forget_schema() -> None:
    """Tell the next app to rebuild the PostgreSQL schema (after a test dropped it)."""
    _Schema.postgres_ready = False


def _reset_postgres(engine) -> None:
    if not _Schema.postgres_ready:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        SQLModel.metadata.create_all(engine)
        _Schema.postgres_ready = True
        return
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        # TRUNCATE makes new files for every table and index (tens of milliseconds per
        # table, more under load); most tests fill a handful of tables. So: find the tables
        # with rows in one round trip, empty those (children first) in another, and restart
        # the sequences that handed out ids in a third, so that ids start at 1 as after
        # TRUNCATE ... RESTART IDENTITY. setval is a function call, where ALTER SEQUENCE ...
        # RESTART was a statement per sequence and a catalog change that every connection
        # had to reload.
        filled = filled_tables(connection)
        if filled:
            emptied = [table.name for table in reversed(tables) if table.name in filled]
            # No parameters: psycopg sends the statements as one query.
            connection.exec_driver_sql("; ".join(f'DELETE FROM "{name}"' for name in emptied))
        connection.execute(text(_RESTART_USED_SEQUENCES))


_RESTART_USED_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
    " FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname = current_schema()"
)


def filled_tables(connection) -> set[str]:
    """The names of the tables that hold rows, in one round trip."""
    query = " UNION ALL ".join(
        f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")"
        for table in SQLModel.metadata.sorted_tables
    )
    return set(connection.execute(text(query)).scalars())


def _sqlite_template() -> Path:
    """A SQLite file with the empty schema, made on first use in this process."""
    if _Schema.sqlite_template is None:
        folder = Path(tempfile.mkdtemp(prefix="nattvandring-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "schema.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        metadata.create_all(engine)
        # Disposing closes the last connection: SQLite checkpoints the WAL into the file and
        # removes it, so the one file holds the whole schema.
        engine.dispose()
        _Schema.sqlite_template = path
    return _Schema.sqlite_template


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def app_settings(tmp_path, **overrides) -> dict[str, object]:
    """The settings of a test's app; ``overrides`` change them."""
    settings: dict[str, object] = {
        "TESTING": True,
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    settings.update(overrides)
    return settings


#: One engine per PostgreSQL database in this process, shared by every test's app. An engine
#: per test meant new server connections per test, each a new backend process that reads the
#: catalog of every table it touches again: 5-30 ms per connection, several per test.
_SHARED_ENGINES: dict[str, Engine] = {}


def _share_engine(app) -> Engine:
    engine = get_engine(app)
    if engine.dialect.name == "postgresql":
        engine = _SHARED_ENGINES.setdefault(str(app.config["DATABASE_URL"]), engine)
        use_engine(app, engine)
    return engine


def release(app) -> None:
    """After a test: close its app's connections, unless they are the shared engine's (which
    the next test's reset finds returned to the pool and rolled back)."""
    engine = get_engine(app)
    if all(engine is not shared for shared in _SHARED_ENGINES.values()):
        engine.dispose()


def make_test_app(tmp_path, **overrides):
    """An app on an empty database with the current schema; ``overrides`` change settings."""
    settings = app_settings(tmp_path, **overrides)
    copied = _copy_template(str(settings["DATABASE_URL"]))
    app = create_app(settings)
    engine = _share_engine(app)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    elif not copied:
        SQLModel.metadata.create_all(engine)
    return app


def _copy_template(url: str) -> bool:
    """Put a copy of the schema template at ``url``'s SQLite file if it has none yet."""
    path = _sqlite_file(url)
    if path is None or path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template(), path)
    return True


_TWIN_SETTINGS = (
    "TESTING",
    "SECRET_KEY",
    "DATABASE_URL",
    "WTF_CSRF_ENABLED",
    "PUBLIC_BASE_URL",
    "RATELIMIT_STORAGE_URI",
    "CACHE_TYPE",
)


def uncached_twin(app):
    """Another app on ``app``'s database with its cache off: renders every page afresh."""
    settings = {**app.config, "CACHE_TYPE": "NullCache"}
    return create_app({key: settings[key] for key in _TWIN_SETTINGS})


@contextmanager
def written_elsewhere_after_first_read(app, write: str | None = None) -> Iterator[None]:
    """While active, right after the app's next SELECT another connection writes and commits
    (the SQL ``write``, or one that changes nothing the app reads), as the worker may between
    a request's first read and its first write.

    On SQLite that leaves the request's read snapshot behind: a transaction that began
    deferred can then no longer write ("database is locked", at once, whatever the busy
    timeout)."""
    engine = get_engine(app)
    elsewhere = make_engine(str(app.config["DATABASE_URL"]))
    wrote: list[bool] = []

    def after_execute(_connection, _cursor, statement, *_args) -> None:
        if wrote or not statement.lstrip().upper().startswith("SELECT"):
            return
        wrote.append(True)
        with writer(elsewhere).begin() as connection:
            if write is not None:
                connection.execute(text(write))
            elif elsewhere.dialect.name == "sqlite":  # a commit that changes the file, always
                version = connection.exec_driver_sql("PRAGMA user_version").scalar_one()
                connection.exec_driver_sql(f"PRAGMA user_version = {int(version) + 1}")
            else:
                connection.execute(text("UPDATE municipality SET name = name"))

    event.listen(engine, "after_cursor_execute", after_execute)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", after_execute)
        elsewhere.dispose()
    assert wrote, "the app read nothing"
