"""No overbooking under real concurrency: a threaded WSGI server, real HTTP, real threads.

Runs on SQLite (BEGIN IMMEDIATE serializes writers) and on PostgreSQL (row locks in the order
association -> shift -> user, plus unique constraints) when NATTVANDRING_TEST_DATABASE_URL is
set. The Flask test client is not used: each request gets its own server thread and database
connection, as in production.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import select

from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.booking import services_booking as sb
from nattvandring.booking.models import Assignment, Booking
from nattvandring.db import get_engine, session_scope
from tests import factories
from tests.support.booking import NOW, volunteer
from tests.support.http import fire, logged_in, served_app
from tests.support.shifts import make_shift

pytestmark = pytest.mark.slow

THREADS = 20


@pytest.fixture
def served(tmp_path):
    with served_app(tmp_path, RATELIMIT_LOGIN="10000 per minute") as found:
        yield found


def test_twenty_associations_book_one_shift_at_once(served):
    app, base = served
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = factories.build_world(session)
        municipality = session.get(factories.Municipality, world.ids["hassleholm"])
        emails = []
        for n in range(THREADS):
            association = factories.association(session, municipality, f"Förening {n}")
            email = f"ledare{n}@example.org"
            leader = factories.user(session, f"Ledare {n}", email=email)
            grant(session, leader, Role.LEADER, association_id=association.id)
            emails.append((association.id, email))
        shift_id = make_shift(
            session, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"]
        ).id
    # Logged in one after another: POST /login holds SQLite's write lock while hashing.
    sessions = [logged_in(base, email) for _aid, email in emails]
    calls = [
        (lambda http=http, aid=aid: http.post(
            f"{base}/booking/{aid}/shifts/{shift_id}/book", allow_redirects=False, timeout=60
        ))
        for http, (aid, _email) in zip(sessions, emails, strict=True)
    ]  # fmt: skip
    statuses = Counter(fire(calls))
    assert statuses == Counter({302: 1, 422: THREADS - 1})
    with session_scope(get_engine(app)) as session:
        active = session.exec(
            select(Booking).where(Booking.shift_id == shift_id, Booking.status == "active")
        ).all()
    assert len(active) == 1


def _booked_shift(app, max_walkers: int, volunteers: int):
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = factories.build_world(session)
        shift = make_shift(
            session,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            max_walkers=max_walkers,
        )
        booking = sb.book_shift(
            session,
            association_id=world.ids["assoc_a"],
            shift_id=shift.id,
            actor_id=None,
            now=NOW,
        )
        people = [
            volunteer(session, world.ids["assoc_a"], f"Vandrare {n}").id for n in range(volunteers)
        ]
        return world, booking.id, people


def test_twenty_roster_adds_never_exceed_the_maximum(served):
    app, base = served
    world, booking_id, people = _booked_shift(app, max_walkers=4, volunteers=THREADS)
    http = logged_in(base, world.emails["leader_a"])
    sessions = [http] + [logged_in(base, world.emails["leader_a"]) for _ in range(3)]
    calls = [
        (lambda uid=uid, s=sessions[n % 4]: s.post(
            f"{base}/booking/bookings/{booking_id}/roster",
            data={"user_id": uid}, allow_redirects=False, timeout=60,
        ))
        for n, uid in enumerate(people)
    ]  # fmt: skip
    statuses = Counter(fire(calls))
    assert statuses == Counter({302: 4, 422: THREADS - 4})
    with session_scope(get_engine(app)) as session:
        rows = session.exec(select(Assignment).where(Assignment.booking_id == booking_id)).all()
    assert len(rows) == 4


def test_same_volunteer_added_concurrently_ends_in_one_assignment(served):
    app, base = served
    world, booking_id, people = _booked_shift(app, max_walkers=6, volunteers=1)
    sessions = [logged_in(base, world.emails["leader_a"]) for _ in range(4)]
    calls = [
        (lambda s=sessions[n % 4]: s.post(
            f"{base}/booking/bookings/{booking_id}/roster",
            data={"user_id": people[0]}, allow_redirects=False, timeout=60,
        ))
        for n in range(10)
    ]  # fmt: skip
    statuses = Counter(fire(calls))
    assert statuses == Counter({302: 1, 422: 9})
    with session_scope(get_engine(app)) as session:
        rows = session.exec(select(Assignment).where(Assignment.booking_id == booking_id)).all()
    assert [row.user_id for row in rows] == [people[0]]
