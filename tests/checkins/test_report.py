"""Reports that fill themselves: the form starts from the sign-in log; hours reach the ledger
only through approval."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from nattvandring.accounts.models import Role
from nattvandring.reports.models import HoursLedgerEntry, PatrolReport, ReportWalker
from tests.checkins.conftest import at, group_walk, sms
from tests.factories import grant, login, phone
from tests.factories import user as new_user
from tests.messaging.conftest import user

START = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 21:00-01:00 in Stockholm


def _value(page: str, name: str) -> str | None:
    """The value of the input named ``name`` (whatever the order of its attributes)."""
    field = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    found = field and re.search(r'\bvalue="([^"]*)"', field[0])
    return found[1] if found else None


def test_the_report_starts_from_the_log(app, db, world):
    walk = group_walk(db, world, start=START)
    extra = new_user(db, "Extra Walker", phone_e164=phone(), birth_year=1975)
    grant(db, extra, Role.VOLUNTEER, association_id=world.ids["assoc_a"])
    db.commit()
    extra_id = extra.id
    client = app.test_client()
    number = user(db, world.ids["vol_a"]).phone_e164
    db.commit()
    at(START - timedelta(minutes=7, seconds=20))  # 20:52:40 -> 20:55
    sms(client, number, "START")
    at(START + timedelta(hours=4, minutes=7, seconds=20))  # 01:07:20 -> 01:05
    sms(client, number, "SLUT")

    login(client, world.emails["leader_a"])
    started = client.post(f"/reports/booking/{walk.booking_id}")
    assert started.status_code == 302
    report = db.exec(select(PatrolReport)).one()
    db.commit()
    page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert _value(page, "walkers-0-start") == "20:55"
    assert _value(page, "walkers-0-end") == "01:05"
    assert "Loggen: incheckad 20:52, utcheckad 01:07" in page
    assert page.count("Checkade aldrig in") == 1  # Vol A2
    assert _value(page, "walkers-1-start") == "21:00"  # planned times

    # The leader corrects Vol A's end, leaves Vol A2 out and adds a walker not on the group.
    response = client.post(
        f"/reports/{report.id}/edit",
        data={
            "young_people_met": "25",
            "summary": "Lugnt.",
            "walkers-0-user_id": str(world.ids["vol_a"]),
            "walkers-0-walked": "y",
            "walkers-0-start": "20:55",
            "walkers-0-end": "01:15",
            "walkers-1-user_id": str(world.ids["vol_a2"]),
            "walkers-1-start": "21:00",
            "walkers-1-end": "01:00",
            "add_walker": str(extra_id),
            "add_start": "21:30",
            "add_end": "00:30",
            "send": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.commit()
    db.expire_all()
    minutes = {
        w.user_id: w.minutes
        for w in db.exec(select(ReportWalker).where(ReportWalker.report_id == report.id))
    }
    assert minutes == {world.ids["vol_a"]: 4 * 60 + 20, extra_id: 3 * 60}
    assert db.exec(select(HoursLedgerEntry)).all() == []  # submitted, not approved
    db.commit()

    coordinator = app.test_client()
    login(coordinator, world.emails["coord_h"])
    detail = coordinator.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Incheckningslogg" in detail and "Vol A" in detail  # the log is kept with it
    assert coordinator.post(f"/reports/{report.id}/approve").status_code == 302
    db.commit()
    ledger = db.exec(select(HoursLedgerEntry)).all()
    assert sorted(e.minutes for e in ledger) == [3 * 60, 4 * 60 + 20]


def test_a_draft_started_during_the_walk_follows_the_log_until_saved(app, db, world):
    """A leader may open the report while the group is still out (the draft is created then);
    until they save it, the form keeps following the log: later check-ins and check-outs
    reach it. Once saved, their own times stay."""
    walk = group_walk(db, world, start=START)
    client = app.test_client()
    first = user(db, world.ids["vol_a"]).phone_e164
    second = user(db, world.ids["vol_a2"]).phone_e164
    db.commit()
    at(START)  # 21:00
    sms(client, first, "START")
    at(START + timedelta(minutes=30))  # 21:30: the leader opens the report during the walk
    login(client, world.emails["leader_a"])
    assert client.post(f"/reports/booking/{walk.booking_id}").status_code == 302
    report = db.exec(select(PatrolReport)).one()
    db.commit()
    at(START + timedelta(minutes=42))  # 21:42 -> 21:40
    sms(client, second, "IN")
    at(START + timedelta(hours=3, minutes=41))  # 00:41 -> 00:40
    sms(client, first, "SLUT")
    page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert _value(page, "walkers-0-start") == "21:00"
    assert _value(page, "walkers-0-end") == "00:40"
    assert _value(page, "walkers-1-start") == "21:40"
    assert "Checkade aldrig in" not in page

    # The leader saves their own times: the log no longer overwrites them.
    saved = client.post(
        f"/reports/{report.id}/edit",
        data={
            "young_people_met": "3",
            "summary": "",
            "walkers-0-user_id": str(world.ids["vol_a"]),
            "walkers-0-walked": "y",
            "walkers-0-start": "21:00",
            "walkers-0-end": "00:30",
            "walkers-1-user_id": str(world.ids["vol_a2"]),
            "walkers-1-walked": "y",
            "walkers-1-start": "21:40",
            "walkers-1-end": "01:00",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    at(START + timedelta(hours=4, minutes=20))
    sms(client, second, "SLUT")
    page = client.get(f"/reports/{report.id}/edit").get_data(as_text=True)
    assert _value(page, "walkers-0-end") == "00:30"
    assert _value(page, "walkers-1-end") == "01:00"
