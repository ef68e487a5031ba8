"""Retries and backlogs respect quiet hours (the two cases the issue found), and the pure
rules behind them: backoff, next send time, usefulness per kind."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.clock import local_to_utc
from nattvandring.db import get_engine
from nattvandring.messaging.dispatch import dispatch_due
from nattvandring.messaging.models import SmsKind, SmsMessage
from nattvandring.messaging.services_timing import (
    Backoff,
    QuietHours,
    Walk,
    next_send_time,
    useful_until,
)
from tests.support.database import make_test_app
from tests.support.fake_twilio import Fault

SID = "AC" + "0123456789abcdef" * 2
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
QUIET = QuietHours(time(22, 30), time(8, 0))


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return local_to_utc(day, time(hour, minute, second))


@pytest.fixture
def app(tmp_path, fake_twilio):  # type: ignore[no-untyped-def]
    app = make_test_app(
        tmp_path,
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN="token",
        TWILIO_FROM="+46766861004",
        TWILIO_TIMEOUT_SECONDS=2,
        TWILIO_API_BASE_URL=fake_twilio.base_url,
    )
    fake_twilio.now = clock.utcnow
    yield app
    get_engine(app).dispose()
    clock.freeze(None)


def queue_row(db, *, due: datetime, not_after: datetime, kind: str = "leader_declined") -> int:  # type: ignore[no-untyped-def]
    row = SmsMessage(
        kind=kind,
        to_e164="+46701234567",
        body="Vol A har tackat nej till nattvandringen.",
        due_at=due,
        not_after=not_after,
        dedupe_key=f"test:{kind}:{due.isoformat()}",
    )
    db.add(row)
    db.commit()
    return row.id  # type: ignore[return-value]


def reload(db, row_id: int) -> SmsMessage:  # type: ignore[no-untyped-def]
    db.commit()
    db.expire_all()
    return db.exec(select(SmsMessage).where(SmsMessage.id == row_id)).one()


def test_a_leader_sms_failing_just_before_quiet_hours_waits_for_the_morning(app, db, fake_twilio):
    walk_start = at(SATURDAY, 19)
    row_id = queue_row(db, due=at(FRIDAY, 22, 29), not_after=walk_start)
    clock.freeze(at(FRIDAY, 22, 29, 30))
    fake_twilio.inject(Fault.rate_limited())
    dispatch_due(app)
    row = reload(db, row_id)
    assert (row.status, row.due_at) == ("pending", at(SATURDAY, 8))  # not 22:45
    moment = at(FRIDAY, 22, 45)
    while moment < at(SATURDAY, 8):  # the night goes by: nothing is sent
        clock.freeze(moment)
        dispatch_due(app)
        moment += timedelta(minutes=15)
    assert len(fake_twilio.created_requests()) == 1
    clock.freeze(at(SATURDAY, 8))
    assert dispatch_due(app) == 1
    assert reload(db, row_id).status == "sent"


def test_a_backlog_found_in_quiet_hours_is_held_without_using_an_attempt(app, db, fake_twilio):
    # The worker was down from 22:00 to 23:00: the backlog does not all go out at 23:00.
    row_id = queue_row(db, due=at(FRIDAY, 22), not_after=at(SATURDAY, 19))
    gone_id = queue_row(
        db, due=at(FRIDAY, 22), not_after=at(SATURDAY, 1), kind=SmsKind.LEADER_UNDERSTAFFED
    )
    clock.freeze(at(FRIDAY, 23))
    assert dispatch_due(app) == 0
    assert fake_twilio.created_requests() == []
    row = reload(db, row_id)
    assert (row.status, row.due_at, row.attempts) == ("pending", at(SATURDAY, 8), 0)
    gone = reload(db, gone_id)  # its walk starts before the quiet hours end
    assert gone.status == "expired"
    assert gone.error_message == "the walk has started; quiet hours last past it"


def test_an_answer_is_not_held_by_quiet_hours(app, db, fake_twilio):
    row_id = queue_row(db, due=at(FRIDAY, 23), not_after=at(FRIDAY, 23, 15), kind="reply")
    with get_engine(app).begin() as connection:
        connection.execute(
            SmsMessage.__table__.update().values(ignores_quiet_hours=True)  # type: ignore[attr-defined]
        )
    clock.freeze(at(FRIDAY, 23))
    fake_twilio.inject(Fault.rate_limited())
    dispatch_due(app)
    row = reload(db, row_id)
    assert row.status == "pending" and row.due_at < at(FRIDAY, 23, 5)  # retried in the night
    clock.freeze(row.due_at)
    assert dispatch_due(app) == 1


# -- pure rules -----------------------------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    backoff = Backoff(base_seconds=30, cap_seconds=600)
    rng = random.Random(7)
    for attempt, ceiling in [(1, 30), (2, 60), (3, 120), (5, 480), (6, 600), (60, 600)]:
        waits = [backoff.seconds(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert max(waits) - min(waits) > ceiling / 4  # really spread out


def test_next_send_time_never_inside_quiet_hours_and_never_past_usefulness():
    evening = at(FRIDAY, 22, 45)
    assert next_send_time(evening, useful_until=at(SATURDAY, 19), quiet=QUIET) == at(SATURDAY, 8)
    assert next_send_time(evening, useful_until=at(SATURDAY, 8), quiet=QUIET) is None
    assert next_send_time(evening, useful_until=at(SATURDAY, 1), quiet=QUIET) is None
    day = at(FRIDAY, 15)
    assert next_send_time(day, useful_until=at(FRIDAY, 19), quiet=QUIET) == day
    assert next_send_time(day, useful_until=day, quiet=QUIET) is None
    assert (
        next_send_time(evening, useful_until=at(FRIDAY, 23), quiet=QUIET, ignores_quiet_hours=True)
        == evening
    )


def test_usefulness_per_kind():
    queued = at(FRIDAY, 12)
    walk = Walk(at(SATURDAY, 19), at(SATURDAY, 23))
    assert useful_until(SmsKind.REMINDER, queued_at=queued, walk=walk) == walk.start_at
    assert useful_until(SmsKind.CHANGE, queued_at=queued, walk=walk) == walk.end_at
    assert useful_until(SmsKind.CANCELLATION, queued_at=queued, walk=walk) == walk.end_at
    assert useful_until(SmsKind.CONFIRMATION, queued_at=queued, walk=walk) == queued + timedelta(
        hours=24
    )
    soon = Walk(at(FRIDAY, 19), at(FRIDAY, 23))
    assert useful_until(SmsKind.CONFIRMATION, queued_at=queued, walk=soon) == soon.start_at
    # A kind without a rule (another area's, e.g. a nudge) is useful for a day unless the
    # caller passes its own ``not_after``.
    assert useful_until("nudge", queued_at=queued) == queued + timedelta(hours=24)
