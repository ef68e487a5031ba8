"""Safety nudges: due at their moment, once each, never twice with two workers, and off per
municipality when a coordinator says so."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from nattvandring.checkins.models import CheckinNudge, CheckinSettings
from nattvandring.checkins.tasks import scan_nudges
from nattvandring.messaging.models import SmsMessage
from tests.checkins.conftest import at, group_walk, sms
from tests.messaging.conftest import user

START = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 21:00-01:00 in Stockholm
END = START + timedelta(hours=4)


def nudges(db, kind=None):
    db.commit()
    db.expire_all()
    query = select(SmsMessage).where(
        SmsMessage.kind.in_(["leader_not_started", "leader_still_out"])
    )
    if kind:
        query = query.where(SmsMessage.kind == kind)
    return list(db.exec(query.order_by(SmsMessage.id)).all())


def test_nobody_checked_in_twenty_minutes_after_the_start(app, db, world):
    walk = group_walk(db, world, start=START)
    at(START + timedelta(minutes=19, seconds=59))
    assert scan_nudges(app) == 0
    at(START + timedelta(minutes=20))
    assert scan_nudges(app) == 1
    [row] = nudges(db)
    assert row.user_id == world.ids["leader_a"] and row.shift_id == walk.shift_id
    assert "Har ni kommit i väg?" in row.body
    assert f"/booking/bookings/{walk.booking_id}/roster" in row.body
    assert row.due_at == START + timedelta(minutes=20)
    assert row.not_after == END  # of no use once the walk is over
    assert row.ignores_quiet_hours is False  # 21:20: outside quiet hours
    at(START + timedelta(minutes=40))
    assert scan_nudges(app) == 0
    assert len(nudges(db)) == 1


def test_a_group_that_checked_in_gets_no_nudge(app, client, db, world):
    group_walk(db, world, start=START)
    at(START + timedelta(minutes=5))
    sms(client, user(db, world.ids["vol_a"]).phone_e164, "START")
    at(START + timedelta(minutes=25))
    sms(client, user(db, world.ids["vol_a"]).phone_e164, "SLUT")  # home early
    at(START + timedelta(minutes=30))
    assert scan_nudges(app) == 0
    at(END + timedelta(hours=2))
    assert scan_nudges(app) == 0  # nobody is still out
    assert nudges(db) == []


def test_still_checked_in_two_hours_after_the_end(app, client, db, world):
    group_walk(db, world, start=START)
    at(START)
    sms(client, user(db, world.ids["vol_a"]).phone_e164, "IN")
    at(END + timedelta(hours=1, minutes=59))
    assert scan_nudges(app) == 0
    at(END + timedelta(hours=2, minutes=1))
    assert scan_nudges(app) == 1
    [row] = nudges(db, "leader_still_out")
    assert "fortfarande incheckade" in row.body and "Är allt bra?" in row.body
    assert row.not_after == END + timedelta(hours=3)
    # Quiet hours (22:30-08:00) would hold a reminder until morning; the nudge goes now,
    # since it is of no use later: the leader is out walking.
    assert row.due_at == END + timedelta(hours=2, minutes=1)
    assert row.ignores_quiet_hours is True  # so may its retries, until not_after
    at(END + timedelta(hours=2, minutes=30))
    assert scan_nudges(app) == 0
    assert len(nudges(db)) == 1


def test_a_coordinator_turns_a_nudge_off_for_their_municipality(app, db, world):
    group_walk(db, world, start=START)
    db.add(
        CheckinSettings(
            municipality_id=world.ids["hassleholm"], nudge_not_started=False, nudge_still_out=True
        )
    )
    db.commit()
    at(START + timedelta(minutes=21))
    assert scan_nudges(app) == 0
    assert nudges(db) == []


def two_workers_at_once(app) -> list[int]:
    """Run the nudge scan in two threads released together; each has its own transaction."""
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(scan_nudges(app))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_workers_at_once_fire_each_nudge_once(app, db, world):
    walks = [group_walk(db, world, start=START + timedelta(minutes=m)) for m in range(0, 50, 10)]
    at(START + timedelta(hours=1, minutes=10))  # every walk is 20+ minutes in
    assert sum(two_workers_at_once(app)) == len(walks)
    assert sum(two_workers_at_once(app)) == 0
    rows = nudges(db)
    assert sorted(row.shift_id for row in rows) == sorted(w.shift_id for w in walks)
    assert len({row.dedupe_key for row in rows}) == len(walks)
    assert len(db.exec(select(CheckinNudge)).all()) == len(walks)


def test_a_nudge_not_yet_sent_is_withdrawn_once_its_reason_is_gone(app, client, db, world):
    """A nudge held up (a provider outage, a busy worker) is no longer useful once the group
    has checked in, or once the last walker has checked out: it is not sent late."""
    group_walk(db, world, start=START)
    first = user(db, world.ids["vol_a"]).phone_e164
    second = user(db, world.ids["vol_a2"]).phone_e164
    db.commit()
    at(START + timedelta(minutes=20))
    assert scan_nudges(app) == 1  # queued, not yet sent
    at(START + timedelta(minutes=25))
    sms(client, first, "START")
    sms(client, second, "START")
    [row] = nudges(db, "leader_not_started")
    assert row.status == "cancelled" and "checked in" in row.error_message

    at(END + timedelta(hours=2))
    sms(client, first, "SLUT")
    assert scan_nudges(app) == 1  # the second walker is still checked in
    [still_out] = nudges(db, "leader_still_out")
    assert still_out.status == "pending"
    at(END + timedelta(hours=2, minutes=5))
    sms(client, second, "SLUT")  # the last one out
    [still_out] = nudges(db, "leader_still_out")
    assert still_out.status == "cancelled" and "checked out" in still_out.error_message


def test_a_check_out_with_walkers_still_in_keeps_the_nudge(app, client, db, world):
    group_walk(db, world, start=START)
    first = user(db, world.ids["vol_a"]).phone_e164
    second = user(db, world.ids["vol_a2"]).phone_e164
    db.commit()
    at(START)
    sms(client, first, "START")
    sms(client, second, "START")
    at(END + timedelta(hours=2))
    assert scan_nudges(app) == 1
    sms(client, first, "SLUT")
    [still_out] = nudges(db, "leader_still_out")
    assert still_out.status == "pending"
