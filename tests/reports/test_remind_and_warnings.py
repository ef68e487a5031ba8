"""Approval warnings on the report page, "Påminn" on overdue reports, and the report link
that the report-due SMS carries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.models import SmsMessage
from nattvandring.reports.models import PatrolReport
from nattvandring.reports.services_remind import REMIND_INTERVAL, can_remind
from tests.factories import login

from .conftest import at, file_report

OVERDUE = at(2026, 11, 20)  # walk_a ended 2026-10-25; due 7 days later


def _reminders(db) -> list[SmsMessage]:
    db.commit()  # end the read snapshot; see the app's commits
    db.expire_all()
    return list(db.exec(select(SmsMessage).where(SmsMessage.kind == "leader_report_overdue")).all())


def _emails(db) -> list[EmailMessage]:
    return list(db.exec(select(EmailMessage).where(EmailMessage.kind == "report_overdue")).all())


# --- warnings before approval ---------------------------------------------------------------


def test_the_coordinator_is_warned_before_approving(client, db, world, walk_a):
    db.get(User, world.ids["vol_a2"]).birth_year = 2010  # 16 in 2026
    report = file_report(
        db,
        walk_a,
        [(world.ids["vol_a"], "22:00", "03:00"), (world.ids["vol_a2"], "22:00", "23:30")],
    )
    db.commit()
    login(client, world.emails["coord_h"])
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Kontrollera innan du godkänner" in html
    assert "Bara 2 vandrare i rapporten; kvällen kräver minst 3." in html
    assert "Vol A2 fyller 16 år i år; åldersgränsen är 18 år." in html
    assert "Vol A2 gick 22:00–23:30, mer än 60 minuter från de planerade tiderna." in html
    # Warnings inform; approving stays possible.
    assert client.post(f"/reports/{report.id}/approve").status_code == 302


def test_a_report_by_the_rules_says_so(client, db, world, walk_a):
    report = file_report(
        db,
        walk_a,
        [
            (world.ids["vol_a"], "22:00", "03:00"),
            (world.ids["vol_a2"], "22:00", "03:00"),
            (world.ids["leader_a"], "22:45", "03:00"),
        ],
    )
    db.get(User, world.ids["leader_a"]).birth_year = 1975
    db.commit()
    login(client, world.emails["coord_h"])
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Kontrollera innan du godkänner" not in html
    assert "Rapporten följer kvällens regler" in html


def test_the_leader_sees_no_review_warnings(client, db, world, walk_a):
    report = file_report(db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")])
    db.commit()
    login(client, world.emails["leader_a"])
    html = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "Kontrollera innan du godkänner" not in html and "Bara 1 vandrare" not in html


# --- "Påminn" ---------------------------------------------------------------------------------


def test_remind_sends_sms_and_email_once_a_day(client, db, world, walk_a):
    db.get(User, world.ids["leader_a"]).email = "leader_a@example.org"
    db.commit()
    clock.freeze(OVERDUE)
    login(client, world.emails["coord_h"])
    index = client.get("/reports").get_data(as_text=True)
    remind_url = f"/reports/booking/{walk_a.booking.id}/remind"
    assert f'action="{remind_url}"' in index and "Påminn" in index

    response = client.post(remind_url)
    assert response.status_code == 302
    [sms] = _reminders(db)
    assert sms.user_id == world.ids["leader_a"]
    assert "påminnelse från samordnaren" in sms.body
    assert sms.body.endswith(f"/reports/booking/{walk_a.booking.id}")
    [email] = _emails(db)
    assert email.to_address == "leader_a@example.org"
    assert f"/reports/booking/{walk_a.booking.id}" in email.body_text
    index = client.get("/reports").get_data(as_text=True)
    assert f'action="{remind_url}"' not in index and "Påmind" in index

    # Again within 24 hours: refused, nothing queued.
    clock.freeze(OVERDUE + REMIND_INTERVAL - timedelta(minutes=1))
    again = client.post(remind_url)
    assert again.status_code == 409
    assert "mindre än ett dygn sedan" in again.get_data(as_text=True)
    assert len(_reminders(db)) == 1 and len(_emails(db)) == 1

    # A day later: allowed again.
    clock.freeze(OVERDUE + REMIND_INTERVAL)
    assert client.post(remind_url).status_code == 302
    assert len(_reminders(db)) == 2 and len(_emails(db)) == 2


def test_remind_only_for_overdue_reports(client, db, world, walk_a):
    login(client, world.emails["coord_h"])
    clock.freeze(at(2026, 10, 27))  # ended, but still within the 7 days
    response = client.post(f"/reports/booking/{walk_a.booking.id}/remind")
    assert response.status_code == 409
    assert "inte försenad" in response.get_data(as_text=True)
    clock.freeze(OVERDUE)
    file_report(db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")])  # submitted late
    db.commit()
    assert client.post(f"/reports/booking/{walk_a.booking.id}/remind").status_code == 409
    assert _reminders(db) == []


@pytest.mark.parametrize(
    ("who", "expected"),
    [("coord_b", 404), ("leader_b", 404), ("leader_a", 403), ("liaison", 404), ("vol_a", 404)],
)
def test_remind_is_for_the_municipalitys_coordinator(client, db, world, walk_a, who, expected):
    clock.freeze(OVERDUE)
    if who == "vol_a":
        # A volunteer has no password; sign-in is not possible, so the login page answers.
        assert client.post(f"/reports/booking/{walk_a.booking.id}/remind").status_code == 302
        return
    login(client, world.emails[who])
    assert client.post(f"/reports/booking/{walk_a.booking.id}/remind").status_code == expected
    assert client.post("/reports/booking/999999/remind").status_code == 404
    assert _reminders(db) == []


def test_can_remind_rule():
    now = OVERDUE
    assert can_remind(None, now)
    assert not can_remind(now - REMIND_INTERVAL + timedelta(seconds=1), now)
    assert can_remind(now - REMIND_INTERVAL, now)


# --- the report link in the SMS ------------------------------------------------------------


def test_report_link_takes_the_leader_to_the_report(client, db, world, walk_a):
    url = f"/reports/booking/{walk_a.booking.id}"
    login(client, world.emails["leader_a"])
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="{url}"' in html and "Skriv rapport" in html
    assert db.exec(select(PatrolReport)).first() is None  # a GET writes nothing
    assert client.post(url).status_code == 302
    db.commit()  # end the read snapshot; see the app's commits
    db.expire_all()
    report = db.exec(select(PatrolReport)).one()
    db.commit()
    assert client.get(url).headers["Location"].endswith(f"/reports/{report.id}/edit")
    file_report(db, walk_a, [(world.ids["vol_a"], "22:00", "03:00")])
    db.commit()
    assert client.get(url).headers["Location"].endswith(f"/reports/{report.id}")


def test_report_link_for_others(client, db, world, walk_a):
    url = f"/reports/booking/{walk_a.booking.id}"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    login(client, world.emails["coord_h"])
    assert client.get(url).headers["Location"].endswith("/reports#missing")
    client.post("/logout")
    for who in ("coord_b", "leader_b", "liaison"):
        login(client, world.emails[who])
        assert client.get(url).status_code == 404, who
        client.post("/logout")
    login(client, world.emails["leader_a"])
    assert client.get("/reports/booking/999999").status_code == 404
