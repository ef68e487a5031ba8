"""The leader's month and list views run a constant number of SQL statements."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nattvandring.booking.models import Assignment, Booking
from nattvandring.db import get_engine
from nattvandring.planning.models import Shift
from nattvandring.web.caching import cache
from tests.factories import login
from tests.support.booking import NOW
from tests.support.queries import count_queries


def fill(db, world, n: int) -> None:
    """``n`` shifts in November after NOW; every other one booked, half of those with walkers."""
    start = NOW + timedelta(days=1)
    shifts = [
        Shift(
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            start_at=start + timedelta(minutes=50 * i),
            end_at=start + timedelta(minutes=50 * i + 240),
        )
        for i in range(n)
    ]
    db.add_all(shifts)
    db.flush()
    bookings = []
    for i, shift in enumerate(shifts):
        if i % 2 == 0:
            shift.status = "booked"
            key = "assoc_a" if i % 4 == 0 else "assoc_b"
            bookings.append(Booking(shift_id=shift.id, association_id=world.ids[key]))
    db.add_all(bookings)
    db.flush()
    assignments = []
    for booking in bookings:
        members = (
            ("vol_a", "vol_a2") if booking.association_id == world.ids["assoc_a"] else ("vol_b",)
        )
        for key in members:
            assignments.append(
                Assignment(shift_id=booking.shift_id, booking_id=booking.id, user_id=world.ids[key])
            )
    db.add_all(assignments)
    db.commit()


def queries_for(app, client, url: str) -> int:
    """The queries of a render (a cached calendar fragment is dropped first)."""
    with app.app_context():
        cache.clear()
    with count_queries(app) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return len(counter.executed)


@pytest.mark.parametrize(
    "path",
    ["calendar?view=list&month=2026-11", "calendar?view=month&month=2026-11", "bookings"],
)
def test_constant_queries_at_10_and_500_shifts(tmp_path, path, frozen):
    from nattvandring.db import session_scope
    from tests.factories import build_world
    from tests.support.database import make_test_app

    counts = {}
    for n in (10, 500):
        app = make_test_app(tmp_path / str(n))
        with app.app_context(), session_scope(get_engine(app)) as db:
            world = build_world(db)
            fill(db, world, n)
        client = app.test_client()
        login(client, world.emails["leader_a"])
        url = f"/booking/{world.ids['assoc_a']}/{path}"
        client.get(url)  # warm-up: personal caches, first-use lookups
        counts[n] = queries_for(app, client, url)
        if n == 500 and "list" in path:
            html = client.get(url).get_data(as_text=True)
            assert html.count('class="shift-item') == 500
        get_engine(app).dispose()
    assert counts[10] == counts[500]
    assert counts[500] <= 15
