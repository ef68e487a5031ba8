"""During the walk: the leader checks the group in on a phone, walkers check out by SMS, and
the coordinator sees the group on "Ute nu" (and its count on the home page), kept current
without a reload.
Friday 10 April 2026, 21:05."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from nattvandring.checkins.models import CheckEvent
from nattvandring.clock import STOCKHOLM
from nattvandring.db import session_scope

from .checks import screenshot
from .story import (
    AREA,
    ASSOCIATION,
    COORDINATOR,
    LEADER,
    MEMBERS,
    log_in,
    text_by_sms,
)

CHECKED_IN = datetime(2026, 4, 10, 21, 5, tzinfo=STOCKHOLM)
LOOKED = datetime(2026, 4, 10, 22, 40, tzinfo=STOCKHOLM)
LATER = datetime(2026, 4, 10, 23, 15, tzinfo=STOCKHOLM)


def logged(served, booking_id: int) -> list[tuple[int | None, str, str]]:
    with session_scope(served.engine, write=False) as session:
        rows = session.exec(
            select(CheckEvent).where(CheckEvent.booking_id == booking_id).order_by(CheckEvent.id)
        ).all()
        return [(row.user_id, row.kind, row.source) for row in rows]


def test_the_leader_checks_in_the_group_and_the_coordinator_sees_it(people, served, story):
    story.need("booking_id", "walker_ids", "decliner")
    walking = [m for m in MEMBERS if m.name != story.decliner]
    served.at(CHECKED_IN)

    leader = people.phone()
    page = leader.page
    log_in(leader, served, LEADER)
    leader.follow(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Våra pass")
    )
    leader.follow(page.get_by_role("link", name=AREA).first)
    section = page.locator("#incheckning")
    assert section.get_by_text("Inte incheckad").count() == len(walking)
    leader.follow(section.get_by_role("button", name="Checka in hela gruppen"))
    assert page.get_by_text(f"{len(walking)} incheckade.").is_visible()
    section = page.locator("#incheckning")
    assert section.get_by_text("Incheckad 21:05").count() == len(walking)
    screenshot(page, "leader-check-in", full_page=False)
    assert sorted(logged(served, story.booking_id)) == sorted(
        (story.walker_ids[m.name], "in", "leader") for m in walking
    )

    # One walker goes home early and answers SLUT to the SMS.
    served.at(LOOKED)
    home = walking[-1]
    answer = text_by_sms(served, home.e164, "slut", sid="SM" + "e2e-slut".ljust(32, "0"))
    assert answer.status_code == 200 and "Du checkade ut kl 22:40" in answer.text
    leader.reload()
    walker = page.locator("#incheckning li").filter(has_text=home.name)
    assert walker.get_by_text("Utcheckad 22:40").is_visible()

    coordinator = people.phone()  # on call, on the phone
    page = coordinator.page
    log_in(coordinator, served, COORDINATOR)
    # The home page lists the group out now; its line opens "Ute nu".
    listed = page.locator("#coord-out-now a.home-item").filter(has_text=AREA)
    assert listed.get_by_text(ASSOCIATION).is_visible()
    assert f"{len(walking) - 1} vandrare incheckade" in listed.inner_text()
    screenshot(page, "coordinator-home-out-now", full_page=False)
    coordinator.follow(listed)
    group = page.locator("li.out-now-group").filter(has_text=AREA)
    assert group.get_by_text(ASSOCIATION).is_visible()
    text = group.inner_text()
    assert f"{len(walking) - 1} vandrare incheckade" in text and "ute sedan 21:05" in text
    screenshot(page, "coordinator-out-now", full_page=False)

    # Another walker goes home; the list follows without a reload of the page.
    page.evaluate("() => { window.stillTheSamePage = true; }")
    served.at(LATER)
    second = walking[-2]
    text_by_sms(served, second.e164, "SLUT", sid="SM" + "e2e-slut-2".ljust(32, "0"))
    page.evaluate("() => window.nattvandringOutNow.refresh()")  # what the minute timer calls
    group = page.locator("li.out-now-group").filter(has_text=AREA)
    assert len(walking) == 3 and "1 vandrare incheckad," in group.inner_text()
    assert page.evaluate("() => window.stillTheSamePage") is True
