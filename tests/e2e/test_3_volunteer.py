"""A volunteer, on a phone: opens the personal link from the booking SMS, confirms, sees who
leads (tap to call), who else walks, where to meet (map links) and what to bring, adds the
walk to the calendar, copies the subscribe link (the QR code is for wide screens: the phone
never downloads it); then answers NEJ by SMS and sees it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import requests
from icalendar import Calendar
from sqlmodel import col, select

from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.booking.models import Assignment, AssignmentStatus
from nattvandring.db import session_scope
from nattvandring.messaging.models import SmsMessage

from .checks import screenshot
from .served import START
from .story import (
    AREA,
    ASSOCIATION,
    EQUIPMENT,
    MEETING_AT,
    MEETING_POINT,
    MEMBERS,
    links_in,
    sent_sms,
    text_by_sms,
)


def assignment_status(served, shift_id: int, user_id: int) -> str:
    with session_scope(served.engine, write=False) as session:
        return session.exec(
            select(Assignment.status).where(
                Assignment.shift_id == shift_id, Assignment.user_id == user_id
            )
        ).one()


def walk_people(served, shift_id: int, user_id: int) -> tuple[str, str, list[str]]:
    """The association's contact (name, E.164) and the other walkers who have not declined."""
    with session_scope(served.engine, write=False) as session:
        association = session.exec(select(Association).where(Association.name == ASSOCIATION)).one()
        others = session.exec(
            select(User.name)
            .join(Assignment, col(Assignment.user_id) == User.id)
            .where(
                Assignment.shift_id == shift_id,
                Assignment.user_id != user_id,
                Assignment.status != AssignmentStatus.DECLINED,
            )
        ).all()
        return association.contact_name, association.contact_phone, list(others)


def test_volunteer_confirms_subscribes_and_then_declines_by_sms(people, served, story):
    story.need("walk_shift_id", "walker_ids")
    served.at(START + timedelta(hours=2))
    volunteer = MEMBERS[0]
    user_id = story.walker_ids[volunteer.name]
    shift_id = story.walk_shift_id

    # The SMS as it arrived on the phone.
    sms = sent_sms(served, user_id, "confirmation")
    assert sms.startswith(
        f"Hej Britt! Du är bokad för nattvandring fre 10 apr kl 21:00-01:00, {AREA}."
    ), sms
    personal, ics = links_in(sms)
    assert personal.startswith(served.url("/me/")) and ics == served.url(f"/walks/{shift_id}.ics")

    keys = people.phone()
    page = keys.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    keys.open(personal)  # tapped in the SMS app
    walk = page.locator("ul.walk-list > li").filter(has_text=AREA)
    assert walk.get_by_text("Väntar på ditt svar").is_visible()
    keys.follow(walk.get_by_role("button", name="Jag kommer"))
    assert walk.get_by_text("Bekräftat").is_visible()
    assert assignment_status(served, shift_id, user_id) == AssignmentStatus.CONFIRMED

    # Who leads, who else walks, where to meet and what to bring: on the walk itself.
    leader_name, leader_phone, others = walk_people(served, shift_id, user_id)
    assert walk.get_by_text(leader_name).is_visible()
    call = walk.locator(f'a[href="tel:{leader_phone}"]')  # tap to call
    assert call.is_visible()
    box = call.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 and box["height"] >= 24, box
    fellows = walk.locator("dt:has-text('Du går med') + dd").inner_text()
    assert others and fellows == ", ".join(sorted(name.split()[0] for name in others)), fellows
    main = page.locator("main").inner_text()
    for name in others:  # first names only: no surname of anyone else on the page
        surname = name.split(maxsplit=1)[1]
        assert not re.search(rf"\b{re.escape(surname)}\b", main), name
    lat, lon = MEETING_AT
    osm = walk.get_by_role("link", name="Visa på OpenStreetMap")
    assert osm.is_visible()
    assert osm.get_attribute("href") == (
        f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    )
    assert walk.get_by_role("link", name="Öppna i kartappen").get_attribute("href") == (
        f"geo:{lat},{lon}"
    )
    assert walk.get_by_text(EQUIPMENT).is_visible()
    # The QR code is for scanning from another screen: not on the phone, nor its wording.
    assert page.locator(".qr").is_hidden()
    assert page.get_by_text("Skanna koden med mobilen", exact=False).is_hidden()
    assert page.get_by_text("Tryck på knappen ovan", exact=False).is_visible()
    assert not [url for url in requested if "/calendar/qr" in url], requested  # not downloaded
    screenshot(page, "volunteer-personal-page", full_page=False)
    screenshot(page, "volunteer-personal-page-full")

    # The walk's .ics, from the personal page: named by its date and area.
    download = keys.download(walk.get_by_role("link", name="Lägg till i kalendern"))
    assert download.suggested_filename == "nattvandring-2026-04-10-norra-station.ics"
    (event,) = Calendar.from_ical(download.path().read_bytes()).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 4, 10, 19, 0, tzinfo=UTC)  # 21:00 CEST
    assert event.decoded("DTEND") == datetime(2026, 4, 10, 23, 0, tzinfo=UTC)
    assert MEETING_POINT in str(event.get("LOCATION"))

    # The subscribe link: copied with the button, and it serves this walk.
    feed_field = page.get_by_label("Kalenderlänk")
    keys.press(page.get_by_role("button", name="Kopiera länken"))
    page.get_by_text("Länken är kopierad.").wait_for()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == feed_field.input_value() and "/feeds/personal/" in copied
    with requests.Session() as http:
        http.trust_env = False
        feed = http.get(copied, timeout=10)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [e.decoded("DTSTART") for e in events if AREA in str(e.get("SUMMARY"))] == [
        datetime(2026, 4, 10, 19, 0, tzinfo=UTC)
    ]

    # On a computer's wide screen the code is there, to scan with the phone.
    wide = people.desktop()
    wide.open(personal)
    assert wide.page.get_by_text("Skanna koden med mobilen", exact=False).is_visible()
    wide.page.wait_for_function(
        "() => { const img = document.querySelector('.qr img');"
        " return img && img.complete && img.naturalWidth > 1; }"
    )
    assert wide.page.get_by_role("img", name="QR-kod för att prenumerera på kalendern").is_visible()

    # Plans change: she answers NEJ to the SMS; Twilio calls our signed webhook.
    answer = text_by_sms(served, volunteer.e164, "Nej", sid="SM" + "e2e".ljust(32, "0"))
    assert answer.status_code == 200
    assert "Okej, vi har meddelat ledaren att du inte kan" in answer.text
    keys.reload()
    walk = page.locator("ul.walk-list > li").filter(has_text=AREA)
    assert walk.get_by_text("Du har tackat nej").is_visible()
    assert walk.get_by_role("button", name="Jag kommer").is_visible()  # she can change her mind
    assert assignment_status(served, shift_id, user_id) == AssignmentStatus.DECLINED
    with session_scope(served.engine, write=False) as session:
        told = session.exec(
            select(SmsMessage).where(SmsMessage.kind == "leader_declined").order_by(SmsMessage.id)
        ).all()
    assert any("Britt" in message.body for message in told)

    # The same page in English.
    keys.follow(page.get_by_role("button", name="English"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("My shifts")
    keys.follow(page.get_by_role("button", name="Svenska"))

    story.decliner = volunteer.name
