"""A volunteer, on a phone: opens the personal link from the booking SMS, confirms, adds the
walk to the calendar, copies the subscribe link; then answers NEJ by SMS and sees it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from icalendar import Calendar
from sqlmodel import select

from nattvandring.booking.models import Assignment, AssignmentStatus
from nattvandring.db import session_scope
from nattvandring.messaging.models import SmsMessage

from .checks import screenshot
from .served import START
from .story import AREA, MEETING_POINT, MEMBERS, links_in, sent_sms, text_by_sms


def assignment_status(served, shift_id: int, user_id: int) -> str:
    with session_scope(served.engine, write=False) as session:
        return session.exec(
            select(Assignment.status).where(
                Assignment.shift_id == shift_id, Assignment.user_id == user_id
            )
        ).one()


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
    keys.open(personal)  # tapped in the SMS app
    walk = page.locator("ul.walk-list > li").filter(has_text=AREA)
    assert walk.get_by_text("Väntar på ditt svar").is_visible()
    keys.follow(walk.get_by_role("button", name="Jag kommer"))
    assert walk.get_by_text("Bekräftat").is_visible()
    assert assignment_status(served, shift_id, user_id) == AssignmentStatus.CONFIRMED
    screenshot(page, "volunteer-personal-page", full_page=False)
    screenshot(page, "volunteer-personal-page-full")

    # The walk's .ics, from the personal page.
    download = keys.download(walk.get_by_role("link", name="Lägg till i kalendern"))
    assert download.suggested_filename == f"nattvandring-{shift_id}.ics"
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
