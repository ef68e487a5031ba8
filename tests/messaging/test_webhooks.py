"""Twilio webhooks: signatures, proxies, idempotency, status callbacks and inbound replies."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nattvandring import clock
from nattvandring.booking.models import Assignment
from nattvandring.db import get_engine
from nattvandring.messaging.models import InboundReceipt, SmsMessage, WebhookReceipt
from nattvandring.messaging.webhooks import parse_command
from tests.messaging.conftest import NOW, assign, make_walk, rows, user
from tests.support.webhooks import (
    INBOUND,
    PUBLIC,
    STATUS,
    fresh,
    inbound,
    make,
    phone_of,
    post,
    signed,
    status_of_assignment,
)

START = NOW + timedelta(days=2, hours=12)
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@pytest.fixture
def app(tmp_path):
    app = make(tmp_path)
    yield app
    get_engine(app).dispose()


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("JA", "yes"),
        ("ja!", "yes"),
        (" Nej ", "no"),
        ("nej.", "no"),
        ("Ja tack", "yes"),
        ("STOPP", "stop"),
        ("stop", "stop"),
        ("Start", "start"),
        ("hjälp", "help"),
        ("HJÄLP?", "help"),
        ("hja\u0308lp", "help"),  # "ä" as "a" and a combining diaeresis (pasted text)
        ("help", "help"),
        ("hej", None),
        ("", None),
        ("123", None),
    ],
)
def test_parse_command(text, command):
    assert parse_command(text) == command


def test_valid_signature_updates_delivery_status(app, client, db):
    db.add(
        SmsMessage(
            kind="reminder",
            to_e164="+46701234567",
            body="x",
            dedupe_key="k",
            status="sent",
            twilio_sid="SM1",
        )
    )
    db.commit()
    response = post(client, STATUS, {"MessageSid": "SM1", "MessageStatus": "delivered"})
    assert response.status_code == 204
    fresh(db)
    [row] = rows(db)
    assert row.status == "delivered" and row.delivered_at is not None
    # A late "sent" callback never moves it back.
    post(client, STATUS, {"MessageSid": "SM1", "MessageStatus": "sent"})
    fresh(db)
    assert rows(db)[0].status == "delivered"


@pytest.mark.parametrize("path", [STATUS, INBOUND])
def test_invalid_or_missing_signature_is_403(app, client, path):
    params = {"MessageSid": "SM1", "MessageStatus": "delivered", "From": "+46701234567"}
    wrong = signed(PUBLIC + path, params, token="another-token")
    assert client.post(path, data=params, headers=wrong).status_code == 403
    assert client.post(path, data=params).status_code == 403
    # Signed for the internal URL instead of the public one.
    assert post(client, path, params, url="http://localhost" + path).status_code == 403
    # Tampered body.
    tampered = signed(PUBLIC + path, params)
    assert client.post(path, data=params | {"Body": "NEJ"}, headers=tampered).status_code == 403


def test_no_auth_token_configured_refuses_everything(tmp_path):
    app = make(tmp_path, TWILIO_AUTH_TOKEN="")
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    response = app.test_client().post(STATUS, data=params, headers=signed(PUBLIC + STATUS, params))
    assert response.status_code == 403
    get_engine(app).dispose()


def test_behind_a_proxy_the_forwarded_url_is_validated(tmp_path):
    app = make(tmp_path, PROXY_FIX_HOPS=1, PUBLIC_BASE_URL="http://ignored.example")
    client = app.test_client()
    params = {"From": "+46709999999", "Body": "HJÄLP"}
    url = "https://sms.nattvandring.example.se" + INBOUND
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "sms.nattvandring.example.se"}
    assert post(client, INBOUND, params, url=url, headers=forwarded).status_code == 200
    assert post(client, INBOUND, params, url=url).status_code == 403  # no forwarded headers
    get_engine(app).dispose()


def test_webhooks_need_no_csrf_token(tmp_path):
    app = make(tmp_path, WTF_CSRF_ENABLED=True)
    response = inbound(app.test_client(), "+46709999999", "JA")
    assert response.status_code == 200
    get_engine(app).dispose()


def test_webhooks_are_rate_limited(tmp_path):
    app = make(tmp_path, RATELIMIT_WEBHOOKS="2 per minute")
    client = app.test_client()
    codes = [inbound(client, "+46709999999", "JA").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    get_engine(app).dispose()


@pytest.fixture
def booked(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    db.commit()
    return walk


@pytest.mark.parametrize("text", ["JA", "ja!", " Ja "])
def test_ja_confirms_the_next_walk(app, client, db, world, booked, text):
    response = inbound(client, phone_of(db, world, "vol_a"), text)
    assert response.status_code == 200
    assert response.content_type.startswith("text/xml")
    assert response.get_data(as_text=True) == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Tack Vol! Du har bekräftat '
        "nattvandringen sön 22 nov kl 22:00, Centrum.</Message></Response>"
    )
    assert status_of_assignment(db, world.ids["vol_a"]) == "confirmed"


def test_nej_declines_and_tells_the_leader(app, client, db, world, booked):
    response = inbound(client, phone_of(db, world, "vol_a"), " Nej ")
    assert "vi har meddelat ledaren" in response.get_data(as_text=True)
    assert status_of_assignment(db, world.ids["vol_a"]) == "declined"
    fresh(db)
    [note] = rows(db, user_id=world.ids["leader_a"])
    assert note.kind == "leader_declined" and note.body.startswith("Vol A har tackat nej")
    assert {r.status for r in rows(db, user_id=world.ids["vol_a"])} == {"cancelled"}
    # JA afterwards: they already declined; the leader decides.
    again = inbound(client, phone_of(db, world, "vol_a"), "JA").get_data(as_text=True)
    assert "Du har redan tackat nej" in again


def test_stopp_opts_out_and_start_opts_in(app, client, db, world, booked):
    phone = phone_of(db, world, "vol_a")
    text = inbound(client, phone, "STOPP").get_data(as_text=True)
    assert "Du får inga fler SMS" in text
    fresh(db)
    assert user(db, world.ids["vol_a"]).sms_opt_out is True
    assert {r.status for r in rows(db, user_id=world.ids["vol_a"])} == {"cancelled"}
    assert "Du får SMS från Nattvandring igen" in inbound(client, phone, "start").get_data(
        as_text=True
    )
    fresh(db)
    assert user(db, world.ids["vol_a"]).sms_opt_out is False


def test_help_and_unknown_words_get_help(app, client, db, world, booked):
    phone = phone_of(db, world, "vol_a")
    assert "svara JA för att bekräfta" in inbound(client, phone, "HJÄLP").get_data(as_text=True)
    assert "Vi förstod inte svaret" in inbound(client, phone, "hej hej").get_data(as_text=True)


def test_no_upcoming_walk(app, client, db, world, frozen):
    text = inbound(client, phone_of(db, world, "vol_b"), "JA").get_data(as_text=True)
    assert "Du har ingen kommande nattvandring" in text


def test_unknown_sender_gets_an_empty_response(app, client, db, world, booked):
    response = inbound(client, "+46709999999", "JA")
    assert response.status_code == 200 and response.get_data(as_text=True) == EMPTY


def test_a_retried_webhook_is_handled_once(app, client, db, world, booked):
    headers = {"I-Twilio-Idempotency-Token": "abc-123"}
    phone = phone_of(db, world, "vol_a")
    first = inbound(client, phone, "NEJ", headers=headers)
    second = inbound(client, phone, "NEJ", headers=headers)
    assert "Message" in first.get_data(as_text=True)
    assert second.get_data(as_text=True) == EMPTY
    fresh(db)
    assert len(rows(db, user_id=world.ids["leader_a"])) == 1
    assert len(db.exec(select(WebhookReceipt)).all()) == 1


def test_undelivered_to_a_landline_marks_the_number(app, client, db, world, booked):
    confirmation = rows(db)[0]
    confirmation.status, confirmation.twilio_sid = "sent", "SM42"
    db.commit()
    params = {"MessageSid": "SM42", "MessageStatus": "undelivered", "ErrorCode": "30006"}
    assert post(client, STATUS, params).status_code == 204
    fresh(db)
    row = rows(db)[0]
    assert (row.status, row.error_code) == ("undelivered", 30006)
    assert user(db, world.ids["vol_a"]).phone_invalid is True
    assert [r.kind for r in rows(db, user_id=world.ids["leader_a"])] == ["leader_invalid_number"]


@pytest.mark.parametrize("code", ["²", "٣٠٠٠٣", "1" * 25])
def test_an_error_code_that_is_no_twilio_code_is_kept_as_none(app, client, db, world, booked, code):
    """ "²" passes ``isdigit`` but not ``int``; Arabic-Indic digits would read as 30003 (and
    retry); 25 digits fit no integer column: the callback still answers 204."""
    confirmation = rows(db)[0]
    confirmation.status, confirmation.twilio_sid = "sent", "SM44"
    db.commit()
    params = {"MessageSid": "SM44", "MessageStatus": "undelivered", "ErrorCode": code}
    assert post(client, STATUS, params).status_code == 204
    fresh(db)
    row = rows(db)[0]
    assert (row.status, row.error_code) == ("undelivered", None)


def test_unreachable_delivery_is_retried_once(app, client, db, world, booked):
    confirmation = rows(db)[0]
    confirmation.status, confirmation.twilio_sid = "sent", "SM43"
    db.commit()
    params = {"MessageSid": "SM43", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    post(client, STATUS, params)
    fresh(db)
    row = rows(db)[0]
    assert row.status == "pending" and row.retried_unreachable and row.twilio_sid is None
    assert row.due_at == NOW + timedelta(minutes=15)


# --- replays: the same inbound SMS (MessageSid) is handled once ----------------------------------

SID_NEJ = "SM" + "5e1f" * 8


def inbound_sms(client, phone: str, body: str, sid: str, **kwargs):
    params = {"MessageSid": sid, "From": phone, "To": "+46766861004", "Body": body}
    return post(client, INBOUND, params, **kwargs)


def test_a_replayed_nej_without_its_idempotency_token_does_nothing(app, client, db, world, booked):
    phone = phone_of(db, world, "vol_a")
    first = inbound_sms(client, phone, "NEJ", SID_NEJ, headers={"I-Twilio-Idempotency-Token": "t1"})
    assert "vi har meddelat ledaren" in first.get_data(as_text=True)
    # The first walk is over; vol_a is on the next one.
    clock.freeze(START + timedelta(days=1))
    fresh(db)
    later = make_walk(db, world, start=START + timedelta(days=7))
    assign(db, later, world.ids["vol_a"])
    db.commit()
    notices = len(rows(db, user_id=world.ids["leader_a"]))
    # The captured request, signature and all, sent again without the token (or with another).
    for headers in ({}, {"I-Twilio-Idempotency-Token": "t2"}):
        replay = inbound_sms(client, phone, "NEJ", SID_NEJ, headers=headers)
        assert replay.status_code == 200 and replay.get_data(as_text=True) == EMPTY
    fresh(db)
    statuses = db.exec(
        select(Assignment.shift_id, Assignment.status).where(
            Assignment.user_id == world.ids["vol_a"]
        )
    ).all()
    assert dict(statuses)[later.shift_id] == "assigned"
    assert len(rows(db, user_id=world.ids["leader_a"])) == notices
    assert db.exec(select(InboundReceipt.message_sid)).all() == [SID_NEJ]
    # Another message from the same phone is a new answer.
    assert "vi har meddelat ledaren" in inbound_sms(
        client, phone, "NEJ", "SM" + "6a" * 16
    ).get_data(as_text=True)


def test_the_database_refuses_a_second_receipt_for_the_same_message(app, db):
    db.add(InboundReceipt(message_sid=SID_NEJ))
    db.commit()
    db.add(InboundReceipt(message_sid=SID_NEJ))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_the_same_message_posted_twice_at_once_is_handled_once(app, db, world, booked):
    phone = phone_of(db, world, "vol_a")
    db.commit()
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        answers.append(inbound_sms(client, phone, "NEJ", SID_NEJ).get_data(as_text=True))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answer == EMPTY for answer in answers) == [False, True], answers
    fresh(db)
    assert len(rows(db, user_id=world.ids["leader_a"])) == 1
