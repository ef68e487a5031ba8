"""The association calendar page, the personal page's calendar block, and the real flows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
from flask import render_template_string

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.booking import services_booking, services_roster
from nattvandring.planning.services_common import cancel_shift_row
from tests.calendars.conftest import association_feed_path, personal_feed_path, personal_page_token
from tests.factories import login
from tests.support.shifts import make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


def test_leader_sees_association_calendar_with_webcal_and_qr(client, db, world):
    old = association_feed_path(db, world.ids["assoc_a"])
    db.commit()
    login(client, world.emails["leader_a"])
    page = client.get(f"/associations/{world.ids['assoc_a']}/calendar")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Föreningens kalender</h1>" in html
    assert '<p class="lead">IFK Hässleholm</p>' in html
    assert f'href="webcal://localhost{old}"' in html
    assert f'value="http://localhost{old}"' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html
    assert "<title>QR-kod för att prenumerera på föreningens kalender</title>" in html
    assert client.get(old).status_code == 200
    rotated = client.post(f"/associations/{world.ids['assoc_a']}/calendar/rotate")
    assert rotated.status_code == 302
    assert client.get(old).status_code == 404
    new = association_feed_path(db, world.ids["assoc_a"])
    assert new != old
    assert client.get(new).status_code == 200
    assert f"webcal://localhost{new}" in client.get(
        f"/associations/{world.ids['assoc_a']}/calendar"
    ).get_data(as_text=True)


def test_association_calendar_page_wrong_role_and_tenant(client, world):
    path = f"/associations/{world.ids['assoc_a']}/calendar"
    assert client.get(path).status_code == 302  # not logged in: to the login page
    login(client, world.emails["coord_h"])  # sees the association, may not hand out its link
    assert client.get(path).status_code == 403
    assert client.post(path + "/rotate").status_code == 403
    client.post("/logout")
    login(client, world.emails["leader_b"])  # another association: it does not exist for them
    assert client.get(path).status_code == 404
    assert client.post(path + "/rotate").status_code == 404
    client.post("/logout")
    login(client, world.emails["coord_b"])
    assert client.get(path).status_code == 404
    client.post("/logout")
    login(client, world.emails["admin"])
    assert client.get(path).status_code == 200


def test_personal_block_shows_links_qr_and_rotate(app, db, world):
    page = personal_page_token(db, world.ids["vol_a"])
    feed = personal_feed_path(db, world.ids["vol_a"])
    db.commit()
    holder = db.get(User, world.ids["vol_a"])
    with app.test_request_context("/"):
        html = render_template_string(
            '{% include "calendars/_personal_block.html" %}', user=holder, personal_token=page
        )
    assert f'href="webcal://localhost{feed}"' in html
    assert f'value="http://localhost{feed}"' in html
    assert f'<img src="/me/{page}/calendar/qr.svg"' in html  # the code is an image of its own
    assert f'action="/me/{page}/calendar/rotate"' in html
    assert 'name="csrf_token"' in html


def test_the_personal_qr_code_is_an_svg_of_the_feed_link_never_cached(client, db, world):
    page = personal_page_token(db, world.ids["vol_a"])
    feed = personal_feed_path(db, world.ids["vol_a"])
    db.commit()
    response = client.get(f"/me/{page}/calendar/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "no-store"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and 'class="qr-code"' in svg
    assert client.get("/me/nope/calendar/qr.svg").status_code == 404
    feed_token = feed.removeprefix("/feeds/personal/").removesuffix(".ics")
    assert client.get(f"/me/{feed_token}/calendar/qr.svg").status_code == 404


def test_an_inactive_persons_old_link_opens_no_qr_code_and_rotates_nothing(client, db, world):
    page = personal_page_token(db, world.ids["vol_a"])
    person = db.get(User, world.ids["vol_a"])
    person.is_active = False
    db.add(person)
    db.commit()
    assert client.get(f"/me/{page}/calendar/qr.svg").status_code == 404
    assert client.post(f"/me/{page}/calendar/rotate").status_code == 404


def test_personal_page_includes_the_block_and_feed_tokens_open_no_page(client, db, world):
    page = personal_page_token(db, world.ids["vol_a"])
    feed = personal_feed_path(db, world.ids["vol_a"])
    db.commit()
    html = client.get(f"/me/{page}").get_data(as_text=True)
    assert f"webcal://localhost{feed}" in html
    feed_token = feed.removeprefix("/feeds/personal/").removesuffix(".ics")
    assert client.get(f"/me/{feed_token}").status_code == 404


def test_walk_booked_staffed_and_cancelled_through_the_real_services(app, client, db, world):
    clock.freeze(NOW)
    ids = world.ids
    shift = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 9)
    )
    booking = services_booking.book_shift(
        db, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=ids["leader_a"]
    )
    services_roster.add_to_roster(
        db, booking_id=booking.id, user_id=ids["vol_a"], actor_id=ids["leader_a"]
    )
    personal = personal_feed_path(db, ids["vol_a"])
    association = association_feed_path(db, ids["assoc_a"])
    db.commit()
    uid = f"shift-{shift.id}@nattvandring.local"

    def event(path: str):
        events = {
            str(e["UID"]): e for e in icalendar.Calendar.from_ical(client.get(path).data).events
        }
        return events.get(uid)

    assert str(event(personal)["STATUS"]) == "CONFIRMED"
    booked = event(personal)["SEQUENCE"]
    assert "Nattvandrare: 1" in str(event(association)["DESCRIPTION"])
    public = event("/feeds/kommun/hässleholm.ics")
    assert "Förening: IFK Hässleholm" in str(public["DESCRIPTION"])
    # The coordinator cancels the night: every feed keeps it, marked cancelled.
    cancel_shift_row(db, db.get(type(shift), shift.id), reason="Storm", actor_id=ids["coord_h"])
    db.commit()
    # One SEQUENCE per walk, whichever feed shows it, higher than before the cancellation.
    sequences = set()
    for path in (personal, association, "/feeds/kommun/hässleholm.ics"):
        cancelled = event(path)
        assert str(cancelled["STATUS"]) == "CANCELLED", path
        sequences.add(cancelled["SEQUENCE"])
    assert len(sequences) == 1 and sequences.pop() > booked


def test_the_public_page_links_each_areas_feed(client, db, world):
    html = client.get("/kommun/hässleholm").get_data(as_text=True)
    area = f"/feeds/kommun/h%C3%A4ssleholm/{world.ids['area_h']}.ics"
    assert f"webcal://localhost{area}" in html
    assert f"http://localhost{area}" in html
    assert client.get(area).status_code == 200


def test_the_admin_sees_each_invites_method_uid_and_sequence(app, client, db, world):
    clock.freeze(NOW)
    ids = world.ids
    db.get(User, ids["vol_a"]).email = "vol.a@example.org"
    shift = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 9)
    )
    booking = services_booking.book_shift(
        db, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=ids["leader_a"]
    )
    services_roster.add_to_roster(
        db, booking_id=booking.id, user_id=ids["vol_a"], actor_id=ids["leader_a"]
    )
    db.commit()
    login(client, world.emails["coord_h"])
    assert client.get("/admin/email").status_code == 403
    admin = app.test_client()
    login(admin, world.emails["admin"])
    html = admin.get("/admin/email").get_data(as_text=True)
    assert "Skickade e-post" in html or "Sent e-mail" in html
    assert "REQUEST" in html
    assert f"shift-{shift.id}@nattvandring.local · SEQUENCE" in html
