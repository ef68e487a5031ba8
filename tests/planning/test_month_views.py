"""Calendar (list/month, filter), constant query count, and the public page."""

from __future__ import annotations

from datetime import date, time, timedelta
from urllib.parse import quote

import pytest

from nattvandring.accounts.models import User
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea
from tests.factories import login
from tests.support.queries import count_queries
from tests.support.shifts import book, make_shift


@pytest.fixture
def month(app, world, db, frozen):
    hid = world.ids["hassleholm"]
    other = PatrolArea(municipality_id=hid, name="Ljungdala")
    db.add(other)
    db.flush()
    open_shift = make_shift(
        db, municipality_id=hid, area_id=world.ids["area_h"], day=date(2026, 9, 4)
    )
    booked = make_shift(db, municipality_id=hid, area_id=other.id, day=date(2026, 9, 5))
    book(db, booked, world.ids["assoc_a"], walkers=[world.ids["vol_a"], world.ids["vol_a2"]])
    make_shift(
        db, municipality_id=world.ids["bjuv"], area_id=world.ids["area_b"], day=date(2026, 9, 4)
    )
    db.commit()
    return {"other": other.id, "open": open_shift.id, "booked": booked.id}


def test_list_is_the_default_view_with_toggle(client, world, month):
    login(client, world.emails["coord_h"])
    page = client.get(f"/planning/{world.ids['hassleholm']}/calendar?month=2026-09").get_data(
        as_text=True
    )
    assert 'class="day-list"' in page and 'class="month-grid"' not in page
    assert "view=month" in page  # the toggle
    assert "Centrum" in page and "Ljungdala" in page and "Bjuv centrum" not in page
    assert "21:00–01:00" in page
    assert "IFK Hässleholm" in page
    assert "2 nattvandrare (minst 3, högst 6)" in page
    assert "Under minimum" in page and "Ledigt" in page and "Bokat" in page
    month_page = client.get(
        f"/planning/{world.ids['hassleholm']}/calendar?month=2026-09&view=month"
    ).get_data(as_text=True)
    assert 'class="month-grid"' in month_page and "planning.css" in month_page


def test_area_filter(client, world, month):
    login(client, world.emails["coord_h"])
    page = client.get(
        f"/planning/{world.ids['hassleholm']}/calendar?month=2026-09&area={month['other']}"
    ).get_data(as_text=True)
    assert f"/planning/shifts/{month['booked']}/edit" in page
    assert f"/planning/shifts/{month['open']}/edit" not in page


def _count_queries(app, client, url):
    with count_queries(app) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return len(counter.executed), response.get_data(as_text=True)


def _setup_fill(db, world):
    hid = world.ids["hassleholm"]
    areas = [PatrolArea(municipality_id=hid, name=f"Område {i}") for i in range(20)]
    walkers = [User(name=f"Vandrare {i}", birth_year=1980) for i in range(4)]
    db.add_all(areas + walkers)
    db.commit()
    return areas, walkers


def _fill(db, world, areas, walkers, first: int, last: int):
    """Shifts first..last-1 in September 2026 over 20 areas; every other one booked, 2 walkers."""
    for i in range(first, last):
        day = date(2026, 9, 1) + timedelta(days=i // 20)
        shift = make_shift(
            db,
            municipality_id=world.ids["hassleholm"],
            area_id=areas[i % 20].id,
            day=day,
            start=time(21) if i < 500 else time(20),
            end=time(1),
        )
        if i % 2 == 0:
            pair = walkers[(i // 2) % 2 * 2 : (i // 2) % 2 * 2 + 2]
            association = world.ids["assoc_a" if i % 4 == 0 else "assoc_b"]
            book(db, shift, association, [p.id for p in pair])
    db.commit()


@pytest.mark.parametrize("view", ["list", "month"])
def test_calendar_query_count_is_constant(app, client, world, db, frozen, view):
    """The same number of queries at 10 and at 500 shifts (with bookings and walkers)."""
    areas, walkers = _setup_fill(db, world)
    login(client, world.emails["coord_h"])
    url = f"/planning/{world.ids['hassleholm']}/calendar?month=2026-09&view={view}"
    _fill(db, world, areas, walkers, 0, 10)
    small, small_page = _count_queries(app, client, url)
    _fill(db, world, areas, walkers, 10, 500)
    large, large_page = _count_queries(app, client, url)
    assert small_page.count("/planning/shifts/") >= 10
    assert large_page.count("/planning/shifts/") >= 500
    assert large == small, (small, large)
    # login identity (user + memberships), the page versions (web/page_cache.py), areas,
    # shifts, bookings, walker counts, the school breaks and the shifts marked special
    assert small <= 11, small


def test_coverage_query_count_is_constant(app, client, world, db, frozen):
    areas, walkers = _setup_fill(db, world)
    login(client, world.emails["coord_h"])
    url = f"/planning/{world.ids['hassleholm']}/coverage"
    _fill(db, world, areas, walkers, 0, 10)
    small, _page = _count_queries(app, client, url)
    _fill(db, world, areas, walkers, 10, 500)
    large, _page = _count_queries(app, client, url)
    assert large == small


def test_public_page_has_no_personal_data(client, world, db, month):
    volunteers = [
        db.get(User, world.ids[key]) for key in ("vol_a", "vol_a2", "coord_h", "leader_a")
    ]
    slug = quote(db.get(Municipality, world.ids["hassleholm"]).slug)
    response = client.get(f"/kommun/{slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nattvandring i Hässleholm" in page
    assert "IFK Hässleholm" in page and "Bevakad" in page
    assert "Planerad, söker förening" in page
    assert "Centrum" in page and "Ljungdala" in page and "Bjuv centrum" not in page
    assert "1 av 2 pass" in page
    for person in volunteers:
        assert person.name not in page
        assert person.phone_e164 not in page
        assert person.phone_e164[3:] not in page  # not even the national digits
        if person.email:
            assert person.email not in page
    assert "@" not in page.split("<main", 1)[1]


def test_public_page_hides_cancelled_and_past_and_404s_unknown(client, world, db, month, frozen):
    from nattvandring.planning.models import Shift

    db.get(Shift, month["open"]).status = "cancelled"
    make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 8, 28),
    )
    db.commit()
    slug = quote(db.get(Municipality, world.ids["hassleholm"]).slug)
    page = client.get(f"/kommun/{slug}").get_data(as_text=True)
    assert "Planerad, söker förening" not in page  # the open one is cancelled
    assert "28 augusti" not in page
    assert client.get("/kommun/finns-inte").status_code == 404
