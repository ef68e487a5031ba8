"""Special nights on the pages: the special nights page (one form per night, badges of what
exists, the school-break weeks), and the names in the coordinator's month, the leader's
booking calendar and list, and the public page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import force_locale
from sqlmodel import select

from nattvandring import clock
from nattvandring.planning import special_nights as specials
from nattvandring.planning.models import PatrolArea, SchoolBreak, Shift
from tests.factories import login
from tests.support.queries import count_queries
from tests.support.shifts import book, make_shift

HALLOWEEN = date(2026, 10, 31)


def _page(client, world, query: str = "") -> str:
    response = client.get(f"/planning/{world.ids['hassleholm']}/special-nights{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_lists_the_coming_nights_with_the_areas_that_have_a_shift(
    client, db, world, frozen
):
    ids = world.ids
    area = db.get(PatrolArea, ids["area_h"])
    make_shift(db, municipality_id=ids["hassleholm"], area_id=area.id, day=HALLOWEEN)
    db.commit()
    login(client, world.emails["coord_h"])
    page = _page(client, world)
    assert "Halloween" in page and "Nattvandringens dag" in page
    assert "Valborgsmässoafton" in page  # next spring: the page looks a year ahead
    assert f"Har pass: {area.name}" in page
    assert page.count("Inga pass än") >= 3
    # The area with a shift that night starts unticked and says so.
    halloween = page[page.index(f'value="{HALLOWEEN.isoformat()}"') :]
    halloween = halloween[: halloween.index("</form>")]
    assert "– har pass" in halloween
    assert f'value="{area.id}" checked' not in halloween


def test_adding_from_the_page_comes_back_to_it(client, db, world, frozen):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    response = client.post(
        f"/planning/{h}/special-nights",
        data={
            "day": HALLOWEEN.isoformat(),
            "key": specials.HALLOWEEN,
            "area_ids": [str(world.ids["area_h"])],
            "range_start": "2026-09-01",
            "range_end": "2027-08-31",
            "return_to": "special_nights",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"/planning/{h}/special-nights?start_date=2026-09-01&end_date=2027-08-31"
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Skapade 1 pass den 2026-10-31" in page
    assert "Markerad: " in page
    db.rollback()
    (shift,) = db.exec(select(Shift)).all()
    assert shift.special_key == specials.HALLOWEEN
    # The same post again (a double click, a colleague): nothing new, and it says so.
    again = client.post(
        f"/planning/{h}/special-nights",
        data={
            "day": HALLOWEEN.isoformat(),
            "key": specials.HALLOWEEN,
            "area_ids": [str(world.ids["area_h"])],
            "return_to": "special_nights",
        },
    )
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Inga nya pass skapades: passet den 2026-10-31 fanns redan." in page
    assert "Skapade 0 pass" not in page
    db.rollback()
    assert len(db.exec(select(Shift)).all()) == 1
    # A refused post (no day) shows the page again with the error, as a 422.
    refused = client.post(
        f"/planning/{h}/special-nights",
        data={"key": specials.HALLOWEEN, "return_to": "special_nights"},
    )
    assert refused.status_code == 422
    assert "Skollov i" in refused.get_data(as_text=True)


def test_school_break_weeks_are_set_on_the_page_and_suggested_in_the_planner(
    client, db, world, frozen
):
    login(client, world.emails["coord_h"])
    h = world.ids["hassleholm"]
    planner = client.get(f"/planning/{h}/series/new?start_date=2026-10-01&end_date=2026-11-30")
    assert "Lägg in lovveckor" in planner.get_data(as_text=True)
    response = client.post(
        f"/planning/{h}/school-breaks", data={"sportlov": "8", "pasklov": "", "hostlov": "44"}
    )
    assert response.status_code == 302
    db.rollback()
    weeks = {(b.kind, b.iso_week) for b in db.exec(select(SchoolBreak)).all()}
    assert weeks == {("sportlov", 8), ("hostlov", 44)}
    page = _page(client, world)
    assert 'name="sportlov" type="text" value="8"' in page or 'value="8"' in page
    assert "Höstlov" in page and "vecka 44" in page
    planner = client.get(
        f"/planning/{h}/series/new?start_date=2026-10-01&end_date=2026-11-30"
    ).get_data(as_text=True)
    assert "Höstlov" in planner and "vecka 44: 2026-10-26 – 2026-11-01" in planner
    assert "Lägg in lovveckor" not in planner
    # Week 54 is refused with a message tied to its field.
    refused = client.post(f"/planning/{h}/school-breaks", data={"hostlov": "54"})
    assert refused.status_code == 422
    assert 'id="hostlov-error"' in refused.get_data(as_text=True)
    db.rollback()
    assert len(db.exec(select(SchoolBreak)).all()) == 2


def test_other_roles_and_tenants_are_refused(client, world, frozen):
    h = world.ids["hassleholm"]
    login(client, world.emails["leader_a"])
    assert client.get(f"/planning/{h}/special-nights").status_code == 403
    assert client.post(f"/planning/{h}/school-breaks", data={"sportlov": "8"}).status_code == 403
    client.post("/logout")
    login(client, world.emails["coord_b"])
    assert client.get(f"/planning/{h}/special-nights").status_code == 404


def _marked_halloween(db, world) -> Shift:
    ids = world.ids
    shift = make_shift(
        db,
        municipality_id=ids["hassleholm"],
        area_id=ids["area_h"],
        day=HALLOWEEN,
        special_key=specials.HALLOWEEN,
    )
    db.add(SchoolBreak(municipality_id=ids["hassleholm"], kind="hostlov", iso_week=44))
    db.commit()
    return shift


def test_the_coordinators_month_names_the_night_and_the_break(client, db, world, frozen):
    _marked_halloween(db, world)
    login(client, world.emails["coord_h"])
    url = f"/planning/{world.ids['hassleholm']}/calendar?month=2026-10"
    for view in ("month", "list"):
        page = client.get(f"{url}&view={view}").get_data(as_text=True)
        assert '<span class="badge special">Halloween</span>' in page, view
        assert '<span class="special-day">Höstlov</span>' in page, view
        assert '<span class="special-day">Alla helgons dag</span>' in page, view


def test_the_names_are_translated(app, frozen):
    with app.test_request_context(), force_locale("en"):
        assert str(specials.night_label(specials.HOSTLOV, HALLOWEEN)) == "Autumn break"
        assert str(specials.night_label(specials.VALBORG, date(2027, 4, 30))).startswith(
            "Walpurgis"
        )
    # Feeds are Swedish whatever the request's language.
    with app.test_request_context(), force_locale("en"):
        assert specials.swedish_label(specials.HOSTLOV, HALLOWEEN) == "Höstlov"
    assert specials.night_label(None, HALLOWEEN) is None


def test_the_leaders_calendar_and_bookings_name_the_night(client, db, world, frozen):
    shift = _marked_halloween(db, world)
    book(db, shift, world.ids["assoc_a"])
    db.commit()
    login(client, world.emails["leader_a"])
    a = world.ids["assoc_a"]
    for view in ("list", "month"):
        page = client.get(f"/booking/{a}/calendar?view={view}&month=2026-10")
        text = page.get_data(as_text=True)
        assert '<span class="badge special">Halloween</span>' in text, view
        assert '<span class="special-day">Höstlov</span>' in text, view
    ours = client.get(f"/booking/{a}/bookings").get_data(as_text=True)
    assert '<span class="badge special">Halloween</span>' in ours


def test_the_public_page_names_the_night(client, db, world, frozen):
    _marked_halloween(db, world)
    clock.freeze(datetime(2026, 10, 20, 10, tzinfo=UTC))  # Halloween within eight weeks
    page = client.get("/kommun/hässleholm").get_data(as_text=True)
    assert '<span class="badge special">Halloween</span>' in page
    assert '<span class="special-day">Höstlov</span>' in page


def test_the_special_nights_page_costs_the_same_queries_whatever_the_data(
    app, client, db, world, frozen
):
    ids = world.ids
    login(client, world.emails["coord_h"])
    url = f"/planning/{ids['hassleholm']}/special-nights"
    db.add(SchoolBreak(municipality_id=ids["hassleholm"], kind="hostlov", iso_week=44))
    db.commit()

    def count() -> int:
        with count_queries(app) as counter:
            assert client.get(url).status_code == 200
        return len(counter.executed)

    small = count()
    areas = [PatrolArea(municipality_id=ids["hassleholm"], name=f"Område {n}") for n in range(15)]
    db.add_all(areas)
    db.flush()
    for n in range(120):
        make_shift(
            db,
            municipality_id=ids["hassleholm"],
            area_id=areas[n % 15].id,
            day=date(2026, 10, 24) + timedelta(days=n // 15),
            special_key=specials.HOSTLOV if n % 2 else None,
        )
    db.commit()
    assert count() == small
