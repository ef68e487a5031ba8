"""Report pages through the test client: roles, tenants, filing, review and corrections."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.reports.models import (
    HoursLedgerEntry,
    Incident,
    PatrolReport,
    ReportWalker,
    UnsafePlace,
)
from tests.factories import login

from .conftest import file_report


def _report(db) -> PatrolReport:
    db.commit()
    db.expire_all()
    report = db.exec(select(PatrolReport)).one()
    db.commit()
    return report


def _places(db) -> list[UnsafePlace]:
    db.rollback()  # a new snapshot: the request committed in its own session
    return list(db.exec(select(UnsafePlace)).all())


def _form(world, **extra):
    data = {
        "young_people_met": "25",
        "summary": "Lugnt vid stationen",
        "walkers-0-user_id": str(world.ids["vol_a"]),
        "walkers-0-walked": "y",
        "walkers-0-start": "22:00",
        "walkers-0-end": "03:00",
        "walkers-1-user_id": str(world.ids["vol_a2"]),
        "walkers-1-walked": "y",
        "walkers-1-start": "22:00",
        "walkers-1-end": "00:30",
        "add_walker": str(world.ids["leader_a"]),
        "add_start": "23:00",
        "add_end": "03:00",
        "incidents-0-category": "vandalism",
        "incidents-0-what": "Klotter på busskuren",
        "incidents-0-place": "Busstationen",
        "places-0-what": "Trasig belysning",
        "places-0-place": "Gångtunneln",
        "places-0-latitude": "56,1589",
        "places-0-longitude": "13.7668",
        "send": "Skicka in rapporten",
    }
    data.update(extra)
    return data


def test_leader_files_report_from_roster(client, db, world, walk_a) -> None:
    login(client, world.emails["leader_a"])
    started = client.post(f"/reports/booking/{walk_a.booking.id}")
    assert started.status_code == 302
    report = _report(db)
    assert started.headers["Location"].endswith(f"/reports/{report.id}/edit")
    page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert "Vol A2" in page and 'value="22:00"' in page and 'value="03:00"' in page
    response = client.post(f"/reports/{report.id}/edit", data=_form(world))
    assert response.status_code == 302
    db.expire_all()
    stored = db.get(PatrolReport, report.id)
    assert (stored.status, stored.young_people_met) == ("submitted", 25)
    minutes = {
        w.user_id: w.minutes
        for w in db.exec(select(ReportWalker).where(ReportWalker.report_id == report.id))
    }
    # 2026-10-24 is the 25-hour night: 22:00-03:00 = 6 h; 22:00-00:30 = 2.5 h; 23:00-03:00 = 5 h.
    assert minutes == {
        world.ids["vol_a"]: 360,
        world.ids["vol_a2"]: 150,
        world.ids["leader_a"]: 300,
    }
    incident = db.exec(select(Incident)).one()
    assert (incident.category, incident.place) == ("vandalism", "Busstationen")
    place = db.exec(select(UnsafePlace)).one()
    assert (place.latitude, place.longitude, place.status) == (56.1589, 13.7668, "reported")
    db.commit()
    detail = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Väntar på godkännande" in detail and "13 h 30 min" in detail
    # Submitted: the leader can no longer change it.
    locked = client.post(f"/reports/{report.id}/edit", data=_form(world, young_people_met="1"))
    assert locked.status_code == 409
    db.expire_all()
    assert db.get(PatrolReport, report.id).young_people_met == 25


def test_bad_time_is_shown_next_to_the_field(client, db, world, walk_a) -> None:
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    response = client.post(
        f"/reports/{report.id}/edit", data=_form(world, **{"walkers-1-end": "21:00"})
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="walkers-1-end-error"' in html
    assert "Sluttiden måste vara efter starttiden." in html
    db.expire_all()
    assert db.get(PatrolReport, report.id).status == "draft"


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        # Half a coordinate was stored, and the page shows none without both.
        ({"places-0-longitude": ""}, "places-0-longitude", "Ange både latitud och longitud"),
        ({"places-0-latitude": ""}, "places-0-latitude", "Ange både latitud och longitud"),
        # A place without a description was dropped in silence, and the draft "saved".
        (
            {"places-0-what": ""},
            "places-0-what",
            "Beskriv vad som gör platsen otrygg, eller töm raden",
        ),
        (
            {"places-0-what": "", "places-0-place": "", "places-0-latitude": "56,1"},
            "places-0-what",
            "Beskriv vad som gör platsen otrygg, eller töm raden",
        ),
        (
            {"incidents-0-category": "", "incidents-0-what": ""},
            "incidents-0-what",
            "Beskriv vad som hände, eller töm raden",
        ),
    ],
)
def test_a_half_filled_row_is_refused_next_to_its_field(
    client, db, world, walk_a, typed, field, message
) -> None:
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    form = _form(world, **typed)
    del form["send"]
    response = client.post(f"/reports/{report.id}/edit", data={**form, "save": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    db.expire_all()
    assert db.exec(select(UnsafePlace)).all() == []
    assert db.exec(select(Incident)).all() == []


def test_a_saved_place_is_removed_by_emptying_its_row(client, db, world, walk_a) -> None:
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    url = f"/reports/{report.id}/edit"
    saved = {k: v for k, v in _form(world).items() if k != "send"}
    assert client.post(url, data={**saved, "save": "1"}).status_code == 302
    assert len(_places(db)) == 1
    # Clearing the description alone says how to remove the place, and keeps it.
    refused = client.post(url, data={**saved, "save": "1", "places-0-what": ""})
    assert refused.status_code == 422 and "töm raden för att ta bort den" in refused.text
    assert len(_places(db)) == 1
    emptied = {f"places-0-{name}": "" for name in ("what", "place", "latitude", "longitude")}
    assert client.post(url, data={**saved, "save": "1", **emptied}).status_code == 302
    assert _places(db) == []


def test_an_empty_row_is_skipped(client, db, world, walk_a) -> None:
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    blank = {
        f"{row}-0-{name}": ""
        for row, names in (
            ("places", ("what", "place", "latitude", "longitude")),
            ("incidents", ("category", "what", "place")),
        )
        for name in names
    }
    response = client.post(f"/reports/{report.id}/edit", data=_form(world, **blank))
    assert response.status_code == 302
    db.expire_all()
    assert db.exec(select(UnsafePlace)).all() == [] and db.exec(select(Incident)).all() == []


def test_a_walker_id_no_column_holds_is_left_out(client, db, world, walk_a) -> None:
    """The hidden walker id was looked up in the database, which refused to bind it (a 500)."""
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    url = f"/reports/{report.id}/edit"
    huge = client.post(url, data=_form(world, **{"walkers-1-user_id": "99999999999999999999"}))
    assert huge.status_code == 302  # the tampered row names nobody and is left out
    db.expire_all()
    walkers = db.exec(select(ReportWalker).where(ReportWalker.report_id == report.id)).all()
    assert {w.user_id for w in walkers} == {world.ids["vol_a"], world.ids["leader_a"]}


def test_unknown_incident_category_is_shown_next_to_the_field(client, db, world, walk_a) -> None:
    """It was refused (422) with the message on the list, which the page does not show."""
    login(client, world.emails["leader_a"])
    client.post(f"/reports/booking/{walk_a.booking.id}")
    report = _report(db)
    response = client.post(
        f"/reports/{report.id}/edit", data=_form(world, **{"incidents-0-category": "bogus"})
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="incidents-0-category-error"' in html and "Välj en kategori." in html
    db.expire_all()
    assert db.get(PatrolReport, report.id).status == "draft"


def test_other_tenants_get_404_and_wrong_roles_403(client, db, world, walk_a) -> None:
    report = file_report(db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")])
    db.commit()
    login(client, world.emails["leader_b"])
    assert client.post(f"/reports/booking/{walk_a.booking.id}").status_code == 404
    assert client.get(f"/reports/{report.id}").status_code == 404
    assert client.get(f"/reports/{report.id}/edit").status_code == 404
    assert "IFK Hässleholm" not in client.get("/reports").get_data(as_text=True)
    client.post("/logout")
    login(client, world.emails["coord_b"])
    assert client.get(f"/reports/{report.id}").status_code == 404
    assert client.post(f"/reports/{report.id}/approve").status_code == 404
    client.post("/logout")
    login(client, world.emails["leader_a"])
    assert client.post(f"/reports/{report.id}/approve").status_code == 403
    client.post("/logout")
    login(client, world.emails["coord_h"])
    assert client.get(f"/reports/{report.id}/edit").status_code == 403
    client.post("/logout")
    login(client, world.emails["liaison"])
    assert client.get("/reports").status_code == 403
    assert client.get("/hours").status_code == 403


def test_coordinator_approves_corrects_and_sees_history(client, db, world, walk_a) -> None:
    report = file_report(
        db,
        walk_a,
        [(world.ids["vol_a"], "22:00", "03:00"), (world.ids["vol_a2"], "22:00", "01:00")],
        young=30,
    )
    db.commit()
    login(client, world.emails["coord_h"])
    index = client.get("/reports").get_data(as_text=True)
    assert "Väntar på godkännande" in index and f"/reports/{report.id}" in index
    assert client.post(f"/reports/{report.id}/approve").status_code == 302
    db.expire_all()
    assert db.get(PatrolReport, report.id).status == "approved"
    bad = client.post(
        f"/reports/{report.id}/correct",
        data={"user_id": world.ids["vol_a2"], "minutes": "60", "reason": ""},
    )
    assert bad.status_code == 422
    fixed = client.post(
        f"/reports/{report.id}/correct",
        data={"user_id": world.ids["vol_a2"], "minutes": "60", "reason": "Gick hem 23:00"},
    )
    assert fixed.status_code == 302
    db.commit()
    db.expire_all()
    entries = db.exec(select(HoursLedgerEntry).order_by(HoursLedgerEntry.id)).all()
    assert [(e.kind, e.minutes) for e in entries] == [
        ("approval", 360),
        ("approval", 180),
        ("correction", -120),
    ]
    assert entries[2].created_by_id == world.ids["coord_h"]
    db.commit()
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Godkännande" in html and "Rättelse" in html and "Gick hem 23:00" in html
    assert "-120" in html and "7 h" in html  # 540 - 120 = 420 minutes
    # A second approval is refused.
    assert client.post(f"/reports/{report.id}/approve").status_code == 409


def test_return_with_comment_reaches_the_leader(client, db, world, walk_a) -> None:
    report = file_report(db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")])
    db.commit()
    login(client, world.emails["coord_h"])
    assert client.post(f"/reports/{report.id}/return", data={"comment": ""}).status_code == 422
    response = client.post(f"/reports/{report.id}/return", data={"comment": "Ange fler vandrare"})
    assert response.status_code == 302
    client.post("/logout")
    login(client, world.emails["leader_a"])
    page = client.get(f"/reports/{report.id}/edit")
    assert page.status_code == 200
    assert "Ange fler vandrare" in page.get_data(as_text=True)


def test_navigation_per_role(client, world) -> None:
    login(client, world.emails["leader_a"])
    html = client.get("/reports").get_data(as_text=True)
    assert 'href="/reports"' in html and 'href="/hours"' in html
    assert 'href="/lagesbild"' not in html
    client.post("/logout")
    login(client, world.emails["coord_h"])
    html = client.get("/reports").get_data(as_text=True)
    assert 'href="/reports"' in html and 'href="/lagesbild"' in html


def test_review_actions_are_tenant_and_role_checked(client, db, world, walk_a) -> None:
    report = file_report(db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")])
    db.commit()
    assert client.get("/reports").status_code == 302  # anonymous: to the login page
    login(client, world.emails["coord_b"])
    assert client.post(f"/reports/{report.id}/return", data={"comment": "x"}).status_code == 404
    assert (
        client.post(
            f"/reports/{report.id}/correct",
            data={"user_id": world.ids["vol_a"], "minutes": "1", "reason": "x"},
        ).status_code
        == 404
    )
    client.post("/logout")
    login(client, world.emails["leader_a"])
    assert client.post(f"/reports/{report.id}/return", data={"comment": "x"}).status_code == 403
    assert (
        client.post(
            f"/reports/{report.id}/correct",
            data={"user_id": world.ids["vol_a"], "minutes": "1", "reason": "x"},
        ).status_code
        == 403
    )
    db.expire_all()
    assert db.get(PatrolReport, report.id).status == "submitted"
    assert db.exec(select(HoursLedgerEntry)).all() == []


def test_coordinator_sees_overdue_reports(client, db, world, walk_a) -> None:
    from nattvandring import clock

    from .conftest import at

    login(client, world.emails["coord_h"])
    clock.freeze(at(2026, 11, 20))
    html = client.get("/reports").get_data(as_text=True)
    # walk_a ended 2026-10-25; with 7 days to report it is overdue on 2026-11-20.
    assert "Försenad" in html and "IFK Hässleholm" in html
    client.post("/logout")
    login(client, world.emails["coord_b"])
    assert "Försenad" not in client.get("/reports").get_data(as_text=True)


def test_database_refuses_a_second_approval_entry(db, world, walk_a) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    file_report(
        db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")], approve_by=world.ids["coord_h"]
    )
    first = db.exec(select(HoursLedgerEntry)).one()
    db.add(
        HoursLedgerEntry(
            **first.model_dump(exclude={"id", "created_at"}),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()
