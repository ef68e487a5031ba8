"""START/SLUT (IN/UT) through the signed Twilio webhook: the log, the windows, the replies."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from nattvandring.booking.models import Booking
from nattvandring.clock import to_local
from nattvandring.db import get_engine, session_scope
from nattvandring.reports.models import ReportWalker
from nattvandring.reports.services_report import start_report
from tests.checkins.conftest import at, events, group_walk, sms
from tests.messaging.conftest import user

START = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # Friday 21:00-01:00 in Stockholm
# Saturday 24 October 2026, 22:00 CEST (20:00 UTC) to 03:00 CET (02:00 UTC): six real hours.
DST_START = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)


def phone(db, world, key):
    return user(db, world.ids[key]).phone_e164


@pytest.mark.parametrize(
    ("word_in", "word_out"), [("START", "SLUT"), (" in ", "Ut!"), ("Start", "slüt")]
)
def test_check_in_and_out_by_sms(app, client, db, world, word_in, word_out):
    walk = group_walk(db, world, start=START)
    number = phone(db, world, "vol_a")
    at(START - timedelta(minutes=5))
    reply = sms(client, number, word_in)
    assert "Välkommen ut Vol! Du är incheckad kl 20:55 på nattvandringen i Centrum." in reply
    at(START + timedelta(hours=4, minutes=2))
    reply = sms(client, number, word_out)
    assert "Tack för i kväll Vol! Du checkade ut kl 01:02" in reply
    logged = events(db)
    assert [(e.kind, e.source, e.at, e.user_id, e.booking_id) for e in logged] == [
        ("in", "sms", START - timedelta(minutes=5), world.ids["vol_a"], walk.booking_id),
        ("out", "sms", START + timedelta(hours=4, minutes=2), world.ids["vol_a"], walk.booking_id),
    ]


def test_twice_in_is_answered_without_a_second_row(app, client, db, world):
    group_walk(db, world, start=START)
    number = phone(db, world, "vol_a")
    at(START)
    sms(client, number, "START")
    at(START + timedelta(minutes=10))
    assert "Du är redan incheckad sedan kl 21:00" in sms(client, number, "in")
    at(START + timedelta(minutes=20))
    sms(client, number, "SLUT")
    assert "Du checkade redan ut kl 21:20" in sms(client, number, "ut")
    # Out and in again (a break): a new pair in the log.
    assert "Välkommen ut" in sms(client, number, "START")
    assert [e.kind for e in events(db)] == ["in", "out", "in"]


def test_two_walkers_at_the_same_instant(app, client, db, world):
    walk = group_walk(db, world, start=START)
    at(START)
    for key in ("vol_a", "vol_a2"):
        assert "Du är incheckad kl 21:00" in sms(client, phone(db, world, key), "START")
    logged = events(db)
    assert {e.user_id for e in logged} == {world.ids["vol_a"], world.ids["vol_a2"]}
    assert {e.at for e in logged} == {START} and {e.booking_id for e in logged} == {walk.booking_id}


def test_two_walkers_by_sms_in_the_same_instant_at_once(app, db, world):
    """Two walkers' START arrive together (two requests, two transactions, one clock
    instant): both are checked in, each with their own row."""
    walk = group_walk(db, world, start=START)
    numbers = [phone(db, world, key) for key in ("vol_a", "vol_a2")]
    db.commit()
    at(START)
    barrier = threading.Barrier(2)
    replies: list[str] = []

    def send(number: str) -> None:
        client = app.test_client()
        barrier.wait()
        replies.append(sms(client, number, "START"))

    threads = [threading.Thread(target=send, args=(number,)) for number in numbers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(replies) == 2 and all("Du är incheckad kl 21:00" in r for r in replies), replies
    logged = events(db)
    assert sorted((e.user_id, e.kind, e.seq, e.at) for e in logged) == sorted(
        (world.ids[key], "in", 1, START) for key in ("vol_a", "vol_a2")
    )
    assert {e.booking_id for e in logged} == {walk.booking_id}


def test_the_same_walker_by_sms_twice_at_once_is_one_check_in(app, db, world):
    group_walk(db, world, start=START)
    number = phone(db, world, "vol_a")
    at(START)
    barrier = threading.Barrier(3)
    replies: list[str] = []

    def send(body: str) -> None:
        client = app.test_client()
        barrier.wait()
        replies.append(sms(client, number, body))

    threads = [threading.Thread(target=send, args=(body,)) for body in ("START", "IN", "in")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(replies) == 3
    assert sum("Välkommen ut" in r for r in replies) == 1, replies
    assert sum("redan incheckad" in r for r in replies) == 2, replies
    assert [e.kind for e in events(db)] == ["in"]


def test_a_dst_night_counts_real_hours(app, client, db, world):
    walk = group_walk(db, world, start=DST_START, hours=6)
    number, other = phone(db, world, "vol_a"), phone(db, world, "vol_a2")
    at(DST_START - timedelta(minutes=30))  # 21:30 CEST
    assert "incheckad kl 21:30" in sms(client, number, "START")
    at(DST_START)  # 22:00 CEST
    assert "incheckad kl 22:00" in sms(client, other, "START")
    at(DST_START + timedelta(hours=6))  # 03:00 CET, after the clocks went back
    assert "checkade ut kl 03:00" in sms(client, number, "SLUT")
    logged = events(db)
    assert logged[2].at - logged[0].at == timedelta(hours=6, minutes=30)
    assert (to_local(logged[0].at).hour, to_local(logged[2].at).hour) == (21, 3)
    # Check-out stays open six real hours after the end: 08:00 UTC is 09:00 CET.
    at(DST_START + timedelta(hours=12))
    assert "checkade ut kl 09:00" in sms(client, other, "SLUT")
    at(DST_START + timedelta(hours=13))
    with app.app_context(), session_scope(get_engine(app)) as session:
        booking = session.get(Booking, walk.booking_id)
        report = start_report(session, booking, actor_id=None)
        minutes = {
            w.user_id: w.minutes
            for w in session.exec(select(ReportWalker).where(ReportWalker.report_id == report.id))
        }
    # 21:30 CEST to 03:00 CET is six and a half real hours; the late check-out is kept within
    # the three hours after the 03:00 end that the report form accepts (22:00 CEST-06:00 CET).
    assert minutes == {world.ids["vol_a"]: 6 * 60 + 30, world.ids["vol_a2"]: 9 * 60}


def test_check_out_closes_six_real_hours_after_a_dst_night(app, client, db, world):
    group_walk(db, world, start=DST_START, hours=6, walkers=("vol_a",))
    number = phone(db, world, "vol_a")
    at(DST_START)
    sms(client, number, "START")
    at(DST_START + timedelta(hours=12, seconds=1))  # 09:00:01 CET
    assert "stängde kl 09:00" in sms(client, number, "SLUT")


def test_out_of_window_replies(app, client, db, world):
    group_walk(db, world, start=START, walkers=("vol_a",))
    number = phone(db, world, "vol_a")
    at(START - timedelta(hours=1, seconds=1))
    assert "för tidigt att checka in" in sms(client, number, "START")
    assert "öppnar kl 20:00" in sms(client, number, "START")
    assert "Du är inte incheckad" in sms(client, number, "SLUT")
    at(START + timedelta(hours=4, seconds=1))
    assert "slutade kl 01:00, så det går inte längre att checka in" in sms(client, number, "IN")
    at(START + timedelta(hours=3))
    sms(client, number, "START")
    at(START + timedelta(hours=10, seconds=1))
    assert "Utcheckningen från nattvandringen" in sms(client, number, "SLUT")
    assert "stängde kl 07:00" in sms(client, number, "UT")
    at(START + timedelta(days=3))
    assert "ingen nattvandring att checka in på" in sms(client, number, "START")
    assert [e.kind for e in events(db)] == ["in"]


def test_the_reply_is_in_the_walkers_language(app, client, db, world):
    group_walk(db, world, start=START, walkers=("vol_a",))
    person = user(db, world.ids["vol_a"])
    person.language = "en"
    db.add(person)
    db.commit()
    at(START)
    assert "Welcome out, Vol! You checked in at 21:00" in sms(client, person.phone_e164, "start")


def test_declined_walkers_and_other_groups_cannot_check_in(app, client, db, world):
    group_walk(db, world, start=START, walkers=("vol_a",))
    at(START)
    assert "ingen nattvandring" in sms(client, phone(db, world, "vol_b"), "START")
    assert "Vi förstod inte" in sms(client, phone(db, world, "vol_a"), "Ut och gå")
    assert events(db) == []


def test_start_still_turns_sms_on_again(app, client, db, world):
    group_walk(db, world, start=START, walkers=("vol_a",))
    number = phone(db, world, "vol_a")
    at(START - timedelta(days=1))
    sms(client, number, "STOPP")
    assert "Du får SMS från Nattvandring igen" in sms(client, number, "START")
    db.commit()
    db.expire_all()
    assert user(db, world.ids["vol_a"]).sms_opt_out is False
    sms(client, number, "STOPP")
    at(START)  # on the evening START does both
    assert "Välkommen ut" in sms(client, number, "START")
    db.commit()
    db.expire_all()
    assert user(db, world.ids["vol_a"]).sms_opt_out is False
