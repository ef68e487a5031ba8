"""The personal page /me/<token>: walks, answers, self sign-up, stored data, link rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring import events
from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment
from nattvandring.volunteers import services
from tests.support.booking import FRIDAY_EVENING, NOW
from tests.support.shifts import make_shift

SECRET = "test-secret-key-that-is-long-enough-000"


@pytest.fixture
def walk(world, db, frozen):  # type: ignore[no-untyped-def]
    shift = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], max_walkers=2
    )
    booking = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    assignment = sr.add_to_roster(
        db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW
    )
    user = db.get(User, world.ids["vol_a"])
    token = services.personal_token(db, user, SECRET)
    db.commit()
    return {"token": token, "assignment": assignment.id, "booking": booking.id, "shift": shift.id}


def test_personal_url_for_sms(world, db):
    user = db.get(User, world.ids["vol_a"])
    url = services.personal_url(db, user, "https://nv.example.se/", SECRET)
    token = url.removeprefix("https://nv.example.se/me/")
    assert len(token) >= 40 and "/" not in token
    assert services.personal_url(db, user, "https://nv.example.se", SECRET).endswith(token)
    assert services.user_for_personal_token(db, token, secret_key=SECRET).id == user.id


def test_page_lists_walks_and_stored_data(client, world, walk):
    response = client.get(f"/me/{walk['token']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mina pass" in html and "Centrum torget" in html and "IFK Hässleholm" in html
    assert "Väntar på ditt svar" in html and "Jag kommer" in html
    assert "Dina uppgifter" in html and "Vol A" in html and "1980" in html
    assert "Personnummer sparas aldrig" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_unknown_token_is_404(client, world, walk):
    assert client.get("/me/not-a-token").status_code == 404
    assert (
        client.post(f"/me/x{walk['token']}/assignments/{walk['assignment']}/confirm").status_code
        == 404
    )


def test_confirm_and_decline(client, world, db, walk, emitted):
    base = f"/me/{walk['token']}/assignments/{walk['assignment']}"
    assert client.post(base + "/confirm").status_code == 302
    assert db.get(Assignment, walk["assignment"]).status == "confirmed"
    assert "Bekräftat" in client.get(f"/me/{walk['token']}").get_data(as_text=True)
    db.commit()
    assert client.post(base + "/decline").status_code == 302
    db.expire_all()
    assert db.get(Assignment, walk["assignment"]).status == "declined"
    assert [type(e) for e in emitted] == [events.AssignmentConfirmed, events.AssignmentDeclined]


def test_cannot_answer_someone_elses_walk(client, world, db, walk):
    other = db.get(User, world.ids["vol_a2"])
    token = services.personal_token(db, other, SECRET)
    db.commit()
    assert client.post(f"/me/{token}/assignments/{walk['assignment']}/decline").status_code == 404
    assert db.get(Assignment, walk["assignment"]).status == "assigned"


def test_self_signup_when_allowed(client, world, db, walk):
    other = db.get(User, world.ids["vol_a2"])
    token = services.personal_token(db, other, SECRET)
    db.commit()
    assert "Lediga platser" not in client.get(f"/me/{token}").get_data(as_text=True)
    client.post(f"/me/{token}/signup/{walk['booking']}")
    assert db.exec(select(Assignment).where(Assignment.user_id == other.id)).first() is None
    db.get(Association, world.ids["assoc_a"]).allow_self_signup = True
    db.commit()
    html = client.get(f"/me/{token}").get_data(as_text=True)
    assert "Lediga platser" in html and "1 plats kvar" in html
    assert client.post(f"/me/{token}/signup/{walk['booking']}").status_code == 302
    mine = db.exec(select(Assignment).where(Assignment.user_id == other.id)).one()
    assert mine.self_signed_up is True and mine.booking_id == walk["booking"]


def test_self_signup_for_another_associations_walk_is_404(client, world, db, walk):
    db.get(Association, world.ids["assoc_a"]).allow_self_signup = True
    token = services.personal_token(db, db.get(User, world.ids["vol_b"]), SECRET)
    db.commit()
    assert client.post(f"/me/{token}/signup/{walk['booking']}").status_code == 404


def test_volunteer_rotates_own_link(client, world, walk):
    response = client.post(f"/me/{walk['token']}/rotate")
    assert response.status_code == 302
    new = response.headers["Location"].rsplit("/me/", 1)[1]
    assert new != walk["token"]
    assert client.get(f"/me/{walk['token']}").status_code == 404
    assert client.get(f"/me/{new}").status_code == 200


def test_past_walks_are_listed_without_buttons(client, world, db, walk):
    from nattvandring import clock

    clock.freeze(FRIDAY_EVENING + timedelta(hours=6))
    html = client.get(f"/me/{walk['token']}").get_data(as_text=True)
    assert "Du har inga kommande pass." in html and "Jag kommer" not in html
    assert "Centrum" in html.split("Tidigare pass")[1]
