"""A two-hour provider outage, through the real Twilio SDK against the fake Twilio.

The fake answers 500 to every create and list while it is down; the test clock moves a
minute at a time and the dispatch job runs at every step, as the worker would. Afterwards:
every message still useful was sent exactly once after recovery, nothing was sent inside
quiet hours, nothing after its walk started (or after it stopped being useful), and what
could not go out in time is ``expired`` with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.clock import local_to_utc, to_local
from nattvandring.db import get_engine
from nattvandring.messaging.dispatch import dispatch_due
from nattvandring.messaging.health import failing_since
from nattvandring.messaging.models import SmsMessage
from nattvandring.messaging.services_timing import QuietHours
from tests.messaging.conftest import Walk, assign, make_walk
from tests.support.database import make_test_app
from tests.support.fake_twilio import Fault

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-auth-token"
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
SUNDAY = date(2026, 11, 22)
QUIET = QuietHours(time(22, 30), time(8, 0))
STEP = timedelta(minutes=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute))


@pytest.fixture
def app(tmp_path, fake_twilio):  # type: ignore[no-untyped-def]
    app = make_test_app(
        tmp_path,
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM="+46766861004",
        TWILIO_TIMEOUT_SECONDS=2,
        TWILIO_API_BASE_URL=fake_twilio.base_url,
        SMS_QUIET_HOURS_START="22:30",
        SMS_QUIET_HOURS_END="08:00",
        SMS_RETRY_BASE_SECONDS=30,
        SMS_RETRY_CAP_SECONDS=600,
        PUBLIC_BASE_URL="https://nattvandring.example.se",
    )
    fake_twilio.account_sid, fake_twilio.auth_token = SID, TOKEN
    fake_twilio.now = clock.utcnow  # Twilio's DateSent follows the test clock
    yield app
    get_engine(app).dispose()
    clock.freeze(None)


def run(app, until: datetime, events: dict[datetime, Callable[[], None]]) -> None:  # type: ignore[no-untyped-def]
    """Move the clock a minute at a time up to ``until``, dispatching at every step and
    running each event at its instant (before that step's dispatch)."""
    moment = clock.utcnow()
    while moment <= until:
        clock.freeze(moment)
        for when in sorted(list(events)):
            if when <= moment:
                events.pop(when)()
        dispatch_due(app)
        moment += STEP


def book(db, world, start: datetime, volunteer: str, hours: int = 4) -> Walk:  # type: ignore[no-untyped-def]
    walk = make_walk(db, world, start=start, hours=hours)
    assign(db, walk, world.ids[volunteer])
    db.commit()
    return walk


def all_rows(db) -> list[SmsMessage]:  # type: ignore[no-untyped-def]
    db.commit()
    db.expire_all()
    return list(db.exec(select(SmsMessage).order_by(SmsMessage.id)).all())


def of(found: list[SmsMessage], walk: Walk, kind: str) -> list[SmsMessage]:
    return [row for row in found if row.shift_id == walk.shift_id and row.kind == kind]


def assert_invariants(found: list[SmsMessage], fake) -> dict[str, datetime]:  # type: ignore[no-untyped-def]
    """Exactly once, never in quiet hours, never after usefulness; returns sid -> sent at."""
    texts = Counter((m["to"], m["body"]) for m in fake.messages)
    assert set(texts.values()) == {1}, "a message went out twice"
    sent_at = {m["sid"]: m["_sent"] for m in fake.messages}
    by_sid = {row.twilio_sid: row for row in found if row.twilio_sid}
    assert set(by_sid) == set(sent_at), "Twilio and the outbox disagree on what was sent"
    for sid, row in by_sid.items():
        assert row.status == "sent"
        assert sent_at[sid] < row.not_after, f"{row.kind} {row.id} sent after it was useful"
        if not row.ignores_quiet_hours:
            assert QUIET.window(sent_at[sid]) is None, f"{row.kind} {row.id} sent in quiet hours"
    for row in found:
        assert row.status in ("sent", "pending", "expired"), (row.kind, row.status)
        if row.status == "expired":
            assert row.twilio_sid is None and row.error_message
    return sent_at


def test_afternoon_outage_sends_what_is_still_useful_once_after_recovery(
    app, world, db, fake_twilio
):
    down, up = at(FRIDAY, 17), at(FRIDAY, 19)
    clock.freeze(at(FRIDAY, 12))
    tonight = book(db, world, at(FRIDAY, 21), "vol_a")  # 3 h reminder due 18:00
    tomorrow = book(db, world, at(SATURDAY, 18), "vol_a2")  # 24 h reminder due 18:00
    late: list[Walk] = []
    seen: dict[str, object] = {}

    def outage() -> None:
        fake_twilio.go_down(Fault.server_error(), Fault.server_error(on="list"))

    def took_it_anyway() -> None:  # the next create reaches Twilio although it answers 500
        fake_twilio.inject(Fault.server_error(record=True))

    def late_booking() -> None:  # booked during the outage for a walk that starts in it
        late.append(book(db, world, at(FRIDAY, 18, 30), "vol_b"))

    def banner(key: str) -> Callable[[], None]:
        def check() -> None:
            db.commit()
            seen[key] = failing_since(db)

        return check

    run(
        app,
        at(FRIDAY, 23, 59),
        {
            down: outage,
            at(FRIDAY, 17, 5): late_booking,  # its confirmation is the first send that fails
            at(FRIDAY, 17, 15): banner("after 10 min"),
            at(FRIDAY, 17, 30): banner("after 25 min"),
            at(FRIDAY, 17, 50): took_it_anyway,
            up: fake_twilio.come_back,
            at(FRIDAY, 19, 30): banner("recovered"),
        },
    )
    found = all_rows(db)
    sent_at = assert_invariants(found, fake_twilio)
    during = [s for s in sent_at.values() if down <= s < up]
    assert len(during) == 1  # only the one Twilio took while answering 500

    [reminder] = of(found, tonight, "reminder")
    assert reminder.status == "sent"  # found at Twilio after recovery, not sent again
    assert sent_at[reminder.twilio_sid] == at(FRIDAY, 18)
    assert reminder.body.startswith("Snart dags: nattvandring i kväll kl 21:00")

    first, second = of(found, tomorrow, "reminder")
    assert first.status == "sent" and up <= sent_at[first.twilio_sid] < up + timedelta(minutes=15)
    assert first.body.startswith("Påminnelse: nattvandring i morgon lör 21 nov kl 18:00")
    assert second.status == "pending"  # Saturday 15:00, after this test's end

    [confirmation] = of(found, late[0], "confirmation")
    assert confirmation.status == "expired"  # the walk started before Twilio came back
    assert confirmation.error_message.startswith(
        "no longer useful (24 hours passed or the walk started); last error: "
    )
    assert seen["after 10 min"] is None
    assert seen["after 25 min"] == at(FRIDAY, 17, 5)
    assert seen["recovered"] is None


def test_evening_outage_into_quiet_hours_waits_for_the_morning_or_expires(
    app, world, db, fake_twilio
):
    down, up = at(FRIDAY, 21), at(FRIDAY, 23)
    clock.freeze(at(FRIDAY, 20))
    after_midnight = book(db, world, at(SATURDAY, 0, 30), "vol_b")  # 3 h reminder 21:30
    saturday = book(db, world, at(SATURDAY, 21, 30), "vol_a2")  # 24 h reminder 21:30
    sunday: list[Walk] = []

    def late_booking() -> None:  # confirmation queued in the outage, useful for a day
        sunday.append(book(db, world, at(SUNDAY, 19), "vol_a"))

    run(
        app,
        at(SATURDAY, 9),
        {
            down: lambda: fake_twilio.go_down(Fault.server_error(), Fault.server_error(on="list")),
            at(FRIDAY, 21, 30): late_booking,
            up: fake_twilio.come_back,
        },
    )
    found = all_rows(db)
    sent_at = assert_invariants(found, fake_twilio)
    assert not [s for s in sent_at.values() if down <= s < at(SATURDAY, 8)]

    [reminder] = of(found, after_midnight, "reminder")
    assert reminder.status == "expired"  # the quiet hours last past the walk's start
    assert reminder.error_message.startswith(
        "no longer useful (the walk started or its day passed); last error: "
    )
    first, second = of(found, saturday, "reminder")
    assert first.status == "expired"  # "i morgon" was no longer true after midnight
    assert second.status == "pending"  # 18:30 on Saturday covers the day

    [confirmation] = of(found, sunday[0], "confirmation")
    assert confirmation.status == "sent"
    assert at(SATURDAY, 8) <= sent_at[confirmation.twilio_sid] < at(SATURDAY, 8, 15)
    assert to_local(sent_at[confirmation.twilio_sid]).date() == SATURDAY
