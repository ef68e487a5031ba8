"""After the walk: the leader files the report on the phone, the coordinator approves it and
sees it in the situation report (lägesbild), then reminds a club whose report is overdue
("Påminn"); the SMS opens that report. Saturday 11 April 2026, 11:00."""

from __future__ import annotations

import re
from datetime import time
from urllib.parse import urlsplit

from sqlmodel import func, select

from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.booking.models import Booking
from nattvandring.db import session_scope
from nattvandring.messaging.models import SmsMessage
from nattvandring.reports.models import HoursLedgerEntry, PatrolReport

from .checks import screenshot
from .story import (
    AFTER_THE_WALK,
    AREA,
    COORDINATOR,
    LEADER,
    MEMBERS,
    assert_field_error,
    links_in,
    log_in,
    wait_until_sent,
)

EARLY_LEAVER = MEMBERS[3].name  # went home at half past eleven, as the iPhone pad types it


def report_of(served, booking_id: int) -> PatrolReport:
    with session_scope(served.engine, write=False) as session:
        return session.exec(select(PatrolReport).where(PatrolReport.booking_id == booking_id)).one()


def test_the_leader_files_the_report_and_the_coordinator_approves_it(people, served, story):
    story.need("booking_id", "decliner")
    served.at(AFTER_THE_WALK)

    leader = people.phone()
    page = leader.page
    log_in(leader, served, LEADER)
    leader.follow(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter")
    )
    due = page.get_by_role("region", name="Att rapportera").get_by_role("row").filter(has_text=AREA)
    leader.follow(due.get_by_role("button", name="Skriv rapport"))

    walked = [m.name for m in MEMBERS if m.name != story.decliner]
    # Times as phones type them: an iPhone's number pad has digits only, a Swedish decimal
    # pad adds ",", others "." or ":". Each walker's times come from another keyboard.
    typed_times = iter([("2100", "0100"), ("21,00", "1"), ("21.00", "01:00"), ("21", "100")])
    for member in MEMBERS:
        group = page.get_by_role("group", name=member.name, exact=True)
        if member.name not in walked:
            if group.count():  # she said no: not on the report
                leader.tick(group.get_by_label("Vandrade"), on=False)
            continue
        start, end = next(typed_times)
        leader.tick(group.get_by_label("Vandrade"))
        leader.time(group.get_by_label("Start"), time(21), start)
        # A typo for the one who went home at midnight: the error is tied to her field.
        leader.time(
            group.get_by_label("Slut"), time(1), "2400" if member.name == EARLY_LEAVER else end
        )
    summary = "Lugn kväll vid stationen. Många unga vid cykelparkeringen, god stämning."
    leader.type(page.get_by_label("Antal unga ni mötte (uppskattning)"), "35")
    leader.type(page.get_by_label("Sammanfattning av kvällen"), summary)
    leader.type(page.get_by_label("Otrygg plats"), "Trasig belysning i gångtunneln")
    leader.type(page.get_by_label("Var?"), "Gångtunneln under järnvägen")
    leader.follow(page.get_by_role("button", name="Skicka in rapporten"))
    early_end = page.get_by_role("group", name=EARLY_LEAVER, exact=True).get_by_label("Slut")
    assert_field_error(leader, early_end, "Timmen måste vara 00–23.")
    leader.time(early_end, time(23, 30), "2330")
    leader.follow(page.get_by_role("button", name="Skicka in rapporten"))
    report = report_of(served, story.booking_id)
    assert report.status == "submitted"
    assert report.young_people_met == 35 and report.summary == summary
    # The leader's home no longer asks for this report.
    leader.follow(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Översikt")
    )
    assert page.locator(f"#lead-{report.association_id}-reports").is_visible()
    assert not page.locator(f"#lead-{report.association_id}-reports").get_by_text(AREA).count()

    coordinator = people.desktop()
    page = coordinator.page
    log_in(coordinator, served, COORDINATOR)
    menu = page.get_by_role("navigation", name="Huvudmeny")
    coordinator.follow(menu.get_by_role("link", name="Rapporter"))
    waiting = page.get_by_role("region", name="Väntar på godkännande").get_by_role("row")
    coordinator.follow(waiting.filter(has_text=AREA).get_by_role("link", name="Visa"))
    assert page.get_by_text(summary).is_visible()
    # Before approving: the home-early walker's times are far from the planned ones.
    warnings = page.locator(".approval-warnings")
    assert f"{EARLY_LEAVER} gick 21:00–23:30, mer än 60 minuter" in warnings.inner_text()
    screenshot(page, "coordinator-report")
    coordinator.follow(page.get_by_role("button", name="Godkänn rapporten"))
    report = report_of(served, story.booking_id)
    assert report.status == "approved"
    with session_scope(served.engine, write=False) as session:
        minutes = session.exec(
            select(func.sum(HoursLedgerEntry.minutes)).where(
                HoursLedgerEntry.report_id == report.id
            )
        ).one()
    assert minutes == 4 * 60 + 4 * 60 + 150  # two walked 21-01, one 21-23:30

    coordinator.follow(menu.get_by_role("link", name="Lägesbild"))
    assert page.locator("figure.chart-figure svg").is_visible()
    screenshot(page, "situation-report", full_page=False)

    # The coordinator's home: the report no longer waits; the unsafe place the group found
    # does, and its line opens the lägesbild at the place, where it is forwarded.
    place = "Trasig belysning i gångtunneln"
    coordinator.follow(menu.get_by_role("link", name="Översikt"))
    assert not page.locator("#coord-reports").get_by_text(AREA).count()
    coordinator.follow(page.locator("#coord-places a.home-item").filter(has_text=place))
    found = page.locator("li[id^='place-']").filter(has_text=place)
    assert page.url.endswith("#" + (found.get_attribute("id") or "?"))
    coordinator.follow(found.get_by_role("button", name="Markera vidarebefordrad"))
    coordinator.follow(menu.get_by_role("link", name="Översikt"))
    assert not page.locator("#coord-places").get_by_text(place).count()

    story.report_id = report.id


def test_the_coordinator_reminds_of_an_overdue_report_and_the_sms_opens_it(people, served, story):
    """ "Påminn" on an overdue report, on the coordinator's phone: the leaders get an SMS
    whose link opens that walk's report, not the home page."""
    story.need("report_id")
    served.at(AFTER_THE_WALK)
    coordinator = people.phone()
    page = coordinator.page
    log_in(coordinator, served, COORDINATOR)
    coordinator.follow(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter")
    )
    remind = page.locator("tr.overdue form[action$='/remind']").first
    booking_id = int((remind.get_attribute("action") or "").split("/")[-2])
    with session_scope(served.engine, write=False) as session:
        booking = session.get(Booking, booking_id)
        assert booking is not None
        association = session.get(Association, booking.association_id)
        assert association is not None
        association_id, association_name = booking.association_id, association.name
        shift_id = booking.shift_id
    button = remind.get_by_role("button", name=re.compile(r"^Påminn\b"))
    box = button.bounding_box()  # a full-width button in the row's card
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert box["height"] >= 44, box
    coordinator.follow(button)
    assert page.get_by_text("Påminnelsen är skickad till föreningens ledare.").is_visible()
    # Reminded: the row says when, and offers no second reminder today.
    assert not page.locator(f"form[action$='/reports/booking/{booking_id}/remind']").count()
    assert page.locator("tr.overdue").get_by_text("Påmind ").first.is_visible()
    screenshot(page, "coordinator-reminded", full_page=False)

    # The SMS to the association's leaders links to the report itself.
    (sms, *_others) = wait_until_sent(
        served,
        select(SmsMessage).where(
            SmsMessage.kind == "leader_report_overdue",
            SmsMessage.association_id == association_id,
            SmsMessage.shift_id == shift_id,
        ),
    )
    assert sms.body.startswith(f"{association_name}: påminnelse från samordnaren."), sms.body
    (link,) = links_in(sms.body)
    assert link == served.url(f"/reports/booking/{booking_id}")
    with session_scope(served.engine, write=False) as session:
        leader_user = session.get(User, sms.user_id)
        assert leader_user is not None and leader_user.email
        leader_email = leader_user.email

    leader = people.phone()
    log_in(leader, served, leader_email)
    leader.open(link)  # tapped in the SMS
    assert urlsplit(leader.page.url).path.startswith("/reports/")
    assert leader.page.get_by_role("heading", level=1).inner_text() == "Vandringsrapport"
    assert leader.page.get_by_text(association_name).first.is_visible()
