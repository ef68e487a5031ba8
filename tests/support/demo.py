"""The demo data, loaded once per test run and copied for every test that starts from it.

``nattvandring demo`` goes through the services (about 1 400 roster additions with their
SMS, calendar and audit rows) and takes 15-40 s. The tests about the demo used to load it
each on their own. Now the first test process that needs it runs ``nattvandring db upgrade``
and ``nattvandring demo`` as an administrator would (in-process, click's runner), with the
clock frozen at ``DEMO_AT``, and keeps the result as a snapshot:

- SQLite: a file in the run's temporary directory; a test gets a copy (SQLite's backup API,
  so a write-ahead log not yet checkpointed is copied too).
- PostgreSQL (NATTVANDRING_TEST_DATABASE_URL): the database ``<name>_demo_template``, used
  only as a template; a test gets ``<name>_<worker>_demo``, made with ``CREATE DATABASE ...
  TEMPLATE`` (dropped and made again for the next test).

Under pytest-xdist the workers share the one load: a lock file in the run's temporary
directory (the parent of every worker's own) lets the first build and the others wait, and
a marker file there tells later tests that this run's snapshot is ready, so a template left
by an earlier run is never reused.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from nattvandring import cli, clock

from . import database

#: The instant the snapshot's demo was loaded at; tests about it freeze the clock there.
#: The spring of 2027 is not over, so the demo's finished spring is 2026's; Valborg 2027
#: falls in the weeks around "today".
DEMO_AT = datetime(2027, 4, 14, 10, tzinfo=UTC)


@dataclass(frozen=True)
class DemoCopy:
    url: str  # a database of this test's own, holding the demo as loaded at DEMO_AT
    printed: str  # what ``nattvandring demo`` printed when it loaded the demo


class DemoSnapshot:
    """The run's demo snapshots (one per backend, each made on first use)."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir

    def sqlite(self, directory: Path) -> DemoCopy:
        """A copy of the demo in ``directory``/demo.sqlite3 (on either test database)."""
        snapshot = self.run_dir / "demo.sqlite3"
        printed = self._ready("sqlite", lambda: _load(f"sqlite:///{snapshot}"))
        target = directory / "demo.sqlite3"
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            _closing(sqlite3.connect(snapshot)) as source,
            _closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return DemoCopy(f"sqlite:///{target}", printed)

    def postgres(self) -> DemoCopy:
        """A fresh copy of the demo in this process's ``<name>_<worker>_demo`` database."""
        template, copy = _template_name(), _copy_name()

        def build() -> str:
            _drop_postgres(template)
            _create_postgres(template)
            printed = _load(_url_of(template))
            # The command's app is gone but its pool may still hold connections, and
            # PostgreSQL copies no database that somebody is connected to.
            gc.collect()
            _server(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                f" WHERE datname = '{template}' AND pid <> pg_backend_pid()"
            )
            return printed

        printed = self._ready("postgres", build)
        with _locked(self.run_dir / "demo-postgres.lock"):  # one copy at a time
            _drop_postgres(copy)
            _create_postgres(copy, template=template)
        return DemoCopy(_url_of(copy), printed)

    def copy(self, directory: Path) -> DemoCopy:
        """A copy of the demo on the test database's backend (``directory`` for SQLite)."""
        return self.postgres() if database.PG_URL else self.sqlite(directory)

    def _ready(self, name: str, build) -> str:
        """What the load printed; loads it first (under the run's lock) if nobody has yet."""
        printed = self.run_dir / f"demo-{name}.txt"
        with _locked(self.run_dir / f"demo-{name}.lock"):
            if not printed.exists():
                printed.write_text(build(), encoding="utf-8")
        return printed.read_text(encoding="utf-8")


def run_dir(tmp_path_factory) -> Path:
    """The run's temporary directory, which every xdist worker's own lies in."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def drop_postgres(*, template: bool) -> None:
    """Drop this process's copy of the demo, and the run's template with ``template``."""
    if database.PG_URL:
        _drop_postgres(_copy_name())
        if template:
            _drop_postgres(_template_name())


def _template_name() -> str:
    return f"{make_url(database.BASE_URL).database}_demo_template"


def _copy_name() -> str:
    return f"{make_url(database.PG_URL).database}_demo"


def _load(url: str) -> str:
    """``nattvandring db upgrade`` and ``nattvandring demo`` on ``url`` at DEMO_AT."""
    runner = CliRunner()
    env = {
        "NATTVANDRING_DATABASE_URL": url,
        "NATTVANDRING_SECRET_KEY": database.SECRET_KEY,  # the test apps' key
    }
    logger = logging.getLogger("nattvandring")
    level = logger.level  # `nattvandring demo` quiets the package's logger; put it back
    clock.freeze(DEMO_AT)
    try:
        for args in (["db", "upgrade"], ["demo"]):
            result = runner.invoke(cli.main, args, env=env)
            if result.exit_code != 0:
                raise RuntimeError(
                    f"nattvandring {' '.join(args)} failed:\n{result.output}"
                ) from result.exception
    finally:
        clock.freeze(None)
        logger.setLevel(level)
    return result.output


def _url_of(name: str) -> str:
    return make_url(database.BASE_URL).set(database=name).render_as_string(hide_password=False)


def _server(statement: str) -> None:
    server = create_engine(
        make_url(database.BASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with server.connect() as connection:
            connection.execute(text(statement))
    finally:
        server.dispose()


def _drop_postgres(name: str) -> None:
    # Names from our own environment and our suffixes, quoted as identifiers.
    _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create_postgres(name: str, *, template: str | None = None) -> None:
    _server(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _closing(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield connection
    finally:
        connection.close()
