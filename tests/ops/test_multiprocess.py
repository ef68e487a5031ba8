"""Two gunicorn servers and two workers on one PostgreSQL database behave exactly like one.

Real processes (tests/support/processes.py), real HTTP with real CSRF tokens, the real
Twilio SDK against the local fake Twilio, rate limits in Redis (127.0.0.1:6379, db 13):

1. twenty leaders book the same shift at once through both servers: one booking, 19 refusals;
2. every due SMS is sent exactly once although two workers dispatch at the same time;
3. a personal feed is byte-identical from both servers, with an ETag both honour;
4. failed logins spread over both servers share one login limit;
5. /readyz on both servers sees the workers' heartbeats.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import time as dt_time
from datetime import timedelta

import pytest
import redis
from sqlalchemy.engine import Engine
from sqlmodel import select

from nattvandring import clock, stable_links
from nattvandring.accounts.models import TokenPurpose
from nattvandring.app import create_app
from nattvandring.booking.models import Assignment, Booking
from nattvandring.db import get_engine, session_scope
from nattvandring.messaging.models import SmsMessage
from nattvandring.ops.models import WorkerHeartbeat
from tests.ops.multiprocess_support import (
    Browser,
    Seed,
    fire,
    migrated_schema,
    queue_bulk_sms,
    seed,
    wait_until,
)
from tests.support import database as test_database
from tests.support import processes
from tests.support.fake_twilio import FakeTwilio

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SECRET = "multiprocess-secret-key-long-enough-for-production-0001"
SID = "AC" + "fedcba9876543210" * 2
TWILIO_TOKEN = "multiprocess-twilio-auth-token"
REDIS_DB = 13
LEADERS = 20
WALKERS = 6
BULK_SMS = 200
LOGIN_LIMIT = 5
REFUSED = "Passet är redan bokat av en annan förening."
WRONG_PASSWORD = "Fel e-post eller lösenord."


def settings(twilio_url: str) -> dict[str, object]:
    return {
        "SECRET_KEY": SECRET,
        "DATABASE_URL": test_database.PG_URL,
        "PUBLIC_BASE_URL": "https://nattvandring.example.org",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_FROM": "+46766861004",
        "TWILIO_API_BASE_URL": twilio_url,
        "TWILIO_TIMEOUT_SECONDS": 5,
        "DISPATCH_INTERVAL_SECONDS": 1,
        "OUTBOX_BATCH_SIZE": 25,
        # Quiet hours off: the confirmations must be due now whatever time the test runs.
        "SMS_QUIET_HOURS_START": "12:00",
        "SMS_QUIET_HOURS_END": "12:00",
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
        # As behind the deployment's reverse proxy: the client address is X-Forwarded-For.
        "PROXY_FIX_HOPS": 1,
        "LOG_LEVEL": "WARNING",
    }


def test_two_web_servers_and_two_workers_behave_like_one():
    timings: dict[str, float] = {}
    started = time.monotonic()
    limits = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=5)
    limits.flushdb()
    logs: list[str] = []
    fake = FakeTwilio(account_sid=SID, auth_token=TWILIO_TOKEN).start()
    try:
        config = settings(fake.base_url)
        with migrated_schema(test_database.PG_URL) as engine:
            app = create_app({"SECRET_KEY": SECRET, "DATABASE_URL": test_database.PG_URL})
            try:
                with app.app_context():
                    seeded = seed(
                        engine,
                        associations=LEADERS,
                        volunteers_each=WALKERS,
                        start=clock.local_to_utc(
                            clock.to_local(clock.utcnow()).date() + timedelta(days=3), dt_time(21)
                        ),
                    )
                    queue_bulk_sms(engine, BULK_SMS)
                timings["schema and seed"] = time.monotonic() - started
                with ExitStack() as stack:
                    # All four start side by side; only the servers are waited for.
                    workers = stack.enter_context(processes.workers(config, 2, logs=logs))
                    workers_started = time.monotonic()
                    servers = stack.enter_context(
                        processes.gunicorn_servers(config, 2, threads=4, logs=logs)
                    )
                    timings["servers up"] = time.monotonic() - started
                    leader = _phase(timings, "bookings", _bookings, engine, seeded, servers)
                    winner = _winner(engine, seeded)
                    _phase(timings, "roster adds", _roster, engine, seeded, servers, winner, leader)
                    _phase(timings, "sms sent", _sms_exactly_once, engine, seeded, fake, winner)
                    _phase(timings, "feeds", _feeds, engine, seeded, servers, winner)
                    _phase(timings, "rate limits", _shared_login_limit, servers, limits)
                    _phase(timings, "readyz", _readyz_with_workers, engine, servers, workers)
                    assert all(w.poll() is None for w in workers), "a worker died"
                    timings["heartbeats seen, after worker start"] = (
                        time.monotonic() - workers_started
                    )
            finally:
                get_engine(app).dispose()
    except BaseException:
        for printed in logs:
            print(printed[-4000:])  # shown by pytest on failure
        raise
    finally:
        fake.stop()
        limits.flushdb()
        limits.close()
    timings["total"] = time.monotonic() - started
    print("timings (s, cumulative unless named):", {k: round(v, 1) for k, v in timings.items()})


def _phase(timings: dict[str, float], name: str, check, *args):
    began = time.monotonic()
    result = check(*args)
    timings[name] = time.monotonic() - began
    return result


def _bookings(engine: Engine, seeded: Seed, servers: list[str]) -> Browser:
    """Returns the winning leader's browser (logged in)."""
    people = list(seeded.leaders.items())
    browsers = [Browser(f"10.0.1.{n + 1}") for n in range(len(people))]

    def log_in(n: int) -> int:
        return browsers[n].login(servers[n % 2], people[n][1]).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(log_in, range(len(people)))) == [302] * len(people)
    # Each leader books through the OTHER server than the one that logged them in.
    calls = []
    for n, (aid, _email) in enumerate(people):
        base, browser = servers[(n + 1) % 2], browsers[n]
        shift_url = f"{base}/booking/{aid}/shifts/{seeded.shift_id}"
        token = browser.token_from(shift_url)
        calls.append(lambda b=browser, u=shift_url, t=token: b.post(f"{u}/book", {"csrf_token": t}))
    answers = fire(calls)
    assert Counter(a.status_code for a in answers) == Counter({302: 1, 422: len(people) - 1})
    for answer in answers:
        if answer.status_code == 422:
            assert REFUSED in answer.text
    won = next(n for n, a in enumerate(answers) if a.status_code == 302)
    with session_scope(engine, write=False) as session:
        active = session.exec(
            select(Booking).where(Booking.shift_id == seeded.shift_id, Booking.status == "active")
        ).all()
    assert len(active) == 1
    assert active[0].association_id == people[won][0]
    assert answers[won].headers["Location"].endswith(f"/booking/bookings/{active[0].id}/roster")
    for n, browser in enumerate(browsers):
        if n != won:
            browser.close()
    return browsers[won]


def _winner(engine: Engine, seeded: Seed) -> Booking:
    with session_scope(engine, write=False) as session:
        return session.exec(select(Booking).where(Booking.shift_id == seeded.shift_id)).one()


# -- 2. no duplicate SMS --------------------------------------------------------------------


def _roster(
    engine: Engine, seeded: Seed, servers: list[str], winner: Booking, browser: Browser
) -> None:
    roster_urls = [f"{base}/booking/bookings/{winner.id}/roster" for base in servers]
    token = browser.token_from(roster_urls[0])
    walkers = seeded.volunteers[winner.association_id]
    calls = [
        lambda uid=uid, url=roster_urls[n % 2]: browser.post(
            url, {"user_id": str(uid), "csrf_token": token}
        )
        for n, uid in enumerate(walkers)
    ]
    assert [a.status_code for a in fire(calls)] == [302] * len(walkers)
    with session_scope(engine, write=False) as session:
        rows = session.exec(select(Assignment).where(Assignment.booking_id == winner.id)).all()
    assert sorted(row.user_id for row in rows) == sorted(walkers)


def _sms_exactly_once(engine: Engine, seeded: Seed, fake: FakeTwilio, winner: Booking) -> None:
    walkers = seeded.volunteers[winner.association_id]
    expected = BULK_SMS + len(walkers)  # the evening's reminders and one confirmation each

    def all_due_sent() -> list[SmsMessage] | None:
        with session_scope(engine, write=False) as session:
            now = clock.utcnow()
            due = session.exec(select(SmsMessage).where(SmsMessage.due_at <= now)).all()
        done = len(due) == expected and all(row.status == "sent" for row in due)
        return list(due) if done else None

    due: list[SmsMessage] = wait_until(all_due_sent, timeout=60, what="all due SMS sent")
    time.sleep(2)  # two more dispatch rounds of both workers: nothing may be sent again
    posted = Counter((r.form["To"], r.form["Body"]) for r in fake.created_requests())
    assert len(posted) == expected
    assert set(posted.values()) == {1}, "a message was sent twice"
    assert all(row.attempts == 1 for row in due)
    sids = {row.twilio_sid for row in due}
    assert len(sids) == expected
    assert sids == {message["sid"] for message in fake.messages}
    by_sid = {message["sid"]: message for message in fake.messages}
    assert all(by_sid[row.twilio_sid]["to"] == row.to_e164 for row in due)
    confirmations = [row for row in due if row.kind == "confirmation"]
    assert sorted(row.user_id for row in confirmations) == sorted(walkers)
    texts = {r.form["To"]: r.form["Body"] for r in fake.created_requests()}
    for row in confirmations:
        assert row.to_e164 == seeded.phones[row.user_id]
        sent = texts[row.to_e164]
        assert sent.startswith(f"Hej {seeded.first_names[row.user_id]}! Du är bokad")
        assert ", Stortorget. Samling: Stortor" in sent  # fitted to two SMS parts
        assert "https://nattvandring.example.org/me/" in sent  # the link filled in at send
    with session_scope(engine, write=False) as session:
        later = session.exec(select(SmsMessage).where(SmsMessage.due_at > clock.utcnow())).all()
    assert later, "the reminders before the walk should be queued for later"
    assert {row.status for row in later} == {"pending"}
    assert not {row.to_e164 for row in later} - set(seeded.phones.values())


# -- 3. feeds -------------------------------------------------------------------------------


def _feeds(engine: Engine, seeded: Seed, servers: list[str], winner: Booking) -> None:
    volunteer_id = seeded.volunteers[winner.association_id][0]
    with session_scope(engine) as session:
        raw = stable_links.stable_link(
            session, TokenPurpose.PERSONAL_FEED, secret_key=SECRET, user_id=volunteer_id
        )
    browser = Browser("10.0.2.1")
    first, second = (browser.get(f"{base}/feeds/personal/{raw}.ics") for base in servers)
    for answer in (first, second):
        assert answer.status_code == 200
        assert answer.headers["Content-Type"].startswith("text/calendar")
    assert first.content == second.content
    assert first.content.count(b"BEGIN:VEVENT") == 1
    assert "Stortorget" in first.content.decode()
    etag = first.headers["ETag"]
    assert etag and second.headers["ETag"] == etag
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    for base in reversed(servers):  # the tag one server gave is honoured by the other
        cached = browser.get(f"{base}/feeds/personal/{raw}.ics", headers={"If-None-Match": etag})
        assert cached.status_code == 304
        assert cached.content == b""
        assert cached.headers["ETag"] == etag
    browser.close()


# -- 4. shared rate limits ------------------------------------------------------------------


def _shared_login_limit(servers: list[str], limits: redis.Redis) -> None:
    attacker = Browser("10.0.3.1")
    token = attacker.token_from(f"{servers[0]}/login")
    data = {"email": "ledare00@example.org", "password": "fel-lösenord-123", "csrf_token": token}
    answers = [attacker.post(f"{servers[n % 2]}/login", data) for n in range(LOGIN_LIMIT + 2)]
    # Alternating, each server saw at most 4 attempts: only a shared count reaches 6.
    assert [a.status_code for a in answers] == [200] * LOGIN_LIMIT + [429, 429]
    assert all(WRONG_PASSWORD in a.text for a in answers[:LOGIN_LIMIT])
    assert "för många försök" in answers[-1].text
    stored = [key.decode() for key in limits.keys("*LIMITER*")]
    assert any("/10.0.3.1/" in key for key in stored), f"no count in Redis: {stored}"
    # The limit is per client: someone else on the same servers may still try.
    other = Browser("10.0.3.2")
    other_token = other.token_from(f"{servers[1]}/login")
    allowed = other.post(f"{servers[1]}/login", data | {"csrf_token": other_token})
    assert allowed.status_code == 200
    assert WRONG_PASSWORD in allowed.text
    attacker.close()
    other.close()


# -- 5. readiness ---------------------------------------------------------------------------


def _readyz_with_workers(engine: Engine, servers: list[str], workers) -> None:
    def both_beat() -> bool:
        assert all(w.poll() is None for w in workers), "a worker died"
        with session_scope(engine, write=False) as session:
            pids = {row.pid for row in session.exec(select(WorkerHeartbeat)).all()}
        return pids == {w.pid for w in workers}

    wait_until(both_beat, timeout=60, what="a heartbeat from each worker")
    for base in servers:
        response = Browser("10.0.0.1").get(f"{base}/readyz")
        assert response.status_code == 200
        assert response.json() == {
            "status": "ready",
            "database": True,
            "migrations": True,
            "worker": True,
        }
