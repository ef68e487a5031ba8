"""Planning pages through the test client: allowed role, wrong role (403), wrong tenant (404)."""

from __future__ import annotations

import re

from sqlmodel import select

from nattvandring.planning.models import PatrolArea, Shift, ShiftSeries
from tests.factories import login


def _pages(world, planned):
    h = world.ids["hassleholm"]
    return [
        f"/planning/{h}/areas",
        f"/planning/{h}/areas/new",
        f"/planning/areas/{world.ids['area_h']}/edit",
        f"/planning/{h}/calendar",
        f"/planning/{h}/series/new",
        f"/planning/{h}/series",
        f"/planning/series/{planned['series']}",
        f"/planning/shifts/{planned['shift']}/edit",
        f"/planning/{h}/coverage",
        f"/planning/{h}/audit",
        f"/planning/{h}/rules",
    ]


def test_coordinator_and_admin_see_every_page(client, world, planned):
    for who in ("coord_h", "admin"):
        login(client, world.emails[who])
        for url in _pages(world, planned):
            response = client.get(url)
            assert response.status_code == 200, (who, url)
        client.post("/logout")


def test_leader_gets_403_everywhere(client, world, planned):
    login(client, world.emails["leader_a"])
    for url in _pages(world, planned):
        assert client.get(url).status_code == 403, url
    assert client.get("/planning").status_code == 403
    h = world.ids["hassleholm"]
    posts = [
        (f"/planning/{h}/areas/new", {"name": "X"}),
        (f"/planning/shifts/{planned['shift']}/cancel", {"reason": "x"}),
        (f"/planning/series/{planned['series']}/cancel", {"reason": "x", "step": "apply"}),
        (f"/planning/{h}/rules", {"max_associations_per_shift": "2"}),
    ]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 403, url


def test_other_municipality_coordinator_gets_404(client, world, planned, db):
    login(client, world.emails["coord_b"])
    for url in _pages(world, planned):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/planning/shifts/{planned['shift']}/cancel", data={"reason": "Fel kommun"}
    )
    assert response.status_code == 404
    db.rollback()  # end the read snapshot; see the app's commits
    assert db.get(Shift, planned["shift"]).status == "planned"


def test_anonymous_is_sent_to_login(client, world, planned):
    response = client.get(f"/planning/{world.ids['hassleholm']}/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_planning_redirects_a_single_municipality_coordinator(client, world):
    login(client, world.emails["coord_h"])
    response = client.get("/planning")
    assert response.headers["Location"].endswith(f"/planning/{world.ids['hassleholm']}/calendar")
    assert (
        client.get("/planning/coverage")
        .headers["Location"]
        .endswith(f"/planning/{world.ids['hassleholm']}/coverage")
    )
    assert (
        client.get("/planning/areas")
        .headers["Location"]
        .endswith(f"/planning/{world.ids['hassleholm']}/areas")
    )
    page = client.get("/").get_data(as_text=True)
    for label in ("Planering", "Täckning", "Områden"):
        assert label in page


def test_admin_chooses_a_municipality(client, world):
    login(client, world.emails["admin"])
    page = client.get("/planning").get_data(as_text=True)
    assert "Hässleholm" in page and "Bjuv" in page


def test_area_create_edit_and_validation(client, world, db):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    bad = client.post(
        f"/planning/{h}/areas/new",
        data={
            "name": "Stationen",
            "latitude": "95",
            "longitude": "13.7",
            "default_start": "21:00",
            "default_end": "01:00",
            "default_min_walkers": "3",
            "min_age": "18",
        },
    )
    assert bad.status_code == 422
    assert "Latituden måste vara mellan -90 och 90." in bad.get_data(as_text=True)
    good = client.post(
        f"/planning/{h}/areas/new",
        data={
            "name": "Stationen",
            "meeting_point": "Resecentrum",
            "latitude": "56,156",  # the Swedish decimal comma
            "longitude": " 13.764 ",
            "default_start": "20:00",
            "default_end": "00:00",
            "default_min_walkers": "3",
            "default_max_walkers": "",
            "min_age": "20",
            "active": "y",
        },
    )
    assert good.status_code == 302
    db.rollback()
    area = db.exec(select(PatrolArea).where(PatrolArea.name == "Stationen")).one()
    assert (area.meeting_point, area.default_max_walkers, area.min_age) == ("Resecentrum", None, 20)
    assert (area.latitude, area.longitude) == (56.156, 13.764)
    edit = client.get(f"/planning/areas/{area.id}/edit").get_data(as_text=True)
    assert 'value="56,156"' in edit and 'inputmode="decimal"' in edit
    response = client.post(f"/planning/areas/{area.id}/active", data={"active": "0"})
    assert response.status_code == 302
    db.rollback()  # end the read snapshot; see the app's commits
    assert db.get(PatrolArea, area.id).active is False
    listing = client.get(f"/planning/{h}/areas").get_data(as_text=True)
    assert "Inaktivt" in listing and "Resecentrum" in listing


def test_series_planner_creates_and_reports(client, world, db, frozen):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    page = client.get(f"/planning/{h}/series/new").get_data(as_text=True)
    # Fri+Sat are checked by default; the range (1 Sep - 30 Nov) shows Halloween etc.
    assert 'checked id="weekdays-4"' in page and 'checked id="weekdays-5"' in page
    assert 'checked id="weekdays-3"' not in page
    assert "Nattvandringens dag" in page and "Halloween" in page
    data = {
        "area_ids": [str(world.ids["area_h"])],
        "weekdays": ["4", "5"],
        "start_date": "2026-09-04",
        "end_date": "2026-09-12",
        "start_time": "21:00",
        "end_time": "21:00",
        "action": "create",
    }
    refused = client.post(f"/planning/{h}/series/new", data=data)
    assert refused.status_code == 422
    assert "Start- och sluttid kan inte vara samma klockslag" in refused.get_data(as_text=True)
    assert db.exec(select(Shift)).all() == []
    data["end_time"] = "01:00"
    created = client.post(f"/planning/{h}/series/new", data=data, follow_redirects=True)
    assert created.status_code == 200
    assert "Skapade 4 pass. 0 fanns redan och hoppades över." in created.get_data(as_text=True)
    again = client.post(f"/planning/{h}/series/new", data=data, follow_redirects=True)
    assert "Inga nya pass skapades: alla 4 kvällar fanns redan." in again.get_data(as_text=True)
    db.rollback()
    assert len(db.exec(select(Shift)).all()) == 4
    assert len(db.exec(select(ShiftSeries)).all()) == 1


def test_special_night_one_click(client, world, db, frozen):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    page = client.get(
        f"/planning/{h}/series/new?start_date=2026-09-01&end_date=2026-09-30"
    ).get_data(as_text=True)
    assert "Nattvandringens dag" in page and "2026-09-12" in page
    school = client.get(
        f"/planning/{h}/series/new?start_date=2027-06-01&end_date=2027-06-30"
        "&last_school_day=2027-06-11"
    ).get_data(as_text=True)
    assert "Skolavslutning" in school and "2027-06-11" in school
    assert "Midsommarafton" in school and "2027-06-25" in school
    response = client.post(
        f"/planning/{h}/special-nights",
        data={
            "day": "2026-09-12",
            "key": "night_walk_day",
            "area_ids": [str(world.ids["area_h"])],
            "range_start": "2026-09-01",
            "range_end": "2026-09-30",
        },
    )
    assert response.status_code == 302
    db.rollback()
    (shift,) = db.exec(select(Shift)).all()
    assert shift.special_key == "night_walk_day"
    page = client.get(
        f"/planning/{h}/series/new?start_date=2026-09-01&end_date=2026-09-30"
    ).get_data(as_text=True)
    assert "Har pass" in page
    # Another municipality's area cannot be smuggled in.
    client.post(
        f"/planning/{h}/special-nights",
        data={"day": "2026-09-19", "key": "public_holiday", "area_ids": [str(world.ids["area_b"])]},
    )
    db.rollback()
    assert len(db.exec(select(Shift)).all()) == 1


def test_special_night_redirect_is_built_from_the_parsed_period(client, world, db, frozen):
    """The planner's period travels in hidden fields; it used to be copied as posted into the
    Location header (a 70 kB header was seen)."""
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    night = {"day": "2026-09-12", "key": "night_walk_day", "area_ids": [str(world.ids["area_h"])]}
    response = client.post(
        f"/planning/{h}/special-nights",
        data=night
        | {"range_start": "é" * 70_000, "range_end": "9999-12-31", "last_school_day": "x"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/planning/{h}/series/new"
    kept = client.post(
        f"/planning/{h}/special-nights",
        data=night | {"range_start": "2026-09-01", "range_end": "2026-09-30"},
    )
    assert kept.headers["Location"] == (
        f"/planning/{h}/series/new?start_date=2026-09-01&end_date=2026-09-30"
    )


def test_special_night_in_year_1_is_refused_with_the_window(client, world, db, frozen):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    response = client.post(
        f"/planning/{h}/special-nights",
        data={"day": "0001-01-01", "key": "public_holiday", "area_ids": [str(world.ids["area_h"])]},
    )
    assert response.status_code == 422
    assert "Ange ett datum mellan 2000-01-01 och 2100-12-31." in response.get_data(as_text=True)
    db.rollback()
    assert db.exec(select(Shift)).all() == []


def test_coverage_cells_open_the_calendar_and_a_long_range_says_it_is_cut(client, world, planned):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    page = client.get(f"/planning/{h}/coverage").get_data(as_text=True)
    assert "veckor; sidan visar högst" not in page
    # The booked Saturday 5 September 2026: its cell links the area's calendar that month.
    cell = re.search(r'<td class="num cov-cell"[^>]*data-week="2026-36">(.*?)</td>', page, re.S)
    assert cell, page
    link = re.search(r'<a class="cov-link" href="([^"]+)"\s+title="([^"]+)"', cell[1])
    assert link, cell[1]
    assert link[1].replace("&amp;", "&") == (
        f"/planning/{h}/calendar?area={world.ids['area_h']}&month=2026-09"
    )
    assert "Centrum vecka 36: 1 bokade, 1 lediga, 1 under minimum" in link[2]
    long = client.get(f"/planning/{h}/coverage?weeks=100").get_data(as_text=True)
    assert "Du bad om 100 veckor; sidan visar högst 52." in long
    assert long.count('<th scope="col" class="num">') == 52
