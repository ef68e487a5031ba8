"""Dispatch through the real Twilio SDK HTTP path against the local fake Twilio server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.db import get_engine
from nattvandring.messaging.dispatch import dispatch_due
from nattvandring.messaging.gateways import TwilioGateway
from nattvandring.messaging.models import SmsMessage
from nattvandring.messaging.services import gateway_from_config
from tests.messaging.conftest import NOW, assign, make_walk, rows, user
from tests.support.database import make_test_app
from tests.support.fake_twilio import Fault

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-auth-token"
SENDER = "+46766861004"
START = NOW + timedelta(days=2, hours=12)
GRACE = 120
# Long enough that a loaded machine never turns a slow answer of the fake into a timeout;
# the read-timeout test shortens it (below the fake's hang) by parametrizing this fixture.
TIMEOUT_SECONDS = 5.0
SHORT_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def timeout_seconds():
    return TIMEOUT_SECONDS


@pytest.fixture
def app(tmp_path, fake_twilio, timeout_seconds):
    app = make_test_app(
        tmp_path,
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_FROM=SENDER,
        TWILIO_TIMEOUT_SECONDS=timeout_seconds,
        TWILIO_API_BASE_URL=fake_twilio.base_url,
        SMS_RECONCILE_GRACE_SECONDS=GRACE,
        PUBLIC_BASE_URL="https://nattvandring.example.se",
    )
    fake_twilio.account_sid, fake_twilio.auth_token = SID, TOKEN
    yield app
    get_engine(app).dispose()


@pytest.fixture
def confirmation(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    db.commit()
    row_id = rows(db)[0].id
    db.commit()  # end the read transaction: the dispatcher writes from its own connections
    return row_id


def reload(db, row_id):
    db.commit()  # a fresh transaction sees what the dispatcher committed
    db.expire_all()
    return db.exec(select(SmsMessage).where(SmsMessage.id == row_id)).one()


def test_gateway_from_config_builds_twilio(app):
    gateway = gateway_from_config(app.config)
    assert isinstance(gateway, TwilioGateway)
    assert gateway.from_number == SENDER and gateway.validity_period_s == 14400


def test_sends_form_fields_with_basic_auth_to_the_messages_url(
    app, db, world, confirmation, fake_twilio
):
    assert dispatch_due(app) == 1
    [request] = fake_twilio.created_requests()
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.basic_auth == (SID, TOKEN)
    assert request.form["To"] == user(db, world.ids["vol_a"]).phone_e164
    assert request.form["From"] == SENDER
    assert request.form["StatusCallback"] == (
        "https://nattvandring.example.se/webhooks/twilio/status"
    )
    assert request.form["ValidityPeriod"] == "14400"
    assert request.form["Body"].startswith("Hej Vol! Du är bokad för nattvandring sön 22 nov")
    assert "https://nattvandring.example.se/me/" in request.form["Body"]
    row = reload(db, confirmation)
    assert row.status == "sent" and row.twilio_sid == fake_twilio.messages[0]["sid"]


def test_server_error_not_processed_is_looked_up_then_sent_once(app, db, confirmation, fake_twilio):
    fake_twilio.inject(Fault.server_error(record=False))
    assert dispatch_due(app) == 0
    row = reload(db, confirmation)
    assert row.status == "unknown" and "outcome unknown" in row.error_message
    assert row.due_at == NOW + timedelta(seconds=GRACE)
    assert dispatch_due(app) == 0  # no blind resend before the grace period
    assert len(fake_twilio.created_requests()) == 1
    clock.freeze(NOW + timedelta(seconds=GRACE))
    assert dispatch_due(app) == 1  # looked up (not found), then sent again
    lookups = [r for r in fake_twilio.requests if r.method == "GET"]
    assert len(lookups) == 1 and lookups[0].query["To"] == [row.to_e164]
    assert len(fake_twilio.messages) == 1
    row = reload(db, confirmation)
    assert row.status == "sent" and row.attempts == 2


def test_server_error_after_processing_is_reconciled_not_resent(app, db, confirmation, fake_twilio):
    fake_twilio.inject(Fault.server_error(record=True))
    dispatch_due(app)
    assert reload(db, confirmation).status == "unknown"
    clock.freeze(NOW + timedelta(seconds=GRACE))
    assert dispatch_due(app) == 1
    row = reload(db, confirmation)
    assert row.status == "sent" and row.twilio_sid == fake_twilio.messages[0]["sid"]
    assert len(fake_twilio.created_requests()) == 1  # never sent twice


@pytest.mark.parametrize("timeout_seconds", [SHORT_TIMEOUT_SECONDS])
def test_read_timeout_is_unknown_and_reconciled(app, db, confirmation, fake_twilio):
    fake_twilio.inject(Fault.hang(seconds=2, record=True))
    assert dispatch_due(app) == 0
    row = reload(db, confirmation)
    assert row.status == "unknown" and "read timeout" in row.error_message
    clock.freeze(NOW + timedelta(seconds=GRACE))
    assert dispatch_due(app) == 1
    assert reload(db, confirmation).twilio_sid == fake_twilio.messages[0]["sid"]
    assert len(fake_twilio.created_requests()) == 1


def test_rate_limited_is_retried_with_backoff(app, db, confirmation, fake_twilio):
    fake_twilio.inject(Fault.rate_limited())
    assert dispatch_due(app) == 0
    row = reload(db, confirmation)
    assert (row.status, row.error_code, row.attempts) == ("pending", 20429, 1)
    assert row.due_at == NOW + timedelta(seconds=60)
    assert dispatch_due(app) == 0 and len(fake_twilio.created_requests()) == 1
    clock.freeze(NOW + timedelta(seconds=60))
    assert dispatch_due(app) == 1
    assert reload(db, confirmation).status == "sent"


def test_rate_limits_are_retried_with_growing_jittered_backoff_while_useful(
    app, db, confirmation, fake_twilio
):
    app.config["SMS_RETRY_BASE_SECONDS"] = 60
    app.config["SMS_RETRY_CAP_SECONDS"] = 600
    fake_twilio.go_down(Fault.rate_limited())
    waits = []
    moment = NOW
    for _ in range(8):
        dispatch_due(app)
        row = reload(db, confirmation)
        assert row.status == "pending" and row.error_message.startswith("retrying: ")
        waits.append((row.due_at - moment).total_seconds())
        moment = row.due_at
        clock.freeze(moment)
    # attempt n waits between half and all of min(600, 60 * 2^(n-1)) seconds.
    for attempt, wait in enumerate(waits, start=1):
        ceiling = min(600, 60 * 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling, (attempt, waits)
    assert len(set(waits)) == len(waits)  # jitter
    assert len(fake_twilio.created_requests()) == 8
    fake_twilio.come_back()
    assert dispatch_due(app) == 1
    assert reload(db, confirmation).status == "sent"


def test_a_message_no_longer_useful_expires_with_the_reason(app, db, confirmation, fake_twilio):
    fake_twilio.go_down(Fault.rate_limited())
    dispatch_due(app)
    row = reload(db, confirmation)
    assert row.not_after == NOW + timedelta(hours=24)  # a confirmation is useful for a day
    clock.freeze(row.not_after - timedelta(seconds=20))  # the next retry would be too late
    dispatch_due(app)
    row = reload(db, confirmation)
    assert row.status == "expired"
    assert row.error_message == (
        "no longer useful (24 hours passed or the walk started); last error: "
        "retrying: Unable to create record: Too Many Requests"
    )
    assert len(fake_twilio.created_requests()) == 2
    fake_twilio.come_back()
    clock.freeze(row.not_after + timedelta(hours=1))
    assert dispatch_due(app) == 0 and len(fake_twilio.created_requests()) == 2


def test_invalid_number_marks_it_and_tells_the_leader(app, db, world, confirmation, fake_twilio):
    fake_twilio.inject(Fault.invalid_number())
    dispatch_due(app)
    row = reload(db, confirmation)
    assert (row.status, row.error_code) == ("failed", 21211)
    assert row.error_message.startswith("InvalidNumber")
    assert row.to_e164 not in row.error_message  # Twilio echoes the number: masked
    assert user(db, world.ids["vol_a"]).phone_invalid is True
    assert {r.status for r in rows(db, user_id=world.ids["vol_a"])} == {"failed", "cancelled"}
    [note] = rows(db, user_id=world.ids["leader_a"])
    assert note.kind == "leader_invalid_number"
    assert note.body.startswith("SMS till Vol A gick inte fram: numret verkar ogiltigt.")


def test_opted_out_marks_the_volunteer(app, db, world, confirmation, fake_twilio):
    fake_twilio.inject(Fault.opted_out())
    dispatch_due(app)
    row = reload(db, confirmation)
    assert (row.status, row.error_code) == ("failed", 21610)
    assert user(db, world.ids["vol_a"]).sms_opt_out is True
    assert {r.status for r in rows(db, user_id=world.ids["vol_a"])} == {"failed", "cancelled"}


def test_unreachable_is_retried_once(app, db, confirmation, fake_twilio):
    fake_twilio.inject(Fault.error(400, 30003, "Unreachable"), Fault.error(400, 30003, "x"))
    dispatch_due(app)
    row = reload(db, confirmation)
    assert row.status == "pending" and row.retried_unreachable
    clock.freeze(NOW + timedelta(minutes=15))
    dispatch_due(app)
    row = reload(db, confirmation)
    assert row.status == "failed" and row.error_message.startswith("unreachable twice")
