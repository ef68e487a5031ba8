"""Posting signed Twilio webhooks to an app and reading what they changed."""

from __future__ import annotations

from sqlmodel import select
from twilio.request_validator import RequestValidator

from nattvandring.accounts.models import User
from nattvandring.booking.models import Assignment
from tests.support.database import make_test_app

TOKEN = "twilio-auth-token"


PUBLIC = "https://nattvandring.example.se"


STATUS = "/webhooks/twilio/status"


INBOUND = "/webhooks/twilio/inbound"


def make(tmp_path, **overrides):  # type: ignore[no-untyped-def]
    settings = {"TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_BASE_URL": PUBLIC} | overrides
    return make_test_app(tmp_path, **settings)


def signed(url: str, params: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(token).compute_signature(url, params)}


def post(client, path, params, *, url=None, headers=None):  # type: ignore[no-untyped-def]
    all_headers = signed(url or PUBLIC + path, params) | (headers or {})
    return client.post(path, data=params, headers=all_headers)


def inbound(client, phone: str, body: str, **kwargs):  # type: ignore[no-untyped-def]
    return post(client, INBOUND, {"From": phone, "To": "+46766861004", "Body": body}, **kwargs)


def fresh(db):  # type: ignore[no-untyped-def]
    db.commit()  # end the test's read transaction: see what the request committed
    db.expire_all()


def phone_of(db, world, key):  # type: ignore[no-untyped-def]
    person = db.get(User, world.ids[key])
    assert person is not None
    return person.phone_e164


def status_of_assignment(db, user_id):  # type: ignore[no-untyped-def]
    fresh(db)
    return db.exec(select(Assignment.status).where(Assignment.user_id == user_id)).one()
