"""Fixtures for the check-in tests: a signed Twilio webhook, walks with a group."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from nattvandring import clock
from nattvandring.checkins.models import CheckEvent
from tests.messaging.conftest import Walk, assign, make_walk
from tests.support.database import make_test_app, release

TOKEN = "twilio-auth-token"
PUBLIC = "https://nattvandring.example.se"
INBOUND = "/webhooks/twilio/inbound"


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL=PUBLIC)
    yield app
    release(app)


_sids = iter(range(1, 10**6))


def sms(client, phone: str, body: str):
    """A signed inbound SMS (each with its own MessageSid); returns the reply text."""
    params = {
        "From": phone,
        "To": "+46766861004",
        "Body": body,
        "MessageSid": f"SM{next(_sids):032d}",
    }
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + INBOUND, params)
    response = client.post(INBOUND, data=params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def group_walk(
    session: Session, world, *, start: datetime, hours: int = 4, walkers=("vol_a", "vol_a2")
) -> Walk:
    walk = make_walk(session, world, start=start, hours=hours)
    for key in walkers:
        assign(session, walk, world.ids[key], emit=False)
    session.commit()
    return walk


def events(session: Session) -> list[CheckEvent]:
    session.commit()
    session.expire_all()
    return list(session.exec(select(CheckEvent).order_by(CheckEvent.id)).all())


def at(instant: datetime) -> None:
    clock.freeze(instant)
