"""Helpers for the multi-process test: a fresh migrated schema, seed data, HTTP clients.

The clients talk real HTTP to gunicorn on 127.0.0.1 with real CSRF tokens. Each client
claims its own address in ``X-Forwarded-For`` (the servers run with PROXY_FIX_HOPS=1, as
behind the reverse proxy of a deployment), so rate limits, which are per client address,
count each simulated person separately.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy import text
from sqlalchemy.engine import Engine

from nattvandring import clock, migrate
from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.db import make_engine, session_scope
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift
from tests import factories
from tests.support import database as test_database

TIMEOUT = 30  # seconds, for every single HTTP request
_CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


@contextmanager
def migrated_schema(url: str) -> Iterator[Engine]:
    """An empty ``public`` schema migrated with Alembic (gunicorn refuses anything else).

    Afterwards the schema is dropped again and the shared test fixtures are told to rebuild
    theirs (the pattern of tests/test_migrations.py).
    """
    engine = make_engine(url)

    def reset() -> None:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))

    reset()
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()  # the servers may still hold connections: no lock waits below
        try:
            reset()
        finally:
            engine.dispose()
            test_database.forget_schema()


@dataclass
class Seed:
    municipality_id: int
    area_name: str
    shift_id: int
    # association id -> leader e-mail (the racing leaders)
    leaders: dict[int, str] = field(default_factory=dict)
    # association id -> its volunteers' user ids
    volunteers: dict[int, list[int]] = field(default_factory=dict)
    phones: dict[int, str] = field(default_factory=dict)  # user id -> E.164
    first_names: dict[int, str] = field(default_factory=dict)  # user id -> first name


def seed(engine: Engine, *, associations: int, volunteers_each: int, start: datetime) -> Seed:
    """A municipality with one area and one open shift; approved associations with a leader
    (password ``factories.PASSWORD``) and volunteers with phone numbers each."""
    with session_scope(engine) as session:
        municipality = factories.municipality(session, "Multiprocess kommun")
        area = factories.area(session, municipality, "Stortorget")
        shift = Shift(
            municipality_id=municipality.id,  # type: ignore[arg-type]
            area_id=area.id,  # type: ignore[arg-type]
            start_at=start,
            end_at=start + timedelta(hours=4),
            min_walkers=3,
            max_walkers=volunteers_each,
        )
        session.add(shift)
        session.flush()
        found = Seed(municipality.id, area.name, shift.id)  # type: ignore[arg-type]
        for n in range(associations):
            association = factories.association(session, municipality, f"Förening {n:02d}")
            aid: int = association.id  # type: ignore[assignment]
            email = f"ledare{n:02d}@example.org"
            leader = factories.user(session, f"Ledare {n:02d}", email=email)
            grant(session, leader, Role.LEADER, association_id=aid)
            found.leaders[aid] = email
            found.volunteers[aid] = []
            for v in range(volunteers_each):
                number = factories.phone(700_000 + n * 100 + v)
                first = f"Vandrare{n:02d}x{v}"
                person = factories.user(
                    session, f"{first} Test", phone_e164=number, birth_year=1985
                )
                grant(session, person, Role.VOLUNTEER, association_id=aid)
                found.volunteers[aid].append(person.id)  # type: ignore[arg-type]
                found.phones[person.id] = number  # type: ignore[index]
                found.first_names[person.id] = first  # type: ignore[index]
    return found


def queue_bulk_sms(engine: Engine, count: int) -> None:
    """``count`` reminders due now, as a busy evening would have (distinct numbers)."""
    due = clock.utcnow() - timedelta(minutes=1)
    with session_scope(engine) as session:
        session.add_all(
            SmsMessage(
                kind="reminder",
                to_e164=f"+4673{i:07d}",
                body=f"Påminnelse {i}: nattvandring i kväll kl 21:00 vid Stortorget.",
                due_at=due,
                dedupe_key=f"multiprocess:{i}",
            )
            for i in range(count)
        )


class Browser:
    """One person's cookie jar, seen by the servers as coming from ``address``."""

    def __init__(self, address: str) -> None:
        self.http = requests.Session()
        self.http.trust_env = False  # never a proxy, even if the environment names one
        self.http.headers["X-Forwarded-For"] = address

    def get(self, url: str, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        return self.http.get(url, timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def post(self, url: str, data: dict, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def,type-arg]
        return self.http.post(url, data=data, timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def token_from(self, url: str) -> str:
        page = self.get(url)
        assert page.status_code == 200, (url, page.status_code)
        return csrf_token(page.text)

    def login(self, base: str, email: str, password: str = factories.PASSWORD):  # type: ignore[no-untyped-def]
        token = self.token_from(f"{base}/login")
        return self.post(
            f"{base}/login", {"email": email, "password": password, "csrf_token": token}
        )

    def close(self) -> None:
        self.http.close()


def fire(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run every call at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], requests.Response]) -> requests.Response:
        barrier.wait(timeout=TIMEOUT)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll ``condition`` until it is truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.25)
