"""The dispatch job with the console gateway (the embedded default)."""

from __future__ import annotations

from datetime import timedelta

from nattvandring import clock, tokens
from nattvandring.accounts.models import TokenPurpose
from nattvandring.messaging.dispatch import dispatch_due, due_count
from nattvandring.messaging.gateways import ConsoleGateway
from nattvandring.messaging.services import gateway_from_config, status_callback_url
from nattvandring.messaging.texts import LINK_MARKER
from tests.messaging.conftest import NOW, assign, make_walk, rows, user
from tests.support.sms import Recording

START = NOW + timedelta(days=2, hours=12)


def test_console_is_the_default_gateway(app):
    assert isinstance(gateway_from_config(app.config), ConsoleGateway)
    assert status_callback_url(app.config) is None


def test_due_confirmation_is_sent_with_the_personal_link(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    db.commit()
    gateway = Recording()
    assert dispatch_due(app, gateway) == 1
    [(to, body, callback)] = gateway.sent
    assert to == user(db, world.ids["vol_a"]).phone_e164 and callback is None
    token = body.split("/me/")[1].split(" ")[0]
    keys = tokens.signing_keys(app.config)
    found = tokens.resolve(db, TokenPurpose.PERSONAL_PAGE, token, secret_key=keys)
    assert found is not None and found.user_id == world.ids["vol_a"]
    db.expire_all()
    confirmation, first, second = rows(db)
    assert confirmation.status == "sent" and confirmation.twilio_sid.startswith("console-")
    assert confirmation.sent_at == NOW and confirmation.attempts == 1
    assert LINK_MARKER in confirmation.body and token not in confirmation.body  # never stored
    assert (first.status, second.status) == ("pending", "pending")
    assert dispatch_due(app, gateway) == 0  # reminders are not due yet
    clock.freeze(START - timedelta(hours=24))
    assert dispatch_due(app, gateway) == 1
    assert gateway.sent[-1][1].split("/me/")[1] == token  # the same stable link


def test_reminder_is_never_sent_after_the_start(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    db.commit()
    clock.freeze(START + timedelta(minutes=1))  # the worker was down all along
    gateway = Recording()
    assert dispatch_due(app, gateway) == 0
    assert gateway.sent == []
    db.expire_all()
    assert {(r.kind, r.status, r.error_message) for r in rows(db)} == {
        ("reminder", "expired", "no longer useful (the walk started or its day passed)"),
        ("confirmation", "expired", "no longer useful (24 hours passed or the walk started)"),
    }


def test_opted_out_after_queueing_is_not_sent(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    user(db, world.ids["vol_a"]).sms_opt_out = True  # e.g. changed on the personal page
    db.commit()
    gateway = Recording()
    assert dispatch_due(app, gateway) == 0
    db.expire_all()
    assert rows(db)[0].status == "cancelled" and rows(db)[0].error_message == "opted out"
    assert due_count(app) == 0
