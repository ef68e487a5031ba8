"""The coordinator plans the spring season for a new area, adds Valborg and checks coverage.

Desktop browser, keyboard only. Monday 16 March 2026 in Hässleholm (demo data).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nattvandring.clock import to_local
from nattvandring.db import session_scope
from nattvandring.planning.models import PatrolArea, Shift

from .checks import PHONE, screenshot
from .conftest import DESKTOP
from .served import START
from .story import (
    AREA,
    COORDINATOR,
    EQUIPMENT,
    MEETING_AT,
    MEETING_POINT,
    NIGHT,
    SEASON,
    VALBORG,
    assert_field_error,
    log_in,
)


def season_nights() -> int:
    first, last = SEASON
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return sum(1 for day in days if day.weekday() in (4, 5))


def test_coordinator_plans_a_season_adds_valborg_and_sees_coverage(people, served, story):
    served.at(START)
    keys = people.desktop()
    page = keys.page
    log_in(keys, served, COORDINATOR, first_wrong=True)

    # A new patrol area.
    keys.follow(
        page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Planering")
    )
    subnav = page.get_by_role("navigation", name="Planering för Hässleholm")
    keys.follow(subnav.get_by_role("link", name="Områden"))
    keys.follow(page.get_by_role("link", name="Nytt område"))
    keys.type(page.get_by_label("Namn", exact=True), AREA)
    keys.type(page.get_by_label("Samlingsplats"), MEETING_POINT)
    keys.type(page.get_by_label("Latitud"), MEETING_AT[0])
    keys.type(page.get_by_label("Longitud"), MEETING_AT[1])
    keys.type(page.get_by_label("Utrustning"), EQUIPMENT)
    keys.time(page.get_by_label("Starttid (standard)"), NIGHT[0])
    keys.time(page.get_by_label("Sluttid (standard)"), NIGHT[1])
    keys.follow(page.get_by_role("button", name="Spara"))
    assert page.get_by_role("heading", name=AREA).is_visible()
    with session_scope(served.engine, write=False) as session:
        area = session.exec(select(PatrolArea).where(PatrolArea.name == AREA)).one()
        area_id = area.id

    # The season: Fridays and Saturdays 21:00-01:00, first with the dates the wrong way round.
    keys.follow(subnav.get_by_role("link", name="Planera säsong"))
    areas = page.get_by_role("group", name="Områden")
    for box in areas.get_by_role("checkbox").all():
        keys.tick(box, on=box.get_attribute("value") == str(area_id))
    weekdays = page.get_by_role("group", name="Veckodagar")
    for box in weekdays.get_by_role("checkbox").all():
        keys.tick(box, on=box.get_attribute("value") in ("4", "5"))
    first, last = SEASON
    keys.date(page.get_by_label("Första datum"), first)
    keys.date(page.get_by_label("Sista datum"), first - timedelta(days=30))
    keys.time(page.get_by_label("Starttid", exact=True), NIGHT[0])
    keys.time(page.get_by_label("Sluttid", exact=True), NIGHT[1])
    keys.type(page.get_by_label("Namn på serien"), "Våren 2026")
    keys.follow(page.get_by_role("button", name="Skapa pass"))
    assert_field_error(keys, page.get_by_label("Sista datum"), None)
    keys.date(page.get_by_label("Sista datum"), last)
    keys.follow(page.get_by_role("button", name="Skapa pass"))
    nights = season_nights()
    assert page.get_by_text(f"Skapade {nights} pass. 0 fanns redan").is_visible()

    # Valborg (a Thursday in 2026) for the new area only.
    keys.follow(subnav.get_by_role("link", name="Planera säsong"))
    keys.follow(page.get_by_role("button", name="Visa särskilda kvällar för perioden"))
    valborg = page.locator("ul.special-nights > li").filter(has_text=VALBORG.isoformat())
    valborg = valborg.filter(has_text="Valborg")
    # The new area has no shift that night, so it starts ticked.
    assert valborg.locator(f"input[value='{area_id}']").is_checked()
    for box in valborg.get_by_role("checkbox").all():
        keys.tick(box, on=box.get_attribute("value") == str(area_id))
    keys.follow(valborg.get_by_role("button", name="Lägg till"))
    assert page.get_by_text(f"Skapade 1 pass den {VALBORG.isoformat()}").is_visible()

    with session_scope(served.engine, write=False) as session:
        shifts = session.exec(select(Shift).where(Shift.area_id == area_id)).all()
    local = sorted(to_local(shift.start_at) for shift in shifts)
    assert len(shifts) == nights + 1
    assert {start.strftime("%H:%M") for start in local} == {"21:00"}
    assert {s.end_at - s.start_at for s in shifts} == {timedelta(hours=4)}
    assert [start.date() for start in local if start.weekday() == 3] == [VALBORG]

    # Coverage: nothing booked yet in the new area; Valborg's week has three open nights.
    keys.follow(subnav.get_by_role("link", name="Täckning"))
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=AREA))
    week_15 = row.locator("td[data-week='2026-15']")  # Friday 10 and Saturday 11 April
    week_18 = row.locator("td[data-week='2026-18']")  # Valborg, Friday 1 and Saturday 2 May
    assert " ".join(week_15.inner_text().split()) == "0 / 2 / 0"
    assert " ".join(week_18.inner_text().split()) == "0 / 3 / 0"
    screenshot(page, "coordinator-coverage")

    # The month the season starts, as a month grid.
    keys.follow(subnav.get_by_role("link", name="Kalender"))
    keys.follow(page.get_by_role("link", name="Nästa ›"))
    keys.follow(page.get_by_role("link", name="Månad", exact=True))
    assert page.locator(".month-grid").is_visible()
    screenshot(page, "coordinator-calendar", full_page=False)
    # On a phone the same page shows the month as a list of the days that have shifts.
    page.set_viewport_size(PHONE)
    assert page.locator(".month-grid-wrap").is_hidden()
    assert page.locator(".month-fallback .day-list").is_visible()
    page.set_viewport_size(DESKTOP)

    story.area_id = area_id
    story.shifts_created = nights + 1
