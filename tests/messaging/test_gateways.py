"""Gateways through the real Twilio SDK HTTP path, against a local fake Twilio server."""

import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from twilio.http.http_client import TwilioHttpClient

from nattvandring.messaging.gateways import (
    ConsoleGateway,
    InvalidNumber,
    OptedOut,
    OutcomeUnknown,
    PermanentFailure,
    RetryLater,
    SmsGateway,
    TwilioApiHttpClient,
    TwilioGateway,
    classify_error_code,
    mask_phone,
)
from tests.support.fake_twilio import FakeTwilio, Fault, fake_twilio  # noqa: F401
from tests.support.network_guard import NetworkBlocked, block_network, network_guard  # noqa: F401

pytestmark = pytest.mark.usefixtures("network_guard")

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "test-auth-token"
SERVICE = "MG" + "fedcba9876543210" * 2
SENDER = "+46766861004"
TO = "+46701234567"
BODY = "Hej Åsa! Du är bokad för nattvandring i Hörby fredag 22:00. Svara JA eller NEJ."
CALLBACK = "https://nattvandring.example/sms/status"


@pytest.fixture
def make_gateway(fake_twilio):  # noqa: F811
    gateways = []

    def make(**kwargs):
        options = {"account_sid": SID, "auth_token": TOKEN, "base_url": fake_twilio.base_url}
        if "messaging_service_sid" not in kwargs:
            options["from_number"] = SENDER
        gateway = TwilioGateway(**(options | kwargs))
        gateways.append(gateway)
        return gateway

    yield make
    for gateway in gateways:
        gateway.close()


def test_send_posts_form_fields_with_basic_auth(fake_twilio, make_gateway):  # noqa: F811
    result = make_gateway().send(to=TO, body=BODY, status_callback=CALLBACK)

    assert result.status == "queued"
    assert result.sid.startswith("SM") and len(result.sid) == 34
    [request] = fake_twilio.created_requests()
    assert request.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.form == {
        "To": TO,
        "From": SENDER,
        "Body": BODY,
        "StatusCallback": CALLBACK,
        "ValidityPeriod": "14400",
    }
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.basic_auth == (SID, TOKEN)
    assert fake_twilio.messages[0]["sid"] == result.sid


def test_send_through_messaging_service(fake_twilio, make_gateway):  # noqa: F811
    gateway = make_gateway(messaging_service_sid=SERVICE, validity_period_s=3600)
    result = gateway.send(to=TO, body="Tack!", status_callback=None)

    assert result.status == "accepted"
    [request] = fake_twilio.created_requests()
    assert request.form == {
        "To": TO,
        "MessagingServiceSid": SERVICE,
        "Body": "Tack!",
        "ValidityPeriod": "3600",
    }
    assert gateway.supports_replies


def test_wrong_credentials_are_a_permanent_failure(make_gateway):
    with FakeTwilio(account_sid=SID, auth_token="the-real-token") as strict:
        gateway = make_gateway(base_url=strict.base_url)
        with pytest.raises(PermanentFailure) as caught:
            gateway.send(to=TO, body=BODY)
    assert caught.value.code == 20003
    assert caught.value.http_status == 401


@pytest.mark.parametrize(
    ("fault", "error", "code"),
    [
        (Fault.server_error(), OutcomeUnknown, 20500),
        (Fault.rate_limited(), RetryLater, 20429),
        (Fault.invalid_number(), InvalidNumber, 21211),
        (Fault.error(400, 21614, "not a mobile number"), InvalidNumber, 21614),
        (Fault.opted_out(), OptedOut, 21610),
        (Fault.error(400, 21408, "Permission to send an SMS has not been enabled"), None, 21408),
    ],
)
def test_injected_faults_are_classified(fake_twilio, make_gateway, fault, error, code):  # noqa: F811
    fake_twilio.inject(fault)
    with pytest.raises(error or PermanentFailure) as caught:
        make_gateway().send(to=TO, body=BODY)
    assert type(caught.value) is (error or PermanentFailure)
    assert caught.value.code == code
    assert caught.value.http_status == fault.status
    assert TO not in caught.value.reason  # Twilio echoes the number; it is masked


def test_rate_limit_carries_a_delay(fake_twilio, make_gateway):  # noqa: F811
    fake_twilio.inject(Fault.rate_limited())
    gateway = make_gateway()
    with pytest.raises(RetryLater) as caught:
        gateway.send(to=TO, body=BODY)
    assert caught.value.delay_seconds > 0
    assert fake_twilio.messages == []  # Twilio never processed it
    assert gateway.send(to=TO, body=BODY).status == "queued"  # the queue is consumed


def test_read_timeout_is_unknown_and_lookup_reconciles(fake_twilio, make_gateway):  # noqa: F811
    fake_twilio.inject(Fault.hang(seconds=5, record=True))
    gateway = make_gateway(timeout_s=0.5)
    started = datetime.now(UTC)

    began = time.monotonic()
    with pytest.raises(OutcomeUnknown):
        gateway.send(to=TO, body=BODY, status_callback=CALLBACK)
    assert time.monotonic() - began < 3

    found = gateway.lookup(to=TO, body=BODY, sent_after=started - timedelta(seconds=1))
    assert found is not None
    assert found.sid == fake_twilio.messages[0]["sid"]
    assert found.status == "sent"


def test_lookup_after_500_that_was_not_processed_finds_nothing(fake_twilio, make_gateway):  # noqa: F811
    fake_twilio.inject(Fault.server_error(record=False))
    gateway = make_gateway()
    started = datetime.now(UTC) - timedelta(seconds=1)
    with pytest.raises(OutcomeUnknown):
        gateway.send(to=TO, body=BODY)
    assert gateway.lookup(to=TO, body=BODY, sent_after=started) is None


def test_lookup_filters_on_number_body_and_time(fake_twilio, make_gateway):  # noqa: F811
    gateway = make_gateway()
    started = datetime.now(UTC) - timedelta(seconds=1)
    gateway.send(to="+46709999988", body=BODY)
    gateway.send(to=TO, body="Another text")
    wanted = gateway.send(to=TO, body=BODY)

    local = started.astimezone(ZoneInfo("Europe/Stockholm"))
    assert gateway.lookup(to=TO, body=BODY, sent_after=local) == wanted.__class__(
        sid=wanted.sid, status="sent"
    )
    future = datetime.now(UTC) + timedelta(hours=1)
    assert gateway.lookup(to=TO, body=BODY, sent_after=future) is None
    assert gateway.lookup(to=TO, body="Never sent", sent_after=started) is None

    query = [r for r in fake_twilio.requests if r.method == "GET"][0].query
    assert query["To"] == [TO]
    assert query["DateSent>"] == [started.strftime("%Y-%m-%dT%H:%M:%SZ")]  # sent in UTC
    assert query["PageSize"] == ["20"]
    with pytest.raises(ValueError, match="aware"):
        gateway.lookup(to=TO, body=BODY, sent_after=datetime(2026, 1, 1))


def test_lookup_failure_is_classified(fake_twilio, make_gateway):  # noqa: F811
    fake_twilio.inject(Fault.server_error(on="list"))
    with pytest.raises(OutcomeUnknown):
        make_gateway().lookup(to=TO, body=BODY, sent_after=datetime.now(UTC))


def test_refused_connection_was_never_sent(make_gateway):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    gateway = make_gateway(base_url=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(RetryLater):
        gateway.send(to=TO, body=BODY)


def test_invalid_recipient_is_refused_without_a_request(fake_twilio, make_gateway):  # noqa: F811
    with pytest.raises(InvalidNumber):
        make_gateway().send(to="0701234567", body=BODY)
    assert fake_twilio.requests == []


def test_no_full_phone_number_in_logs(fake_twilio, make_gateway, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    fake_twilio.inject(Fault.invalid_number())
    gateway = make_gateway()
    with pytest.raises(InvalidNumber):
        gateway.send(to=TO, body=BODY)
    gateway.send(to=TO, body=BODY)
    gateway.lookup(to=TO, body=BODY, sent_after=datetime.now(UTC) - timedelta(minutes=1))
    assert "+46701****67" in caplog.text
    assert TO not in caplog.text
    assert BODY not in caplog.text


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"from_number": SENDER, "messaging_service_sid": SERVICE},
        {"from_number": "Nattvandring"},  # 12 characters
        {"from_number": "12345"},  # no letter
        {"from_number": "0701234567"},
        {"messaging_service_sid": "MG123"},
        {"from_number": SENDER, "validity_period_s": 0},
        {"from_number": SENDER, "timeout_s": 0},
        {"from_number": SENDER, "base_url": "ftp://127.0.0.1"},
        {
            "from_number": SENDER,
            "base_url": "http://127.0.0.1:1",
            "http_client": TwilioHttpClient(timeout=1),
        },
        {"from_number": SENDER, "http_client": TwilioHttpClient()},  # no timeout
    ],
)
def test_invalid_configuration(kwargs):
    with pytest.raises(ValueError):
        TwilioGateway(account_sid=SID, auth_token=TOKEN, **kwargs)


def test_alphanumeric_sender_and_default_timeout():
    gateway = TwilioGateway(account_sid=SID, auth_token=TOKEN, from_number="Trygg Bjuv")
    assert not gateway.supports_replies
    assert isinstance(gateway.http_client, TwilioHttpClient)
    assert gateway.http_client.timeout == 10.0
    assert isinstance(gateway, SmsGateway)


def test_base_url_rewrite_keeps_path_and_query():
    client = TwilioApiHttpClient(timeout=1, base_url="http://127.0.0.1:8765/twilio/")
    rewritten = client.rewrite(
        f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json?To=x"
    )
    assert rewritten == f"http://127.0.0.1:8765/twilio/2010-04-01/Accounts/{SID}/Messages.json?To=x"
    edge = client.rewrite("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json")
    assert edge == "http://127.0.0.1:8765/twilio/2010-04-01/Accounts.json"
    assert TwilioApiHttpClient(timeout=1).rewrite("https://api.twilio.com/x") == (
        "https://api.twilio.com/x"
    )


def test_console_gateway_logs_masked_number(caplog):
    caplog.set_level(logging.INFO, logger="nattvandring.messaging")
    gateway = ConsoleGateway()
    result = gateway.send(to=TO, body=BODY, status_callback=None)

    assert gateway.name == "console"
    assert result.status == "sent"
    assert result.sid.startswith("console-") and len(result.sid) == len("console-") + 32
    assert "+46701****67" in caplog.text
    assert TO not in caplog.text
    assert gateway.lookup(to=TO, body=BODY, sent_after=datetime.now(UTC)) is None
    assert isinstance(gateway, SmsGateway)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("+46701234567", "+46701****67"),
        ("+14155550123", "+1415*****23"),
        ("+358401234567", "+358401****67"),
        ("0701234567", "***"),
        ("", "***"),
    ],
)
def test_mask_phone(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (30003, RetryLater),
        (30005, InvalidNumber),
        (30006, InvalidNumber),
        (21610, OptedOut),
        (30007, PermanentFailure),
    ],
)
def test_delivery_error_codes_from_status_callbacks(code, error):
    classified = classify_error_code(code, "delivery failed")
    assert type(classified) is error
    assert classified.code == code


def test_network_guard_refuses_before_connecting(monkeypatch):
    connects, lookups = [], []
    real_getaddrinfo = socket.getaddrinfo

    def spy_getaddrinfo(host, *args, **kwargs):
        lookups.append(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connects.append(addr))
    monkeypatch.setattr(socket, "getaddrinfo", spy_getaddrinfo)
    block_network(monkeypatch)  # the guard now wraps the spies above

    with pytest.raises(NetworkBlocked):
        socket.create_connection(("10.255.255.1", 80), timeout=0.1)
    with socket.socket() as sock, pytest.raises(NetworkBlocked):
        sock.connect(("10.255.255.1", 80))
    with pytest.raises(NetworkBlocked):  # refused at the DNS lookup (or at a proxy's address)
        requests.get("http://example.com/", timeout=0.1)
    assert connects == []
    assert "example.com" not in lookups


def test_network_guard_stops_a_gateway_without_base_url():
    gateway = TwilioGateway(account_sid=SID, auth_token=TOKEN, from_number=SENDER, timeout_s=0.5)
    with pytest.raises(NetworkBlocked):  # not swallowed as a gateway error
        gateway.send(to=TO, body=BODY)
