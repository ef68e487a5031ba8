"""The personal page's buttons, the leader's group page, "Ute nu" and the home-page count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from tests.checkins.conftest import at, events, group_walk
from tests.factories import login

START = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 21:00-01:00 in Stockholm
DST_START = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)  # 22:00 CEST, the night clocks go back


def personal_token(db, user_id: int) -> str:
    raw = tokens.issue(db, TokenPurpose.PERSONAL_PAGE, user_id=user_id)
    db.commit()
    return raw


def assignment_of(db, walk, user_id):
    from sqlmodel import select

    from nattvandring.booking.models import Assignment

    found = db.exec(
        select(Assignment.id).where(
            Assignment.booking_id == walk.booking_id, Assignment.user_id == user_id
        )
    ).one()
    db.commit()  # end the read, so that the app's writers are not blocked
    return found


def as_user(app, world, key):
    client = app.test_client()
    login(client, world.emails[key])
    return client


def test_the_personal_page_checks_in_and_out(client, db, world):
    walk = group_walk(db, world, start=START)
    raw = personal_token(db, world.ids["vol_a"])
    assignment_id = assignment_of(db, walk, world.ids["vol_a"])
    at(START - timedelta(hours=2))
    assert "Checka in" not in client.get(f"/me/{raw}").get_data(as_text=True)
    at(START - timedelta(minutes=58))
    page = client.get(f"/me/{raw}").get_data(as_text=True)
    assert 'id="incheckning"' in page and "Checka in" in page
    response = client.post(f"/me/{raw}/assignments/{assignment_id}/check-in")
    assert response.status_code == 302
    page = client.get(f"/me/{raw}").get_data(as_text=True)
    assert "Du är incheckad." in page and "Incheckad 20:02" in page and "Checka ut" in page
    at(START + timedelta(hours=5))  # after the end: still possible to check out
    client.post(f"/me/{raw}/assignments/{assignment_id}/check-out")
    assert "Utcheckad 02:00" in client.get(f"/me/{raw}").get_data(as_text=True)
    assert [(e.kind, e.source, e.recorded_by_id) for e in events(db)] == [
        ("in", "page", None),
        ("out", "page", None),
    ]


def test_the_personal_page_on_a_dst_night_and_two_walkers_at_once(client, db, world):
    walk = group_walk(db, world, start=DST_START, hours=5)  # 22:00 CEST - 02:00 CET
    raws = {key: personal_token(db, world.ids[key]) for key in ("vol_a", "vol_a2")}
    ids = {key: assignment_of(db, walk, world.ids[key]) for key in raws}
    at(DST_START + timedelta(minutes=3))
    for key, raw in raws.items():
        client.post(f"/me/{raw}/assignments/{ids[key]}/check-in")
    at(DST_START + timedelta(hours=5))
    raw = raws["vol_a"]
    client.post(f"/me/{raw}/assignments/{ids['vol_a']}/check-out")
    assert "Utcheckad 02:00" in client.get(f"/me/{raw}").get_data(as_text=True)
    logged = events(db)
    assert [e.at for e in logged[:2]] == [DST_START + timedelta(minutes=3)] * 2
    assert logged[2].at - logged[0].at == timedelta(hours=4, minutes=57)  # not 3 h 57 min


def test_the_personal_page_refuses_others_and_out_of_window(client, db, world):
    walk = group_walk(db, world, start=START)
    raw = personal_token(db, world.ids["vol_a"])
    other = assignment_of(db, walk, world.ids["vol_a2"])
    at(START)
    assert client.post(f"/me/{raw}/assignments/{other}/check-in").status_code == 404
    assert client.post(f"/me/nonsense/assignments/{other}/check-in").status_code == 404
    mine = assignment_of(db, walk, world.ids["vol_a"])
    at(START + timedelta(hours=4, minutes=1))
    response = client.post(f"/me/{raw}/assignments/{mine}/check-in", follow_redirects=True)
    assert "det går inte längre att checka in" in response.get_data(as_text=True)
    assert events(db) == []


def test_the_leader_checks_in_the_group_and_one_walker_out(client, db, world):
    walk = group_walk(db, world, start=START)
    login(client, world.emails["leader_a"])
    at(START + timedelta(minutes=4))
    page = client.get(f"/booking/bookings/{walk.booking_id}/roster").get_data(as_text=True)
    assert "Checka in hela gruppen" in page and "Inte incheckad" in page
    response = client.post(f"/booking/bookings/{walk.booking_id}/check-in", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "2 incheckade." in page and "Incheckad 21:04" in page
    assert "ledaren (Leader A)" in page  # the log says who checked them in
    at(START + timedelta(hours=3))
    one = assignment_of(db, walk, world.ids["vol_a2"])
    client.post(f"/booking/bookings/{walk.booking_id}/assignments/{one}/check-out")
    logged = events(db)
    assert [(e.kind, e.source, e.recorded_by_id) for e in logged] == [
        ("in", "leader", world.ids["leader_a"]),
        ("in", "leader", world.ids["leader_a"]),
        ("out", "leader", world.ids["leader_a"]),
    ]
    # Checking in the group again leaves the one who went home out.
    at(START + timedelta(hours=3, minutes=5))
    response = client.post(f"/booking/bookings/{walk.booking_id}/check-in", follow_redirects=True)
    assert "0 incheckade." in response.get_data(as_text=True)


def test_only_the_groups_leader_checks_it_in(app, db, world):
    walk = group_walk(db, world, start=START)
    one = assignment_of(db, walk, world.ids["vol_a"])
    at(START)
    group_url = f"/booking/bookings/{walk.booking_id}/check-in"
    assert as_user(app, world, "leader_b").post(group_url).status_code == 404
    # The coordinator sees the group, but does not check it in.
    assert as_user(app, world, "coord_h").post(group_url).status_code == 403
    url = f"/booking/bookings/{walk.booking_id}/assignments/{one}/check-in"
    assert as_user(app, world, "leader_c").post(url).status_code == 404
    assert app.test_client().post(group_url).status_code in (302, 401)
    assert events(db) == []


def test_check_in_forms_need_the_csrf_token(csrf_app, world):
    from nattvandring.db import get_engine, session_scope

    with csrf_app.app_context(), session_scope(get_engine(csrf_app)) as session:
        walk = group_walk(session, world, start=START)
    at(START)
    client = csrf_app.test_client()
    login(client, world.emails["leader_a"])
    assert client.post(f"/booking/bookings/{walk.booking_id}/check-in").status_code == 400


def test_out_now_and_the_home_page_count(app, db, world):
    walk = group_walk(db, world, start=START)
    group_walk(db, world, start=START + timedelta(minutes=30), walkers=("vol_b",))
    at(START + timedelta(minutes=10))
    leader = as_user(app, world, "leader_a")
    leader.post(f"/booking/bookings/{walk.booking_id}/check-in")
    client = as_user(app, world, "coord_h")
    at(START + timedelta(minutes=40))
    page = client.get("/ute-nu").get_data(as_text=True)
    assert 'id="out-now-live" data-refresh-seconds="60"' in page  # static/js/out_now.js
    assert "js/out_now.js" in page
    assert "IFK Hässleholm" in page and "2 vandrare incheckade" in page
    assert "ute sedan 21:10" in page
    assert "Pass som har börjat utan incheckning" in page  # the second walk
    home = client.get("/").get_data(as_text=True)  # the coordinator's home lists the group
    listed = home.split('id="coord-out-now"')[1].split("</section>")[0]
    assert "IFK Hässleholm" in listed and "2 vandrare incheckade" in listed
    assert 'href="/ute-nu"' in listed
    bjuv = as_user(app, world, "coord_b")  # sees nothing of Hässleholm
    page = bjuv.get("/ute-nu").get_data(as_text=True)
    assert "IFK Hässleholm" not in page and "Ingen grupp är ute just nu." in page
    home = bjuv.get("/").get_data(as_text=True)
    assert "IFK Hässleholm" not in home and "Ingen grupp är ute just nu." in home
    assert leader.get("/ute-nu").status_code == 403
    assert 'id="coord-out-now"' not in leader.get("/").get_data(as_text=True)


def test_the_coordinator_turns_nudges_off(client, db, world):
    from nattvandring.checkins.models import CheckinSettings

    login(client, world.emails["coord_h"])
    page = client.get("/ute-nu").get_data(as_text=True)
    assert "Påminnelser till ledare" in page and "checked" in page
    municipality = world.ids["hassleholm"]
    response = client.post(
        f"/ute-nu/settings/{municipality}", data={f"m{municipality}-nudge_still_out": "y"}
    )
    assert response.status_code == 302
    db.commit()
    row = db.exec(CheckinSettings.__table__.select()).one()
    assert (row.nudge_not_started, row.nudge_still_out) == (False, True)
    from nattvandring.audit.models import AuditEntry

    [entry] = db.exec(
        AuditEntry.__table__.select().where(AuditEntry.action == "municipality.nudges_changed")
    ).all()
    assert (entry.actor_user_id, entry.municipality_id) == (world.ids["coord_h"], municipality)
    assert entry.details == "nudge_not_started: True → False"
    assert client.post(f"/ute-nu/settings/{world.ids['bjuv']}").status_code == 404


def test_the_personal_data_export_lists_the_check_ins(client, db, world):
    from nattvandring.accounts.models import User
    from nattvandring.volunteers.privacy import export_data

    walk = group_walk(db, world, start=START)
    raw = personal_token(db, world.ids["vol_a"])
    mine = assignment_of(db, walk, world.ids["vol_a"])
    at(START)
    client.post(f"/me/{raw}/assignments/{mine}/check-in")
    db.commit()
    data = export_data(db, db.get(User, world.ids["vol_a"]))
    assert data["check_ins"] == [
        {"shift_id": walk.shift_id, "kind": "in", "source": "page", "at": START.isoformat()}
    ]
