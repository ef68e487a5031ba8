"""The personal page shows the volunteer's walk: leader, fellow walkers, map, equipment."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment
from nattvandring.formatting import national_phone
from nattvandring.planning.models import PatrolArea
from nattvandring.volunteers import services
from tests.support.booking import NOW
from tests.support.shifts import make_shift

SECRET = "test-secret-key-that-is-long-enough-000"


@pytest.fixture
def group(world, db, frozen):
    ids = world.ids
    area = db.get(PatrolArea, ids["area_h"])
    area.latitude, area.longitude = 56.1589, 13.7668
    area.equipment_note = "Västar och första hjälpen-väska på fritidsgården.\nTa med ficklampa."
    association = db.get(Association, ids["assoc_a"])
    association.contact_name, association.contact_phone = "Karin Lindqvist", "+46701112233"
    shift = make_shift(db, municipality_id=ids["hassleholm"], area_id=ids["area_h"])
    booking = sb.book_shift(
        db, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    me = db.get(User, ids["vol_a"])
    other = db.get(User, ids["vol_a2"])
    other.name = "Anna Bergström"
    for person in (me, other):
        sr.add_to_roster(db, booking_id=booking.id, user_id=person.id, actor_id=None, now=NOW)
    token = services.personal_token(db, me, SECRET)
    db.commit()
    return {"token": token, "other": other, "booking": booking.id, "shift": shift}


def test_walk_shows_leader_fellows_map_and_equipment(client, group):
    html = client.get(f"/me/{group['token']}").get_data(as_text=True)
    assert "Karin Lindqvist" in html
    assert 'href="tel:+46701112233"' in html and national_phone("+46701112233") in html
    assert 'href="geo:56.1589,13.7668"' in html
    assert (
        'href="https://www.openstreetmap.org/?mlat=56.1589&amp;mlon=13.7668#map=17/56.1589/13.7668"'
        in html
    )
    assert "Ta med ficklampa." in html
    fellows = re.search(r"Du går med</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert fellows is not None and fellows.group(1).strip() == "Anna"
    # Minimisation: no surname and no number of the other walker.
    assert "Bergström" not in html
    assert national_phone(group["other"].phone_e164) not in html
    assert group["other"].phone_e164 not in html


def test_declined_walkers_are_not_listed(client, db, group):
    other = db.get(User, group["other"].id)
    sr.decline_assignment(db, assignment_of(db, group["booking"], other.id))
    db.commit()
    html = client.get(f"/me/{group['token']}").get_data(as_text=True)
    assert "Anna" not in html and "Ingen annan ännu" in html


def assignment_of(db, booking_id, user_id):
    return db.exec(
        select(Assignment).where(Assignment.booking_id == booking_id, Assignment.user_id == user_id)
    ).one()


def test_without_coordinates_the_map_searches_the_meeting_point(client, db, group, world):
    area = db.get(PatrolArea, world.ids["area_h"])
    area.latitude = area.longitude = None
    area.equipment_note = ""
    db.commit()
    html = client.get(f"/me/{group['token']}").get_data(as_text=True)
    assert "geo:" not in html
    assert "https://www.openstreetmap.org/search?query=Centrum%20torget" in html
    assert "Utrustning</dt>" not in html


def test_hostile_texts_are_escaped(client, db, group, world):
    area = db.get(PatrolArea, world.ids["area_h"])
    area.equipment_note = '<script>alert("x")</script>'
    area.meeting_point = '"><img src=x onerror=alert(1)>'
    area.latitude = area.longitude = None
    db.get(User, group["other"].id).name = "<b>Eve</b> X"
    db.get(Association, world.ids["assoc_a"]).contact_phone = "javascript:alert(1)"
    db.commit()
    html = client.get(f"/me/{group['token']}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>Eve" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html


def test_the_leaders_of_my_associations_are_named(client, group):
    html = client.get(f"/me/{group['token']}").get_data(as_text=True)
    assert "IFK Hässleholm: Karin Lindqvist" in html


def test_qr_code_is_for_wide_screens_and_phones_get_their_own_words(client, group):
    html = client.get(f"/me/{group['token']}").get_data(as_text=True)
    assert '<div class="qr wide-only">' in html
    # A narrow screen's <picture> source is an inline pixel: a phone never loads the code.
    assert '<source media="(max-width: 40rem)" srcset="data:image/gif;base64,' in html
    wide = re.search(r'<span class="wide-only">([^<]*)</span>', html)
    narrow = re.search(r'<span class="narrow-only">([^<]*)</span>', html)
    assert wide is not None and "Skanna koden med mobilen" in wide.group(1)
    assert narrow is not None and "Skanna" not in narrow.group(1)
