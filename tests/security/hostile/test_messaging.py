"""Hostile input to the Twilio webhooks, signed as Twilio signs them so that every example
reaches the handlers (unsigned requests only ever answer 403: tests/messaging)."""

from __future__ import annotations

from datetime import date

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from nattvandring.accounts.models import User
from nattvandring.db import get_engine
from nattvandring.messaging.models import SmsMessage
from tests.security.hostile.conftest import make_fuzz_app
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import Fuzzer, World, base_world
from tests.support.shifts import book, make_shift

TOKEN = "twilio-auth-token"
PUBLIC = "https://nattvandring.example.se"


@pytest.fixture
def fuzz_app(tmp_path):  # type: ignore[no-untyped-def]
    app = make_fuzz_app(tmp_path, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=PUBLIC)
    yield app
    get_engine(app).dispose()


def build(session) -> World:  # type: ignore[no-untyped-def]
    """vol_a is on Friday's roster and has been sent a confirmation (SID SM1)."""
    world = base_world(session)
    ids = world.ids
    shift = make_shift(
        session, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 12, 4)
    )
    book(session, shift, ids["assoc_a"], walkers=[ids["vol_a"]])
    phone = session.get(User, ids["vol_a"]).phone_e164
    world.raw["phone"] = phone
    session.add(
        SmsMessage(
            kind="confirmation",
            to_e164=phone,
            user_id=ids["vol_a"],
            shift_id=shift.id,
            association_id=ids["assoc_a"],
            municipality_id=ids["hassleholm"],
            body="Du är bokad fredag 21:00.",
            dedupe_key="hostile-confirmation-1",
            status="sent",
            twilio_sid="SM1",
        )
    )
    session.flush()
    return world


def signed(url: str, fields: list[tuple[str, str]]) -> dict[str, str]:
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + url, MultiDict(fields))
    return {"X-Twilio-Signature": signature}


TARGETS = [
    Target(
        "twilio_status",
        "messaging.twilio_status",
        None,
        lambda w: "/webhooks/twilio/status",
        lambda w: {"MessageSid": "SM1", "MessageStatus": "delivered", "ErrorCode": ""},
        reached=frozenset({204}),
        headers=signed,
        values={
            "MessageStatus": ("undelivered", "failed", "sent", "DELIVERED"),
            "ErrorCode": ("21610", "30003", "30006", "21211"),
        },
    ),
    Target(
        "twilio_inbound",
        "messaging.twilio_inbound",
        None,
        lambda w: "/webhooks/twilio/inbound",
        lambda w: {
            "MessageSid": "SM" + "0123456789abcdef" * 2,
            "From": w.raw["phone"],
            "Body": "JA",
            "To": "+46766861004",
        },
        reached=frozenset({200}),
        headers=signed,
        values={"Body": ("NEJ", "STOPP", "START", "HJÄLP", "ja!")},
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_webhook(fuzz_app, target):  # type: ignore[no-untyped-def]
    check_target(Fuzzer(fuzz_app, build), target)
