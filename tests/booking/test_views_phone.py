"""The leader's group list on a phone: one card per walker, numbers tap-to-call and unwrapped,
the remove action in the card; and the header's folding menu (markup and script)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from nattvandring.accounts.models import User
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from tests.factories import login
from tests.support.booking import NOW
from tests.support.shifts import make_shift


@pytest.fixture
def roster_url(world, db, frozen):
    shift = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], min_walkers=3
    )
    booking = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    sr.add_to_roster(db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW)
    db.commit()
    return f"/booking/bookings/{booking.id}/roster"


def test_the_group_list_is_cards_with_tap_to_call_numbers(client, world, db, roster_url):
    login(client, world.emails["leader_a"])
    html = client.get(roster_url).get_data(as_text=True)
    volunteer = db.exec(select(User).where(User.id == world.ids["vol_a"])).one()
    number = volunteer.phone_e164
    assert number and number.startswith("+46")
    national = "0" + number[3:5] + "-" + number[5:8] + " " + number[8:10] + " " + number[10:]
    assert f'<a class="tel" href="tel:{number}">{national}</a>' in html
    assert '<table class="stack">' in html
    assert re.search(r'<td data-label="Mobil">', html)
    assert re.search(
        r'<td class="row-action">\s*<form method="post" action="/booking/assignments/', html
    )


def test_the_header_menu_folds_with_a_disclosure_button(client, world, roster_url):
    login(client, world.emails["leader_a"])
    html = client.get(roster_url).get_data(as_text=True)
    assert (
        '<button type="button" class="menu-button" id="menu-button" aria-expanded="true" '
        'aria-controls="main-menu">Meny</button>'
    ) in html
    assert '<ul id="main-menu">' in html  # open without script
    assert '<script src="/static/js/menu.js" defer></script>' in html
    script = client.get("/static/js/menu.js")
    assert script.status_code == 200
    body = script.get_data(as_text=True)
    assert "aria-expanded" in body and "(max-width: 37.5em)" in body


def test_logged_out_pages_have_no_menu_button(client):
    html = client.get("/login").get_data(as_text=True)
    assert "menu-button" not in html and "menu.js" not in html
