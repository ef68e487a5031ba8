"""Booking pages through the test client: allowed role, wrong role (403), wrong tenant (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring.associations.models import Association
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment, AssignmentStatus, Booking, ReserveEntry
from nattvandring.planning.models import PatrolArea, Shift
from tests.factories import login
from tests.support.booking import FRIDAY_EVENING, NOW
from tests.support.shifts import make_shift


@pytest.fixture
def setup(world, db, frozen):
    h = world.ids["hassleholm"]
    shift = make_shift(db, municipality_id=h, area_id=world.ids["area_h"], min_walkers=3)
    west = PatrolArea(municipality_id=h, name="Väster")
    db.add(west)
    db.flush()
    other = make_shift(
        db, municipality_id=h, area_id=west.id, start=FRIDAY_EVENING + timedelta(days=1)
    )
    bjuv_shift = make_shift(db, municipality_id=world.ids["bjuv"], area_id=world.ids["area_b"])
    db.commit()
    return {"shift": shift.id, "other": other.id, "bjuv": bjuv_shift.id, "west": west.id}


def as_user(client, world, key):
    login(client, world.emails[key])
    return client


def booking_of(db, world, shift_id, key="assoc_a"):
    booking = sb.book_shift(
        db, association_id=world.ids[key], shift_id=shift_id, actor_id=None, now=NOW
    )
    db.commit()
    return booking


# --- calendar ---------------------------------------------------------------------------


def test_list_view_is_default_and_offers_booking(client, world, setup):
    as_user(client, world, "leader_a")
    page = client.get(f"/booking/{world.ids['assoc_a']}/calendar?month=2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Centrum" in html and "Väster" in html and "Ledigt" in html
    assert f"/booking/{world.ids['assoc_a']}/shifts/{setup['shift']}/book" in html
    assert 'aria-current="page">Lista' in html
    assert "Bjuv centrum" not in html


def test_list_view_filters_by_area_and_shows_our_booking(client, world, db, setup):
    booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_a")
    html = client.get(
        f"/booking/{world.ids['assoc_a']}/calendar?month=2026-11&area={world.ids['area_h']}"
    ).get_data(as_text=True)
    assert "Centrum" in html and "Väster</a>" not in html
    assert "Bokat av er" in html and "/booking/bookings/" in html


def test_other_association_sees_taken_shift(client, world, db, setup):
    booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_b")
    html = client.get(f"/booking/{world.ids['assoc_b']}/calendar?month=2026-11").get_data(
        as_text=True
    )
    assert "Bokat av IFK Hässleholm" in html
    assert f"/shifts/{setup['shift']}/book" not in html
    only_open = client.get(
        f"/booking/{world.ids['assoc_b']}/calendar?month=2026-11&open=1"
    ).get_data(as_text=True)
    assert "IFK Hässleholm" not in only_open and "Väster" in only_open


def test_month_view(client, world, setup):
    as_user(client, world, "leader_a")
    page = client.get(f"/booking/{world.ids['assoc_a']}/calendar?view=month&month=2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'class="month-grid"' in html and "21:00 Väster" in html and "21:00 Centrum" in html


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("pending", "väntar på godkännande"),
        ("suspended", "är avstängd av kommunens samordnare"),
    ],
)
def test_an_association_that_may_not_book_is_told_why(client, db, world, setup, status, says):
    association = db.get(Association, world.ids["assoc_a"])
    association.status = status
    db.commit()
    as_user(client, world, "leader_a")
    html = client.get(f"/booking/{world.ids['assoc_a']}/calendar").get_data(as_text=True)
    assert says in html and f"/shifts/{setup['shift']}/book" not in html


def test_calendar_wrong_role_and_tenant(client, world, setup):
    as_user(client, world, "coord_h")
    assert client.get(f"/booking/{world.ids['assoc_a']}/calendar").status_code == 403
    client.post("/logout")
    as_user(client, world, "leader_b")
    assert client.get(f"/booking/{world.ids['assoc_a']}/calendar").status_code == 404
    client.post("/logout")
    as_user(client, world, "leader_c")
    assert client.get(f"/booking/{world.ids['assoc_a']}/calendar").status_code == 404


def test_anonymous_is_sent_to_login(client, world, setup):
    page = client.get(f"/booking/{world.ids['assoc_a']}/calendar")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_pending_association_sees_no_shifts(client, world, db, setup):
    from nattvandring.associations.models import Association

    db.get(Association, world.ids["assoc_a"]).status = "pending"
    db.commit()
    as_user(client, world, "leader_a")
    html = client.get(f"/booking/{world.ids['assoc_a']}/calendar?month=2026-11").get_data(
        as_text=True
    )
    assert "väntar på godkännande" in html and "Väster" not in html


def test_nav_entries_redirect_to_the_leaders_association(client, world, setup):
    as_user(client, world, "leader_a")
    home = client.get("/").get_data(as_text=True)
    assert "Boka pass" in home and "Våra pass" in home and "Medlemmar" in home
    assert (
        client.get("/booking/")
        .headers["Location"]
        .endswith(f"/booking/{world.ids['assoc_a']}/calendar")
    )
    assert (
        client.get("/booking/ours")
        .headers["Location"]
        .endswith(f"/booking/{world.ids['assoc_a']}/bookings")
    )
    assert client.get("/members/").headers["Location"].endswith(f"/members/{world.ids['assoc_a']}/")
    client.post("/logout")
    as_user(client, world, "coord_h")
    assert "Boka pass" not in client.get("/").get_data(as_text=True)
    assert client.get("/booking/").status_code == 403


# --- shift page, booking, reserve ---------------------------------------------------------


def test_shift_page_and_booking(client, world, db, setup):
    as_user(client, world, "leader_a")
    base = f"/booking/{world.ids['assoc_a']}/shifts/{setup['shift']}"
    assert "Boka passet för IFK Hässleholm" in client.get(base).get_data(as_text=True)
    response = client.post(base + "/book")
    booking = db.exec(select(Booking).where(Booking.shift_id == setup["shift"])).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/booking/bookings/{booking.id}/roster")
    assert db.get(Shift, setup["shift"]).status == "booked"


def test_booking_refusal_shows_the_rule(client, world, db, setup):
    booking_of(db, world, setup["shift"], "assoc_b")
    as_user(client, world, "leader_a")
    response = client.post(f"/booking/{world.ids['assoc_a']}/shifts/{setup['shift']}/book")
    assert response.status_code == 422
    assert "redan bokat av en annan förening" in response.get_data(as_text=True)
    assert len(db.exec(select(Booking)).all()) == 1


def test_book_wrong_role_and_tenant(client, world, db, setup):
    as_user(client, world, "coord_h")
    assert client.get(f"/booking/{world.ids['assoc_a']}/shifts/{setup['shift']}").status_code == 403
    assert (
        client.post(f"/booking/{world.ids['assoc_a']}/shifts/{setup['shift']}/book").status_code
        == 403
    )
    client.post("/logout")
    as_user(client, world, "leader_b")
    assert (
        client.post(f"/booking/{world.ids['assoc_a']}/shifts/{setup['shift']}/book").status_code
        == 404
    )
    client.post("/logout")
    as_user(client, world, "leader_c")
    # Bjuv's leader on a Hässleholm shift, through their own association: 404.
    assert client.get(f"/booking/{world.ids['assoc_c']}/shifts/{setup['shift']}").status_code == 404
    assert (
        client.post(f"/booking/{world.ids['assoc_c']}/shifts/{setup['shift']}/book").status_code
        == 404
    )
    assert db.exec(select(Booking)).all() == []


def test_reserve_join_and_withdraw(client, world, db, setup):
    booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_b")
    base = f"/booking/{world.ids['assoc_b']}/shifts/{setup['shift']}"
    assert "Ställ oss på reservlistan" in client.get(base).get_data(as_text=True)
    assert client.post(base + "/reserve").status_code == 302
    entry = db.exec(select(ReserveEntry)).one()
    assert entry.association_id == world.ids["assoc_b"] and entry.status == "waiting"
    db.commit()
    assert "Lämna reservlistan" in client.get(base).get_data(as_text=True)
    assert client.post(base + "/reserve/withdraw").status_code == 302
    db.refresh(entry)
    assert entry.status == "withdrawn"
    assert client.post(base + "/reserve/withdraw").status_code == 422


def test_reserve_wrong_tenant(client, world, db, setup):
    booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_c")
    assert (
        client.post(f"/booking/{world.ids['assoc_b']}/shifts/{setup['shift']}/reserve").status_code
        == 404
    )


def test_our_bookings_page(client, world, db, setup):
    booking = booking_of(db, world, setup["shift"])
    sr.add_to_roster(db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW)
    db.commit()
    as_user(client, world, "leader_a")
    html = client.get(f"/booking/{world.ids['assoc_a']}/bookings").get_data(as_text=True)
    assert "1 av minst 3 nattvandrare" in html and "Under minimum" in html
    client.post("/logout")
    as_user(client, world, "leader_b")
    assert client.get(f"/booking/{world.ids['assoc_a']}/bookings").status_code == 404
    client.post("/logout")
    as_user(client, world, "coord_h")
    assert client.get(f"/booking/{world.ids['assoc_a']}/bookings").status_code == 403


# --- roster ---------------------------------------------------------------------------------


def test_roster_page_add_and_remove(client, world, db, setup):
    booking = booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_a")
    url = f"/booking/bookings/{booking.id}/roster"
    html = client.get(url).get_data(as_text=True)
    assert (
        "Under minimum:" in html
        and "0 har inte svarat än och 3 saknas" in html
        and "Vol A2 (1980)" in html
    )
    assert client.post(url, data={"user_id": world.ids["vol_a"]}).status_code == 302
    assignment = db.exec(select(Assignment)).one()
    assert assignment.user_id == world.ids["vol_a"]
    db.commit()
    html = client.get(url).get_data(as_text=True)
    assert (
        "Vol A" in html and "1 har inte svarat än och 2 saknas" in html and "Inget svar än" in html
    )
    again = client.post(url, data={"user_id": world.ids["vol_a"]})
    assert again.status_code == 422 and "redan med" in again.get_data(as_text=True)
    outsider = client.post(url, data={"user_id": world.ids["vol_b"]})
    assert outsider.status_code == 422 and "inte medlem" in outsider.get_data(as_text=True)
    assert client.post(f"/booking/assignments/{assignment.id}/remove").status_code == 302
    assert db.exec(select(Assignment)).all() == []


@pytest.mark.parametrize("user_id", ["2147483648", "99999999999999999999"])
def test_roster_refuses_an_id_no_column_holds(client, world, db, setup, user_id):
    """Such an id was passed to the database, whose driver refused to bind it (a 500)."""
    booking = booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_a")
    response = client.post(f"/booking/bookings/{booking.id}/roster", data={"user_id": user_id})
    assert response.status_code == 422
    assert 'id="user_id-error"' in response.get_data(as_text=True)
    assert db.exec(select(Assignment)).all() == []


def test_roster_shows_full_group(client, world, db, setup):
    shift = db.get(Shift, setup["shift"])
    shift.min_walkers = 2
    db.commit()
    booking = booking_of(db, world, setup["shift"])
    rows = [
        sr.add_to_roster(db, booking_id=booking.id, user_id=world.ids[key], actor_id=None, now=NOW)
        for key in ("vol_a", "vol_a2")
    ]
    db.commit()
    as_user(client, world, "leader_a")
    url = f"/booking/bookings/{booking.id}/roster"
    # Asked is not staffed: nobody has confirmed yet.
    html = client.get(url).get_data(as_text=True)
    assert "Under minimum:" in html and "0 har bekräftat, 2 har inte svarat än" in html
    for row in rows:
        row.status = AssignmentStatus.CONFIRMED
    db.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Gruppen är bemannad: 2 har bekräftat" in html and "fullt bemannad" not in html
    shift.max_walkers = 2
    db.commit()
    html = client.get(url).get_data(as_text=True)
    assert "Gruppen är fullt bemannad." in html and "Under minimum" not in html


def test_roster_wrong_role_and_tenant(client, world, db, setup):
    booking = booking_of(db, world, setup["shift"])
    assignment = sr.add_to_roster(
        db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW
    )
    db.commit()
    url = f"/booking/bookings/{booking.id}/roster"
    as_user(client, world, "leader_b")
    assert client.get(url).status_code == 404
    assert client.post(url, data={"user_id": world.ids["vol_b"]}).status_code == 404
    assert client.post(f"/booking/assignments/{assignment.id}/remove").status_code == 404
    client.post("/logout")
    as_user(client, world, "coord_b")
    assert client.get(url).status_code == 404
    client.post("/logout")
    as_user(client, world, "coord_h")
    page = client.get(url)
    assert page.status_code == 200 and "Lägg till nattvandrare" not in page.get_data(as_text=True)
    assert client.post(url, data={"user_id": world.ids["vol_a2"]}).status_code == 403
    assert client.post(f"/booking/assignments/{assignment.id}/remove").status_code == 403
    assert len(db.exec(select(Assignment)).all()) == 1


# --- cancel ---------------------------------------------------------------------------------


def test_leader_cancels_before_deadline(client, world, db, setup):
    booking = booking_of(db, world, setup["shift"])
    as_user(client, world, "leader_a")
    url = f"/booking/bookings/{booking.id}/cancel"
    assert "Ni kan avboka fram till" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"reason": ""}).status_code == 302
    db.refresh(booking)
    assert booking.status == "cancelled"


def test_leader_after_deadline_is_refused(client, world, db, setup):
    from nattvandring import clock

    booking = booking_of(db, world, setup["shift"])
    clock.freeze(FRIDAY_EVENING - timedelta(hours=10))
    as_user(client, world, "leader_a")
    url = f"/booking/bookings/{booking.id}/cancel"
    assert "Kontakta kommunens samordnare" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"reason": "x"})
    assert response.status_code == 422 and "bara samordnaren" in response.get_data(as_text=True)
    db.refresh(booking)
    assert booking.status == "active"


def test_coordinator_cancels_with_reason(client, world, db, setup):
    from nattvandring import clock

    booking = booking_of(db, world, setup["shift"])
    clock.freeze(FRIDAY_EVENING - timedelta(hours=10))
    as_user(client, world, "coord_h")
    url = f"/booking/bookings/{booking.id}/cancel"
    missing = client.post(url, data={"reason": " "})
    assert missing.status_code == 422 and "Ange en anledning" in missing.get_data(as_text=True)
    assert client.post(url, data={"reason": "Föreningen har inga vandrare"}).status_code == 302
    db.refresh(booking)
    assert booking.status == "cancelled" and booking.cancel_reason == "Föreningen har inga vandrare"
    assert booking.cancelled_by_id == world.ids["coord_h"]


def test_cancel_wrong_tenant(client, world, db, setup):
    booking = booking_of(db, world, setup["shift"])
    url = f"/booking/bookings/{booking.id}/cancel"
    for key in ("leader_b", "coord_b", "leader_c"):
        as_user(client, world, key)
        assert client.get(url).status_code == 404
        assert client.post(url, data={"reason": "x"}).status_code == 404
        client.post("/logout")
    db.refresh(booking)
    assert booking.status == "active"


def test_list_without_month_shows_the_coming_six_weeks(client, world, db, setup):
    h = world.ids["hassleholm"]
    # 5 weeks ahead (next month) is listed; 7 weeks ahead is not.
    make_shift(
        db, municipality_id=h, area_id=setup["west"], start=FRIDAY_EVENING + timedelta(weeks=5)
    )
    make_shift(
        db, municipality_id=h, area_id=setup["west"], start=FRIDAY_EVENING + timedelta(weeks=7)
    )
    db.commit()
    as_user(client, world, "leader_a")
    html = client.get(f"/booking/{world.ids['assoc_a']}/calendar").get_data(as_text=True)
    assert '<h2 class="month-title">Kommande</h2>' in html
    assert html.count('class="shift-item') == 3
    assert "11 dec. 2026" in html and "25 dec. 2026" not in html
