"""Personal iCal feed under gunicorn: 304 and cached body against /healthz; full render.

    python -m benchmarks.ical_feed [--seconds 3] [--rounds 7] [--connections 8] [--walks 100]

Builds a fresh SQLite database in a temporary directory with one volunteer on 100 walks,
starts gunicorn (2 workers) on 127.0.0.1, and measures requests per second of

- ``/healthz`` (the app's own trivial endpoint, same run),
- the personal feed without validators, served from the body cache (what a client that
  never sends If-None-Match gets once the feed was rendered),
- the personal feed's 304 path (If-None-Match with the current ETag),

with ``wrk`` (only 127.0.0.1). Goals (issue #19): the 304
path at least 0.9 and the cached body at least 0.8 of ``/healthz``. The full render (after a
change, once per ETag) is measured in-process with the body cache emptied before each
request, and reported, not gated.

A round measures the trivial endpoint before and after each feed case; each ratio is the
feed's rate over the mean of the two trivial rates around it, and the median over the
rounds is reported with its range. On a shared 2-core machine the trivial rate alone
drifts by a third between runs, so one pass per endpoint is not a measurement.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import requests

from benchmarks import wrk

SECRET = "benchmark-secret-key-0123456789abcdefghij"
GOALS = {"cached body": 0.8, "304 path": 0.9}
TRIVIAL = "/healthz"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_database(url: str, walks: int) -> str:
    """Schema plus one volunteer on ``walks`` booked walks; returns the feed path."""
    from sqlmodel import SQLModel

    from nattvandring import stable_links
    from nattvandring.accounts.models import Membership, Role, TokenPurpose, User
    from nattvandring.app import create_app
    from nattvandring.associations.models import Association
    from nattvandring.booking.models import Assignment, Booking
    from nattvandring.clock import local_to_utc
    from nattvandring.db import get_engine, session_scope
    from nattvandring.municipalities.models import Municipality
    from nattvandring.planning.models import PatrolArea, Shift

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as session:
        town = Municipality(name="Hässleholm", slug="hassleholm")
        session.add(town)
        session.flush()
        area = PatrolArea(
            municipality_id=town.id,
            name="Centrum",
            meeting_point="Stationen",
            latitude=56.15,
            longitude=13.76,
        )
        club = Association(
            municipality_id=town.id,
            name="IFK Hässleholm",
            org_number="802400-0001",
            account_number="5050-1055",
            contact_name="Lena Ledare",
            contact_email="lena@example.org",
            contact_phone="+46701234567",
            status="approved",
        )
        walker = User(name="Vera Volontär", phone_e164="+46709876543", birth_year=1980)
        session.add_all([area, club, walker])
        session.flush()
        session.add(Membership(user_id=walker.id, role=Role.VOLUNTEER, association_id=club.id))
        first = datetime.now(UTC).date() + timedelta(days=1)
        changed = datetime.now(UTC)
        for n in range(walks):
            day = first + timedelta(days=n)
            shift = Shift(
                municipality_id=town.id,
                area_id=area.id,
                status="booked",
                start_at=local_to_utc(day, clock_time(21)),
                end_at=local_to_utc(day + timedelta(days=1), clock_time(1)),
                updated_at=changed,
            )
            session.add(shift)
            session.flush()
            booking = Booking(shift_id=shift.id, association_id=club.id)
            session.add(booking)
            session.flush()
            session.add(Assignment(shift_id=shift.id, booking_id=booking.id, user_id=walker.id))
        raw = stable_links.stable_link(
            session, TokenPurpose.PERSONAL_FEED, secret_key=SECRET, user_id=walker.id
        )
        stable_links.stable_link(
            session, TokenPurpose.PERSONAL_PAGE, secret_key=SECRET, user_id=walker.id
        )
    engine.dispose()
    return f"/feeds/personal/{raw}.ics"


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        NATTVANDRING_DATABASE_URL=url,
        NATTVANDRING_SECRET_KEY=SECRET,
        NATTVANDRING_LOG_LEVEL="WARNING",
        NATTVANDRING_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        NO_PROXY="127.0.0.1",
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "nattvandring.app:create_app()",
    ]
    return subprocess.Popen(command, env=env, cwd=Path(__file__).resolve().parent.parent)


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            if requests.get(base + "/", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def measure(url: str, *, seconds: float, connections: int, headers: dict[str, str]) -> float:
    """Requests per second of ``wrk`` with ``connections`` connections for ``seconds``."""
    return wrk.run(url, seconds=seconds, connections=connections, headers=headers).rate


def full_render_rate(url: str, feed: str, *, rounds: int) -> float:
    """Renders per second of the feed, one thread, in-process (no HTTP server)."""
    os.environ.update(NATTVANDRING_DATABASE_URL=url, NATTVANDRING_SECRET_KEY=SECRET)
    from nattvandring.app import create_app

    app = create_app()
    client = app.test_client()
    started = time.perf_counter()
    for _ in range(rounds):
        app.extensions.pop("calendar_body_cache", None)
        assert client.get(feed).status_code == 200
    return rounds / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--walks", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nv-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        feed = build_database(url, args.walks)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_gunicorn(url, port)
        try:
            wait_ready(base, process)
            probe = requests.get(base + feed, timeout=10)
            assert probe.status_code == 200 and probe.content.count(b"BEGIN:VEVENT") == args.walks
            etag = probe.headers["ETag"]
            common = {"seconds": args.seconds, "connections": args.connections}
            cases = {
                "cached body": ({}, 200),
                "304 path": ({"If-None-Match": etag}, 304),
            }
            trivial: list[float] = []
            rates: dict[str, list[float]] = {name: [] for name in cases}
            ratios: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.rounds):
                before = measure(base + TRIVIAL, headers={}, **common)
                trivial.append(before)
                for name, (headers, status) in cases.items():
                    assert (
                        requests.get(base + feed, headers=headers, timeout=10).status_code == status
                    )
                    rate = measure(base + feed, headers=headers, **common)
                    after = measure(base + TRIVIAL, headers={}, **common)
                    trivial.append(after)
                    rates[name].append(rate)
                    # Against the trivial rate measured just before and just after, so
                    # that load drifting on the shared machine cancels out.
                    ratios[name].append(rate / ((before + after) / 2))
                    before = after
        finally:
            process.terminate()
            process.wait(timeout=20)
        full = full_render_rate(url, feed, rounds=20)
    print(
        f"gunicorn 2 workers, wrk with {args.connections} connections, {args.rounds} rounds of "
        f"{args.seconds:g} s per measurement; median (range) over the rounds; each "
        "ratio against the trivial rates measured just before and after that feed case"
    )
    print(f"trivial endpoint {TRIVIAL:<12}{statistics.median(trivial):8.1f} req/s")
    all_ok = True
    for name, found in rates.items():
        ratio = statistics.median(ratios[name])
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            ok = ratio >= goal
            all_ok = all_ok and ok
            verdict = f"(goal {goal}) {'ok' if ok else 'BELOW GOAL'}"
        print(
            f"personal feed {name:<12}  {statistics.median(found):8.1f} req/s  ratio "
            f"{ratio:4.2f} ({min(ratios[name]):4.2f}-{max(ratios[name]):4.2f}) {verdict}"
        )
    print(f"personal feed full render  {full:8.1f} req/s  in-process, body cache emptied each time")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
