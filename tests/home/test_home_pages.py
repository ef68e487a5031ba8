"""Each role's home lists what waits for them, in their own tenants only, linked to the page
that resolves it; every list says when all is done."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import PendingRole, Role
from nattvandring.booking.models import Assignment
from nattvandring.checkins import services as checkins
from nattvandring.checkins.models import CheckKind, CheckSource
from nattvandring.messaging.models import SmsMessage
from nattvandring.ops.models import WorkerHeartbeat
from nattvandring.reports.models import ReportStatus, UnsafePlaceStatus
from nattvandring.sponsorship.models import PayoutRun, Sponsor
from tests.factories import login, org_number, user
from tests.home.conftest import (
    NOW,
    booked,
    night,
    offer,
    pending_association,
    report,
    unsafe_place,
)
from tests.sponsorship.conftest import agreement, walk


@pytest.fixture(autouse=True)
def monday():
    clock.freeze(NOW)  # the plugin unfreezes after each test


def home(client, world, who: str) -> str:
    login(client, world.emails[who])
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def part(html: str, element_id: str) -> str:
    """The text of the list (a ``<section>`` without nested sections) with that id."""
    found = re.search(rf'id="{element_id}"(.*?)</section>', html, re.S)
    assert found, element_id
    return found.group(1)


# --- coordinator ---------------------------------------------------------------------------


def test_coordinator_sees_what_waits_in_their_municipality_only(client, db, world):
    ids = world.ids
    old = night(db, world, days=-3)
    submitted = report(db, old, booked(db, old, ids["assoc_a"], confirmed=(ids["vol_a"],)))
    bjuv_old = night(db, world, "bjuv", days=-3)
    bjuv_report = report(db, bjuv_old, booked(db, bjuv_old, ids["assoc_c"]))
    open_night = night(db, world, days=1)
    thin = night(db, world, days=2)
    booked(db, thin, ids["assoc_b"], confirmed=(ids["vol_b"],))
    full = night(db, world, days=3, min_walkers=2)
    booked(db, full, ids["assoc_a"], confirmed=(ids["vol_a"], ids["vol_a2"]))
    later = night(db, world, days=20)
    bjuv_night = night(db, world, "bjuv", days=1)
    pending_association(db, world, "hassleholm", "Nya Föreningen")
    pending_association(db, world, "bjuv", "Bjuvs Nya Förening")
    walked = night(db, world, days=-10)
    approved = report(db, walked, booked(db, walked, ids["assoc_a"]), status=ReportStatus.APPROVED)
    lamp = unsafe_place(db, approved, walked, "Trasig lampa", UnsafePlaceStatus.REPORTED)
    unsafe_place(db, approved, walked, "Mörk gång", UnsafePlaceStatus.FORWARDED)
    bjuv_walked = night(db, world, "bjuv", days=-10)
    bjuv_approved = report(
        db, bjuv_walked, booked(db, bjuv_walked, ids["assoc_c"]), status=ReportStatus.APPROVED
    )
    unsafe_place(db, bjuv_approved, bjuv_walked, "Bjuvs lampa", UnsafePlaceStatus.REPORTED)
    out = night(db, world, days=-1 / 24)
    out_booking = booked(db, out, ids["assoc_b"], confirmed=(ids["vol_b"],))
    bjuv_out = night(db, world, "bjuv", days=-1 / 24)
    bjuv_out_booking = booked(db, bjuv_out, ids["assoc_c"], confirmed=(ids["vol_c"],))
    db.commit()
    for booking in (out_booking, bjuv_out_booking):
        assignment = db.exec(select(Assignment).where(Assignment.booking_id == booking.id)).one()
        checkins.check(
            db,
            assignment,
            kind=CheckKind.IN,
            source=CheckSource.LEADER,
            at=NOW - timedelta(minutes=30),
        )
    db.commit()

    html = home(client, world, "coord_h")

    reports = part(html, "coord-reports")
    assert f'href="/reports/{submitted.id}"' in reports
    assert f"/reports/{bjuv_report.id}" not in html
    nights = part(html, "coord-nights")
    assert f'href="/planning/shifts/{open_night.id}/edit"' in nights
    assert "Ingen förening" in nights
    assert f'href="/planning/shifts/{thin.id}/edit"' in nights
    assert "Under minimum" in nights and "1 vandrare av minst 3" in nights
    for absent in (full, later, bjuv_night, out):
        assert f"/planning/shifts/{absent.id}/edit" not in html
    associations = part(html, "coord-associations")
    assert "Nya Föreningen" in associations
    assert "Bjuvs Nya Förening" not in html
    places = part(html, "coord-places")
    day = clock.to_local(walked.start_at).date().isoformat()
    assert f'href="/lagesbild?from={day}&amp;to={day}#place-{lamp.id}"' in places
    assert "Trasig lampa" in places
    assert "Mörk gång" not in html and "Bjuvs lampa" not in html
    out_now = part(html, "coord-out-now")
    assert "Scoutkåren" in out_now and 'href="/ute-nu"' in out_now
    assert "Bjuvs IF" not in html
    assert "Allt är gjort" not in part(html, "home-coordinator-title")
    assert 'id="home-admin"' not in html and 'id="home-sponsor"' not in html
    assert 'id="home-leader-' not in html

    # The lägesbild link lands on the place, with the button that follows it up.
    situation = client.get(f"/lagesbild?from={day}&to={day}").get_data(as_text=True)
    assert f'id="place-{lamp.id}"' in situation


def test_coordinator_with_nothing_to_do_reads_that_all_is_done(client, world):
    html = home(client, world, "coord_b")
    assert "Allt är gjort" in html
    assert "Alla inskickade rapporter är granskade." in part(html, "coord-reports")
    assert "Alla kvällar denna och nästa vecka har en förening" in part(html, "coord-nights")
    assert "Inga föreningar väntar på godkännande." in part(html, "coord-associations")
    assert "Alla rapporterade otrygga platser är uppföljda." in part(html, "coord-places")
    assert "Ingen grupp är ute just nu." in part(html, "coord-out-now")


def test_more_than_a_screenful_links_to_the_whole_list(client, db, world):
    for n in range(10):
        pending_association(db, world, "hassleholm", f"Förening {n:02d}")
    db.commit()
    associations = part(home(client, world, "coord_h"), "coord-associations")
    assert associations.count('href="/associations/') == 5
    assert 'href="/associations?status=pending"' in associations


# --- leader --------------------------------------------------------------------------------


def test_leader_sees_their_association_only(client, db, world):
    ids = world.ids
    soon = night(db, world, days=1)
    ours = booked(db, soon, ids["assoc_a"], confirmed=(ids["vol_a"],), waiting=(ids["vol_a2"],))
    theirs_night = night(db, world, days=0.5)
    theirs = booked(db, theirs_night, ids["assoc_b"], waiting=(ids["vol_b"],))
    past = night(db, world, days=-2)
    to_report = booked(db, past, ids["assoc_a"], confirmed=(ids["vol_a"],))
    bjuv_past = night(db, world, "bjuv", days=-2)
    bjuv_report = booked(db, bjuv_past, ids["assoc_c"])
    offered = night(db, world, days=4)
    offer(db, offered, ids["assoc_a"])
    offered_b = night(db, world, days=6)
    offer(db, offered_b, ids["assoc_b"])
    free = night(db, world, days=5)
    bjuv_free = night(db, world, "bjuv", days=5)
    db.commit()

    html = home(client, world, "leader_a")
    aid = ids["assoc_a"]

    next_walk = part(html, f"lead-{aid}-next")
    assert f'href="/booking/bookings/{ours.id}/roster"' in next_walk
    assert "Under minimum" in next_walk and "1 bekräftad av minst 3" in next_walk
    assert f'href="/booking/bookings/{ours.id}/roster"' in part(html, f"lead-{aid}-below")
    answers = part(html, f"lead-{aid}-answers")
    assert "1 har inte svarat" in answers
    assert f"/booking/bookings/{theirs.id}/" not in html
    reports = part(html, f"lead-{aid}-reports")
    assert f'action="/reports/booking/{to_report.id}"' in reports and "Skriv rapport" in reports
    assert 'name="csrf_token"' in reports
    assert f"/reports/booking/{bjuv_report.id}" not in html
    offers = part(html, f"lead-{aid}-offers")
    assert f'href="/booking/{aid}/shifts/{offered.id}"' in offers
    assert f"/shifts/{offered_b.id}" not in offers
    open_nights = part(html, f"lead-{aid}-open")
    assert f'href="/booking/{aid}/shifts/{free.id}"' in open_nights
    assert f"/shifts/{bjuv_free.id}" not in html
    assert f"/shifts/{soon.id}" not in open_nights  # already ours
    assert f"/shifts/{theirs_night.id}" not in open_nights  # taken (one group per night)
    assert "Scoutkåren" not in html and "Bjuvs IF" not in html
    assert 'id="home-coordinator"' not in html

    # The links open for this leader.
    assert client.get(f"/booking/bookings/{ours.id}/roster").status_code == 200
    assert client.get(f"/booking/{aid}/shifts/{offered.id}").status_code == 200


def test_leader_with_nothing_to_do_reads_that_all_is_done(client, world):
    html = home(client, world, "leader_c")
    aid = world.ids["assoc_c"]
    assert "Allt är gjort" in html
    assert "Inga bokade pass de närmaste två månaderna." in part(html, f"lead-{aid}-next")
    assert "Alla grupper har tillräckligt många" in part(html, f"lead-{aid}-below")
    assert "Alla i grupperna har svarat." in part(html, f"lead-{aid}-answers")
    assert "Alla rapporter är inskickade." in part(html, f"lead-{aid}-reports")
    assert "Inga erbjudanden från reservlistan" in part(html, f"lead-{aid}-offers")
    assert "Inga lediga kvällar de närmaste två veckorna." in part(html, f"lead-{aid}-open")


# --- sponsor liaison -----------------------------------------------------------------------


def test_liaison_sees_walks_since_the_last_run_budget_and_drafts(client, db, world):
    ids = world.ids
    deal = agreement(db, world, budget_ore=10_000_000)
    here = dict(
        association_id=ids["assoc_a"], municipality_id=ids["hassleholm"], area_id=ids["area_h"]
    )
    for evening in (date(2026, 2, 10), date(2026, 5, 10), date(2026, 6, 10)):
        walk(db, evening=evening, birth_years=[1980, 1980, 1980], **here)
    draft = PayoutRun(
        agreement_id=deal.id,
        sponsor_id=deal.sponsor_id,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        cutoff_at=NOW,
    )
    other_sponsor = Sponsor(name="Annat bolag", org_number=org_number())
    db.add_all([draft, other_sponsor])
    db.flush()
    from nattvandring.sponsorship.services_agreements import AgreementInput, create_agreement
    from tests.sponsorship.conftest import PER_WALK

    create_agreement(
        db,
        sponsor=other_sponsor,
        data=AgreementInput(
            name="Främmande avtal",
            valid_from=date(2026, 1, 1),
            valid_to=None,
            budget_ore=None,
            cap_per_association_year_ore=None,
            rule=PER_WALK,
            municipality_ids=(ids["hassleholm"],),
        ),
    )
    db.commit()

    html = home(client, world, "liaison")
    mine = part(html, f"agreement-{deal.id}")
    assert "2 godkända pass sedan senaste utbetalningen" in mine
    assert f'href="/sponsorship/agreements/{deal.id}#runs"' in mine
    assert f'href="/sponsorship/runs/{draft.id}"' in mine
    assert "Budget kvar: 100" in mine
    assert "Främmande avtal" not in html
    assert 'id="home-coordinator"' not in html and 'id="home-admin"' not in html


def test_liaison_with_everything_paid_reads_that_all_is_done(client, db, world):
    agreement(db, world)
    db.commit()
    html = home(client, world, "liaison")
    assert "Allt är gjort: alla godkända pass ingår i en utbetalning" in html
    assert "Budget kvar" not in html


# --- admin ---------------------------------------------------------------------------------


def test_admin_sees_a_silent_worker_failed_sms_and_open_invitations(client, db, world):
    invited = user(db, "Ny Samordnare", email="ny@example.org")
    db.add(
        PendingRole(
            user_id=invited.id,
            role=Role.COORDINATOR,
            municipality_id=world.ids["hassleholm"],
            invited_name="Ny Samordnare",
            invited_email="ny@example.org",
        )
    )
    db.add_all(
        [
            SmsMessage(kind="confirmation", dedupe_key="a", status="failed", created_at=NOW),
            SmsMessage(kind="confirmation", dedupe_key="b", status="undelivered", created_at=NOW),
            SmsMessage(
                kind="confirmation",
                dedupe_key="c",
                status="failed",
                created_at=NOW - timedelta(days=10),
            ),
            WorkerHeartbeat(
                worker_id="w:1",
                hostname="w",
                pid=1,
                started_at=NOW - timedelta(hours=1),
                beat_at=NOW - timedelta(minutes=10),
            ),
        ]
    )
    db.commit()

    html = home(client, world, "admin")
    worker = part(html, "admin-worker")
    assert "Tyst" in worker and 'href="/admin/workers"' in worker
    sms = part(html, "admin-sms")
    assert "SMS som inte kunde skickas: 1" in sms and 'href="/messages?status=failed"' in sms
    assert "SMS som inte levererades: 1" in sms
    invitations = part(html, "admin-invitations")
    assert "Ny Samordnare" in invitations
    assert f'href="/municipalities/{world.ids["hassleholm"]}"' in invitations
    assert "Allt är gjort" not in html


def test_admin_with_a_running_worker_and_nothing_failed_reads_that_all_is_done(client, db, world):
    db.add(
        WorkerHeartbeat(
            worker_id="w:1",
            hostname="w",
            pid=1,
            started_at=NOW,
            beat_at=NOW - timedelta(seconds=20),
        )
    )
    db.commit()
    html = home(client, world, "admin")
    assert "Igång" in part(html, "admin-worker")
    assert "Alla SMS de senaste sju dagarna har gått fram." in part(html, "admin-sms")
    assert "Alla inbjudningar är besvarade." in part(html, "admin-invitations")
    assert "Allt är gjort" in html


# --- in English ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "done"),
    [
        ("coord_b", "All done: no reports, nights, associations or places are waiting for you."),
        ("leader_c", "All done: every group is staffed, everyone has answered"),
        ("admin", "Every invitation has been answered."),
    ],
)
def test_the_home_in_english(client, world, who, done):
    login(client, world.emails[who])
    client.post("/lang", data={"lang": "en"})
    html = client.get("/").get_data(as_text=True)
    assert done in html
    assert "Allt är gjort" not in html


def test_a_walker_count_in_english(client, db, world):
    ids = world.ids
    thin = night(db, world, days=2)
    booked(db, thin, ids["assoc_b"], confirmed=(ids["vol_b"],))
    db.commit()
    login(client, world.emails["coord_h"])
    client.post("/lang", data={"lang": "en"})
    html = client.get("/").get_data(as_text=True)
    assert "1 walker of at least 3" in part(html, "coord-nights")
