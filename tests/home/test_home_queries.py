"""Every home page runs as many SQL statements with 60 of everything as with 5.

The world of tests/test_query_discipline.py (shifts, bookings, walkers, approved walks) is
grown together with what the homes list: reports waiting, pending associations, unsafe
places, groups out now, reserve offers, draft runs, failed SMS and open invitations.
"""

from __future__ import annotations

from datetime import date, timedelta

from nattvandring import clock
from nattvandring.accounts.models import PendingRole, Role
from nattvandring.checkins.models import CheckEvent
from nattvandring.messaging.models import SmsMessage
from nattvandring.ops.models import WorkerHeartbeat
from nattvandring.reports.models import ReportStatus, UnsafePlaceStatus
from nattvandring.sponsorship.models import PayoutRun
from tests.factories import login, user
from tests.home.conftest import (
    NOW,
    booked,
    night,
    offer,
    pending_association,
    report,
    unsafe_place,
)
from tests.sponsorship.conftest import agreement
from tests.support.queries import count_queries
from tests.test_query_discipline import grow

HOMES = ("coord_h", "leader_a", "liaison", "admin")


def grow_homes(db, world, deal, first: int, last: int) -> None:
    ids = world.ids
    grow(db, world, first, last)
    for i in range(first, last):
        past = night(db, world, days=-(i + 1))
        report(db, past, booked(db, past, ids["assoc_b"]))  # waits for approval
        walked = night(db, world, days=-(i + 1) - 0.5)
        approved = report(db, walked, booked(db, walked, ids["assoc_a"]), ReportStatus.APPROVED)
        unsafe_place(db, approved, walked, f"Plats {i}", UnsafePlaceStatus.REPORTED)
        unreported = night(db, world, days=-(i + 1) - 0.25)
        booked(db, unreported, ids["assoc_a"], confirmed=(ids["vol_a"],))  # report to write
        pending_association(db, world, "hassleholm", f"Ny förening {i}")
        out = night(db, world, days=-(3600 - 7 * i - 3) / 86400)  # odd seconds: no clash
        out_booking = booked(db, out, ids["assoc_b"], confirmed=(ids["vol_b"],))
        db.add(
            CheckEvent(
                shift_id=out.id,
                booking_id=out_booking.id,
                user_id=ids["vol_b"],
                seq=1,
                kind="in",
                source="leader",
                at=NOW - timedelta(minutes=20),
            )
        )
        offer(db, night(db, world, days=3 + i / 10), ids["assoc_a"])
        db.add(
            PayoutRun(
                agreement_id=deal.id,
                sponsor_id=deal.sponsor_id,
                period_start=date(2026, 1, 1),
                period_end=date(2026, 1, 31),
                cutoff_at=NOW,
            )
        )
        db.add(SmsMessage(kind="confirmation", dedupe_key=f"f{i}", status="failed", created_at=NOW))
        invited = user(db, f"Inbjuden {i}", email=f"inbjuden{i}@example.org")
        db.add(
            PendingRole(
                user_id=invited.id,
                role=Role.COORDINATOR,
                municipality_id=ids["hassleholm"],
                invited_name=f"Inbjuden {i}",
                invited_email=f"inbjuden{i}@example.org",
            )
        )
    db.commit()


def measure(app, clients) -> tuple[dict[str, int], dict[str, str]]:
    counts, bodies = {}, {}
    for who, client in clients.items():
        assert client.get("/").status_code == 200, who  # warm-up
        with count_queries(app) as counter:
            response = client.get("/")
        assert response.status_code == 200, who
        counts[who] = counter.count
        bodies[who] = response.get_data(as_text=True)
    return counts, bodies


def test_each_home_runs_constant_queries_at_5_and_60(app, db, world):
    clock.freeze(NOW)
    deal = agreement(db, world, valid_from=date(2026, 1, 1), budget_ore=100_000_000)
    db.add(WorkerHeartbeat(worker_id="w:1", hostname="w", pid=1, started_at=NOW, beat_at=NOW))
    grow_homes(db, world, deal, 0, 5)
    clients = {}
    for who in HOMES:
        clients[who] = app.test_client()
        login(clients[who], world.emails[who])

    small, small_bodies = measure(app, clients)
    grow_homes(db, world, deal, 5, 60)
    large, large_bodies = measure(app, clients)

    assert large == small
    assert max(large.values()) <= 25, large
    # The larger data really was on the pages.
    assert 'Ute nu <span class="count">(5)</span>' in small_bodies["coord_h"]
    assert 'Ute nu <span class="count">(60)</span>' in large_bodies["coord_h"]
    assert "(5+)" in large_bodies["coord_h"] and "(5)" in small_bodies["coord_h"]
    assert 'Rapporter att skriva <span class="count">(5+)</span>' in large_bodies["leader_a"]
    assert 'Väntar på svar <span class="count">(5+)</span>' in large_bodies["leader_a"]
    assert large_bodies["liaison"].count("/sponsorship/runs/") == 5
    assert "Visa alla" in large_bodies["liaison"] and "Visa alla" not in small_bodies["liaison"]
    assert "SMS som inte kunde skickas: 60" in large_bodies["admin"]
