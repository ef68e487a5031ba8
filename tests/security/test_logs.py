"""No phone number, e-mail address or token in the logs of a full journey; no stack traces on
error pages in production."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from nattvandring import clock
from nattvandring.accounts.models import AccessToken, User
from nattvandring.booking.models import Assignment, Booking
from nattvandring.db import db_session, get_engine, session_scope
from nattvandring.logging_setup import redact
from nattvandring.mail.dispatch import dispatch_due as mail_dispatch_due
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.dispatch import dispatch_due
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift
from nattvandring.volunteers.services import personal_token
from tests.factories import build_world, login
from tests.support.database import make_test_app

TWILIO_TOKEN = "twilio-auth-token"
PUBLIC = "https://nattvandring.example.se"
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday morning, outside quiet hours
FRIDAY = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)
NEW_PHONE_NATIONAL = "070-765 43 21"
NEW_EMAIL = "ny.vandrare@example.org"


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    app = make_test_app(tmp_path, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, PUBLIC_BASE_URL=PUBLIC)
    yield app
    get_engine(app).dispose()


def _variants(e164: str) -> set[str]:
    """The ways a Swedish mobile number may be written: E.164, national, digits only."""
    number = phonenumbers.parse(e164, "SE")
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    digits = re.sub(r"\D", "", national)
    return {
        e164,
        e164.lstrip("+"),
        national,
        digits,
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    }


def _sign(path: str, params: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC + path, params)
    return {"X-Twilio-Signature": signature}


def test_a_full_journey_logs_no_personal_data_or_secret(app, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="nattvandring")
    clock.freeze(NOW)
    with app.test_request_context(), session_scope(get_engine(app)) as session:
        world = build_world(session)
        shift = Shift(
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            start_at=FRIDAY,
            end_at=FRIDAY + timedelta(hours=4),
        )
        session.add(shift)
        session.flush()
        shift_id = shift.id
    assoc = world.ids["assoc_a"]
    leader = app.test_client()

    # A failed login and a real one.
    assert leader.post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert login(leader, world.emails["leader_a"]).status_code == 302
    # The leader adds a new member (national format) and books the walk.
    added = leader.post(
        f"/members/{assoc}/new",
        data={
            "name": "Ny Vandrare",
            "phone": NEW_PHONE_NATIONAL,
            "email": NEW_EMAIL,
            "birth_year": "1985",
        },
    )
    assert added.status_code == 302, added.get_data(as_text=True)[:3000]
    booked = leader.post(f"/booking/{assoc}/shifts/{shift_id}/book")
    assert booked.status_code == 302
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        booking = session.exec(select(Booking).where(Booking.shift_id == shift_id)).one()
        newcomer = session.exec(select(User).where(User.email == NEW_EMAIL)).one()
        booking_id, newcomer_id = booking.id, newcomer.id
    for user_id in (world.ids["vol_a"], newcomer_id):
        response = leader.post(f"/booking/bookings/{booking_id}/roster", data={"user_id": user_id})
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]

    # The SMS worker sends the booking messages.
    assert dispatch_due(app) >= 2

    # The volunteer opens the personal page and the calendar feed.
    with app.test_request_context(), session_scope(get_engine(app)) as session:
        vol_a = session.get(User, world.ids["vol_a"])
        page_token = personal_token(session, vol_a, app.config["SECRET_KEY"])  # type: ignore[arg-type]
        phone_a = vol_a.phone_e164  # type: ignore[union-attr]
        sms_bodies = [m.body for m in session.exec(select(SmsMessage))]
    volunteer = app.test_client()
    page = volunteer.get(f"/me/{page_token}")
    assert page.status_code == 200
    feed = re.search(r"/feeds/personal/([A-Za-z0-9_-]+)\.ics", page.get_data(as_text=True))
    assert feed
    assert volunteer.get(f"/feeds/personal/{feed.group(1)}.ics").status_code == 200

    # The volunteer answers JA by SMS.
    params = {"From": phone_a, "To": "+46766861004", "Body": "JA", "MessageSid": "SMjourney1"}
    inbound = app.test_client().post(
        "/webhooks/twilio/inbound", data=params, headers=_sign("/webhooks/twilio/inbound", params)
    )
    assert inbound.status_code == 200
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        mine = session.exec(
            select(Assignment).where(Assignment.user_id == world.ids["vol_a"])
        ).one()
        assert mine.status == "confirmed"

    # A coordinator asks for a password reset.
    reset = app.test_client().post("/reset", data={"email": world.emails["coord_h"]})
    assert reset.status_code == 302
    # Both workers run: SMS (nothing new is due) and e-mail (calendar invite, reset link).
    assert dispatch_due(app) == 0
    assert mail_dispatch_due(app) >= 2

    # Everything secret or personal that passed through the journey.
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        phones = {u.phone_e164 for u in session.exec(select(User)) if u.phone_e164}
        emails = {u.email for u in session.exec(select(User)) if u.email}
        mail_bodies = [m.body_text for m in session.exec(select(EmailMessage))]
        hashes = {t.token_hash for t in session.exec(select(AccessToken))}
    secrets_seen = {page_token, feed.group(1)}
    for body in sms_bodies + mail_bodies:
        secrets_seen |= set(re.findall(r"/(?:me|reset|invitation)/([A-Za-z0-9_-]{20,})", body))
    assert len(secrets_seen) >= 3  # personal page, feed, reset link
    needles = set(secrets_seen) | hashes | emails | {NEW_EMAIL, "nobody@example.org"}
    for phone in phones:
        needles |= _variants(phone)
    needles.add(NEW_PHONE_NATIONAL)

    text = "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert len(caplog.records) > 10  # the journey was logged
    leaked = sorted(needle for needle in needles if needle in text)
    assert not leaked, f"found in the logs: {leaked}\n{text}"


def test_production_error_page_shows_no_stack_trace(tmp_path, caplog):  # type: ignore[no-untyped-def]
    app = make_test_app(tmp_path, ENV="production", SECRET_KEY="p" * 48, TESTING=False, DEBUG=False)

    def explode():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret-internal-detail in /srv/app/nattvandring/views.py")

    app.add_url_rule("/boom", "boom", explode)
    try:
        response = app.test_client().get("/boom", base_url="https://localhost")
        body = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Något gick fel" in body
        for leak in ("Traceback", "RuntimeError", "secret-internal-detail", ".py", 'File "'):
            assert leak not in body
        # The trace goes to the log, where operators look for it.
        assert "secret-internal-detail" in caplog.text
    finally:
        get_engine(app).dispose()


def test_an_unexpected_error_on_a_secret_link_logs_the_rule_not_the_token(tmp_path, caplog):  # type: ignore[no-untyped-def]
    app = make_test_app(tmp_path, ENV="production", SECRET_KEY="p" * 48, TESTING=False, DEBUG=False)

    def explode(token: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    app.add_url_rule("/me/<token>/boom", "boom", explode)
    token = "t" * 43
    try:
        response = app.test_client().get(f"/me/{token}/boom", base_url="https://localhost")
        assert response.status_code == 500
        assert "/me/<token>/boom" in caplog.text  # which page failed is still logged
        assert token not in caplog.text
    finally:
        get_engine(app).dispose()


# --- a database error quotes what it refused: never the phone number or e-mail -------------------

KNOWN_PHONE = "+46701112233"
KNOWN_EMAIL = "forsta.person@example.org"
NEW_PHONE = "+46709998877"


def _duplicate_phone(session) -> None:  # type: ignore[no-untyped-def]
    session.add(User(name="Andra Person", phone_e164=KNOWN_PHONE, email="andra@example.org"))


def _duplicate_email(session) -> None:  # type: ignore[no-untyped-def]
    session.add(User(name="Andra Person", phone_e164=NEW_PHONE, email=KNOWN_EMAIL))


def _nul_in_a_name(session) -> None:  # type: ignore[no-untyped-def]
    # Nothing lets a NUL through any more (web/errors.py, the CSV import); forced here.
    session.add(User(name="Andra\x00Person", phone_e164=NEW_PHONE, email="andra@example.org"))


@pytest.mark.parametrize(
    "write",
    [
        _duplicate_phone,
        _duplicate_email,
        pytest.param(_nul_in_a_name, marks=pytest.mark.postgres),  # SQLite stores NUL
    ],
)
def test_a_database_error_logs_no_phone_number_email_or_name(tmp_path, caplog, write):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    app = make_test_app(tmp_path, ENV="production", SECRET_KEY="p" * 48, TESTING=False, DEBUG=False)
    assert get_engine(app).hide_parameters  # a driver error never shows the bound values
    with app.app_context(), session_scope(get_engine(app)) as session:
        session.add(User(name="Första Person", phone_e164=KNOWN_PHONE, email=KNOWN_EMAIL))

    def forced():  # type: ignore[no-untyped-def]
        session = db_session()
        write(session)
        session.flush()
        return "stored"

    app.add_url_rule("/forced", "forced", forced, methods=["POST"])
    try:
        response = app.test_client().post("/forced", base_url="https://localhost")
        assert response.status_code == 500
        errors = [r for r in caplog.records if r.getMessage().startswith("Unhandled error")]
        assert errors and "Error" in (errors[0].exc_text or ""), caplog.text  # the trace is kept
        needles = _variants(KNOWN_PHONE) | _variants(NEW_PHONE)
        needles |= {KNOWN_EMAIL, "andra@example.org", "Andra Person", "Andra\x00Person"}
        leaked = sorted(needle for needle in needles if needle in caplog.text)
        assert not leaked, f"found in the log: {leaked}\n{caplog.text}"
    finally:
        get_engine(app).dispose()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            'duplicate key value violates unique constraint "user_account_phone_e164_key"\n'
            "DETAIL:  Key (phone_e164)=(+46701112233) already exists.",
            "DETAIL:  Key (phone_e164)=(***) already exists.",
        ),
        ("Failing row contains (7, Anna Berg, null, 1980).", "Failing row contains (***)."),
        ("sent to +46701112233 and +46 70 111 22 33", "sent to +*** and +***"),
        ("mail to anna.berg+x@example.co.uk failed", "mail to ***@*** failed"),
        (
            "SMS 12 to +46701****33 sent at 2026-11-20 21:00",
            "SMS 12 to +46701****33 sent at 2026-11-20 21:00",
        ),
    ],
)
def test_redact_masks_numbers_and_addresses(text, masked):  # type: ignore[no-untyped-def]
    assert masked in redact(text)
