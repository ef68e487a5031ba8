"""The app the browser talks to: gunicorn and a worker on 127.0.0.1, the demo data, a clock.

Seeded the way an administrator would: ``nattvandring db upgrade`` and ``nattvandring demo``,
with the clock read from a file (the test-only ``TEST_CLOCK_FILE`` setting) so that the demo
and every journey see the same dates on every run. A test moves time with ``Served.at``.
The worker reads its own copy of the clock, so a test can hold it back (``hold_worker``) to
see a page as it is between two of the worker's sweeps.
SMS go to the console backend: the worker "sends" them and the pages show their status.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from nattvandring.clock import STOCKHOLM
from nattvandring.db import make_engine
from tests.ops.multiprocess_support import migrated_schema
from tests.support import database as test_database
from tests.support import processes

SECRET = "e2e-secret-key-that-is-long-enough-for-the-tests-0001"
TWILIO_TOKEN = "e2e-twilio-auth-token"
# Monday 16 March 2026, 10:00 in Hässleholm: the spring season is about to be planned.
START = datetime(2026, 3, 16, 10, 0, tzinfo=STOCKHOLM)


@dataclass
class Served:
    base_url: str
    settings: dict[str, object]
    clock_file: Path
    worker_clock_file: Path
    engine: Engine  # the served database, for asserting on what is stored
    worker_held: bool = False

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def at(self, instant: datetime) -> None:
        """Move the served processes' clock (they read the file on every call)."""
        if instant.tzinfo is None:
            raise ValueError("the clock needs an aware instant")
        _write_atomically(self.clock_file, instant.isoformat())
        if not self.worker_held:
            _write_atomically(self.worker_clock_file, instant.isoformat())

    @contextmanager
    def hold_worker(self) -> Iterator[None]:
        """Keep the worker's clock where it is while the web server's moves, as in the minute
        between two of its sweeps: otherwise a sweep may act first (draw a round that is due,
        say) and the page under test no longer offers the action. The worker catches up on
        leaving."""
        self.worker_held = True
        try:
            yield
        finally:
            self.worker_held = False
            _write_atomically(self.worker_clock_file, self.clock_file.read_text(encoding="utf-8"))

    def now(self) -> datetime:
        return datetime.fromisoformat(self.clock_file.read_text(encoding="utf-8"))


def _write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step: the servers read it on every call, and a plain write
    would let them see it empty for a moment."""
    fresh = path.with_suffix(".new")
    fresh.write_text(text, encoding="utf-8")
    os.replace(fresh, path)


@contextmanager
def database(workdir: Path) -> Iterator[tuple[str, Engine]]:
    """The run's database, empty: PostgreSQL's ``public`` schema (migrated, dropped after) or
    a SQLite file in ``workdir``."""
    if test_database.PG_URL:
        with migrated_schema(test_database.PG_URL) as engine:  # empty, migrated, dropped after
            yield test_database.PG_URL, engine
        return
    url = f"sqlite:///{workdir / 'e2e.sqlite3'}"
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()


def cli(args: list[str], env: dict[str, str]) -> str:
    """``nattvandring <args>`` as an administrator runs it; fails with what it printed."""
    done = subprocess.run(
        [str(processes.BIN / "nattvandring"), *args],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nattvandring {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def no_tracebacks(name: str, printed: str, workdir: Path) -> None:
    """Keep what a process printed in ``workdir`` and fail if it logged an exception."""
    (workdir / f"{name}.log").write_text(printed, encoding="utf-8")
    if "Traceback" in printed:
        start = printed.index("Traceback")
        raise AssertionError(f"the {name} logged an exception:\n{printed[start : start + 4000]}")


@contextmanager
def serve(workdir: Path) -> Iterator[Served]:
    """Migrate, load the demo, start gunicorn (1 process, 4 threads) and one worker."""
    port = processes.free_port()
    base_url = f"http://127.0.0.1:{port}"
    clock_file = workdir / "now.txt"
    worker_clock_file = workdir / "worker-now.txt"
    for file in (clock_file, worker_clock_file):
        _write_atomically(file, START.isoformat())
    with database(workdir) as (url, engine):
        settings: dict[str, object] = {
            "SECRET_KEY": SECRET,
            "DATABASE_URL": url,
            "PUBLIC_BASE_URL": base_url,
            "TEST_CLOCK_FILE": str(clock_file),
            "SMS_BACKEND": "console",
            "MAIL_BACKEND": "console",
            # Console SMS need no Twilio account; the token only checks inbound webhooks.
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "DISPATCH_INTERVAL_SECONDS": 1,
            "OUTBOX_BATCH_SIZE": 500,
            # Every journey logs in afresh from the same address.
            "RATELIMIT_LOGIN": "200 per minute",
            "LOG_LEVEL": "WARNING",
        }
        env = processes.app_environment(settings)
        cli(["db", "upgrade"], env)
        cli(["demo"], env)
        web_env = dict(
            env,
            NATTVANDRING_BIND=f"127.0.0.1:{port}",
            NATTVANDRING_WEB_WORKERS="1",
            NATTVANDRING_WEB_THREADS="4",
        )
        gunicorn = [str(processes.BIN / "gunicorn"), "-c", "config/gunicorn.conf.py"]
        web = processes.spawn(gunicorn, web_env)
        worker_env = dict(env, NATTVANDRING_TEST_CLOCK_FILE=str(worker_clock_file))
        worker = processes.spawn([str(processes.BIN / "nattvandring"), "worker"], worker_env)
        try:
            processes.wait_for_http(f"{base_url}/healthz", process=web, timeout=60)
            yield Served(base_url, settings, clock_file, worker_clock_file, engine)
        finally:
            printed_web = processes.stop(web)
            printed_worker = processes.stop(worker)
            engine.dispose()
            no_tracebacks("web server", printed_web, workdir)
            no_tracebacks("worker", printed_worker, workdir)
