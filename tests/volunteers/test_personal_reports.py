"""Filing a report from the personal link, and the reports block of the personal page."""

from __future__ import annotations

from datetime import date

from flask import render_template
from sqlmodel import select

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose, User
from nattvandring.reports.models import PatrolReport, ReportWalker
from tests.reports.conftest import file_report, make_walk
from tests.support.database import written_elsewhere_after_first_read


def _token(db, user_id: int) -> str:
    raw = tokens.issue(db, TokenPurpose.PERSONAL_PAGE, user_id=user_id)
    db.commit()
    return raw


def test_walker_files_from_personal_link(client, db, world, walk_a) -> None:
    raw = _token(db, world.ids["vol_a2"])
    url = f"/me/{raw}/reports/{walk_a.shift.id}"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Vol A2" in html and "Vol A" in html and 'value="03:00"' in html
    response = client.post(
        url,
        data={
            "young_people_met": "40",
            "summary": "",
            "walkers-0-user_id": str(world.ids["vol_a"]),
            "walkers-0-walked": "y",
            "walkers-0-start": "22:00",
            "walkers-0-end": "03:00",
            "walkers-1-user_id": str(world.ids["vol_a2"]),
            "walkers-1-walked": "y",
            "walkers-1-start": "22:00",
            "walkers-1-end": "23:15",
            "send": "Skicka in rapporten",
        },
    )
    assert response.status_code == 302
    db.expire_all()
    report = db.exec(select(PatrolReport)).one()
    assert (report.status, report.filed_by_id, report.young_people_met) == (
        "submitted",
        world.ids["vol_a2"],
        40,
    )
    minutes = sorted(w.minutes for w in db.exec(select(ReportWalker)))
    assert minutes == [75, 360]
    db.commit()
    after = client.get(url)
    assert after.status_code == 200
    assert "kan inte längre ändras" in after.get_data(as_text=True)


def test_the_first_visit_starts_the_report_while_the_worker_writes(app, client, db, world, walk_a):
    """The first GET creates the draft report: it must wait for the write lock, not fail."""
    raw = _token(db, world.ids["vol_a2"])
    with written_elsewhere_after_first_read(app):
        page = client.get(f"/me/{raw}/reports/{walk_a.shift.id}")
    assert page.status_code == 200
    db.expire_all()
    report = db.exec(select(PatrolReport)).one()
    assert report.booking_id == walk_a.booking.id


def test_a_booking_cancelled_before_the_first_visit_wrote_gets_no_report(
    app, client, db, world, walk_a
):
    """The draft is decided on in the writing transaction, not on what the GET read before."""
    raw = _token(db, world.ids["vol_a2"])
    cancel = f"UPDATE booking SET status = 'cancelled' WHERE id = {walk_a.booking.id}"
    with written_elsewhere_after_first_read(app, cancel):
        page = client.get(f"/me/{raw}/reports/{walk_a.shift.id}")
    assert page.status_code == 409
    db.expire_all()
    assert db.exec(select(PatrolReport)).first() is None


def test_volunteer_only_reaches_their_own_walks(client, db, world, walk_a) -> None:
    other = make_walk(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        association_id=world.ids["assoc_b"],
        day=date(2026, 10, 23),
        walkers=(world.ids["vol_b"],),
    )
    raw_b = _token(db, world.ids["vol_b"])
    raw_a = _token(db, world.ids["vol_a"])
    raw_leader = _token(db, world.ids["leader_a"])  # declined on walk_a's roster
    assert client.get(f"/me/{raw_b}/reports/{walk_a.shift.id}").status_code == 404
    assert client.get(f"/me/{raw_a}/reports/{other.shift.id}").status_code == 404
    assert client.get(f"/me/{raw_leader}/reports/{walk_a.shift.id}").status_code == 404
    assert client.get(f"/me/nonsense/reports/{walk_a.shift.id}").status_code == 404
    assert client.get(f"/me/{raw_b}/reports/{other.shift.id}").status_code == 200
    # A walker cannot add someone from another association.
    response = client.post(
        f"/me/{raw_a}/reports/{walk_a.shift.id}",
        data={
            "young_people_met": "1",
            "add_walker": str(world.ids["vol_b"]),
            "add_start": "22:00",
            "add_end": "23:00",
            "save": "Spara utkast",
        },
    )
    assert response.status_code == 422
    assert "Bara föreningens medlemmar" in response.get_data(as_text=True)


def test_personal_block_lists_own_walks_and_reports_to_file(app, db, world, walk_a) -> None:
    done = make_walk(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        association_id=world.ids["assoc_a"],
        day=date(2026, 9, 4),
        walkers=(world.ids["vol_a"], world.ids["vol_a2"]),
    )
    file_report(
        db,
        done,
        [(world.ids["vol_a"], "22:00", "03:00"), (world.ids["vol_a2"], "22:00", "00:00")],
        approve_by=world.ids["coord_h"],
    )
    raw = _token(db, world.ids["vol_a2"])
    with app.test_request_context("/"):
        user = db.get(User, world.ids["vol_a2"])
        html = render_template("volunteers/_personal_block.html", personal_token=raw, user=user)
    assert "Godkända vandringar: <strong>1</strong>" in html
    assert "Timmar: <strong>2 h</strong>" in html
    assert f"/me/{raw}/reports/{walk_a.shift.id}" in html  # the unreported walk
    assert f"/me/{raw}/reports/{done.shift.id}" not in html  # already approved
    assert f"/me/{raw}/privacy/export.json" in html and f"/me/{raw}/privacy/erase" in html
    assert "2026-09-04" in html
