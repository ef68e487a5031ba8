"""Secret links (entropy, hashing, constant-time compare, expiry, rotation, one purpose) and
sessions (cookie flags, logout, no fixation) plus rate limits on the public entry points."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel
from twilio.request_validator import RequestValidator

from nattvandring import clock, tokens
from nattvandring.db import get_engine, session_scope
from nattvandring.mail.models import EmailMessage
from tests.factories import PASSWORD, login
from tests.security.conftest import NOW, build_rich_world
from tests.support.database import make_test_app

URLSAFE = re.compile(r"^[A-Za-z0-9_-]{43,}$")
KINDS = ("personal_vol_a", "feed_vol_a", "assoc_feed_a", "invitation", "reset")


@pytest.fixture
def rich(app):  # type: ignore[no-untyped-def]
    clock.freeze(NOW)
    with app.test_request_context(), session_scope(get_engine(app)) as session:
        return build_rich_world(session, app.config["SECRET_KEY"])


def _reset_token_by_mail(app, client, email: str) -> str:  # type: ignore[no-untyped-def]
    assert client.post("/reset", data={"email": email}).status_code == 302
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        mail = session.exec(
            select(EmailMessage)
            .where(EmailMessage.to_address == email)
            .order_by(
                EmailMessage.id.desc()  # type: ignore[union-attr]
            )
        ).first()
        body = mail[0].body_text  # type: ignore[index]
    match = re.search(r"/reset/([A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def test_every_secret_link_has_at_least_256_bits(app, client, rich):  # type: ignore[no-untyped-def]
    emailed = _reset_token_by_mail(app, client, rich.emails["coord_b"])
    for raw in [rich.raw[kind] for kind in KINDS] + [emailed]:
        assert URLSAFE.match(raw), raw  # 43 urlsafe base64 characters carry 258 bits


def _text_values(app) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    found = []
    with get_engine(app).connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = list(table.columns)
            for row in connection.execute(select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str | dict | list) and value:
                        found.append((table.name, column.name, str(value)))
    return found


# An e-mail waiting in the outbox holds its single-use link until the worker sends it; after
# that the stored copy is redacted (tests/mail/test_redaction.py).
OUTBOX_BODIES = {("email_outbox", "body_text")}


def test_raw_tokens_are_stored_only_as_hashes(app, client, rich):  # type: ignore[no-untyped-def]
    emailed = _reset_token_by_mail(app, client, rich.emails["coord_b"])
    raws = [rich.raw[kind] for kind in KINDS] + [emailed]
    values = _text_values(app)
    assert len({table for table, _, _ in values}) > 10  # the scan really reads the tables
    for raw in raws:
        hits = {(table, column) for table, column, value in values if raw in value}
        assert hits <= OUTBOX_BODIES, (raw, hits)
        assert any(value == tokens.hash_token(raw) for _, _, value in values), (raw, raws)


def test_tokens_are_compared_in_constant_time(app, client, rich, monkeypatch):  # type: ignore[no-untyped-def]
    calls = []
    real = hmac.compare_digest

    def spy(a, b):  # type: ignore[no-untyped-def]
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    assert client.get(f"/me/{rich.raw['personal_vol_a']}").status_code == 200
    assert (tokens.hash_token(rich.raw["personal_vol_a"]),) * 2 in calls


@pytest.mark.parametrize(
    ("kind", "path", "hours"),
    [("invitation", "/invitation/{}", 168), ("reset", "/reset/{}", 2)],
)
def test_invitation_and_reset_links_expire(app, client, rich, kind, path, hours):  # type: ignore[no-untyped-def]
    url = path.format(rich.raw[kind])
    clock.freeze(NOW + timedelta(hours=hours) - timedelta(minutes=1))
    assert client.get(url).status_code == 200
    clock.freeze(NOW + timedelta(hours=hours, minutes=1))
    assert client.get(url).status_code == 404


def test_reset_link_works_once(app, client, rich):  # type: ignore[no-untyped-def]
    url = f"/reset/{rich.raw['reset']}"
    new = {"new_password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"}
    response = client.post(url, data=new | {"confirm_password": new["new_password"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    client.post("/logout")
    assert client.get(url).status_code == 404


def test_personal_link_rotation_kills_the_old_link(app, client, rich):  # type: ignore[no-untyped-def]
    old = rich.raw["personal_vol_a"]
    response = client.post(f"/me/{old}/rotate")
    assert response.status_code == 302
    new = response.headers["Location"].rsplit("/me/", 1)[1].split("#")[0]
    assert new != old and URLSAFE.match(new)
    assert client.get(f"/me/{old}").status_code == 404
    assert client.get(f"/me/{new}").status_code == 200


def test_feed_rotation_kills_the_old_feed(app, client, rich):  # type: ignore[no-untyped-def]
    old = rich.raw["feed_vol_a"]
    assert client.get(f"/feeds/personal/{old}.ics").status_code == 200
    response = client.post(f"/me/{rich.raw['personal_vol_a']}/calendar/rotate")
    assert response.status_code == 302
    assert client.get(f"/feeds/personal/{old}.ics").status_code == 404
    # The personal page still works and shows a new feed link.
    page = client.get(f"/me/{rich.raw['personal_vol_a']}").get_data(as_text=True)
    new = re.search(r"/feeds/personal/([A-Za-z0-9_-]+)\.ics", page)
    assert new and new.group(1) != old
    assert client.get(f"/feeds/personal/{new.group(1)}.ics").status_code == 200


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("feed_vol_a", "/me/{}"),
        ("assoc_feed_a", "/me/{}"),
        ("personal_vol_a", "/feeds/personal/{}.ics"),
        ("personal_vol_a", "/feeds/association/{}.ics"),
        ("feed_vol_a", "/feeds/association/{}.ics"),
        ("reset", "/invitation/{}"),
        ("invitation", "/reset/{}"),
        ("personal_vol_a", "/reset/{}"),
        ("invitation", "/me/{}"),
    ],
)
def test_each_token_opens_only_its_own_door(app, client, rich, kind, path):  # type: ignore[no-untyped-def]
    assert client.get(path.format(rich.raw[kind])).status_code == 404


def test_session_cookie_flags_in_development(client, world):  # type: ignore[no-untyped-def]
    response = login(client, world.emails["coord_h"])
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("nv_session"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_in_production(tmp_path):  # type: ignore[no-untyped-def]
    app = make_test_app(tmp_path, ENV="production", SECRET_KEY="s" * 48)
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["REMEMBER_COOKIE_SECURE"] is True
        with app.test_request_context():
            from flask import session

            session["probe"] = 1
            response = app.make_response("x")
            app.session_interface.save_session(app, session, response)
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        get_engine(app).dispose()


def test_a_session_cookie_replayed_after_logout_is_refused(client, world):  # type: ignore[no-untyped-def]
    login(client, world.emails["coord_h"])
    stolen = client.get_cookie("nv_session").value
    assert client.get("/messages").status_code == 200
    assert client.post("/logout").status_code == 302
    client.set_cookie("nv_session", stolen)
    response = client.get("/messages")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remember_cookie_replayed_after_logout_is_refused(app, client, world):  # type: ignore[no-untyped-def]
    data = {"email": world.emails["coord_h"], "password": PASSWORD, "remember": "y"}
    assert client.post("/login", data=data).status_code == 302
    stolen = client.get_cookie("nv_remember").value
    before = app.test_client()
    before.set_cookie("nv_remember", stolen)
    assert before.get("/messages").status_code == 200  # the cookie alone logs in
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("nv_remember", stolen)
    response = thief.get("/messages")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_starts_a_fresh_session(client, world):  # type: ignore[no-untyped-def]
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    before = client.get_cookie("nv_session").value
    login(client, world.emails["coord_h"])
    assert client.get_cookie("nv_session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id", "").startswith(f"{world.ids['coord_h']}:")


def _limited_app(tmp_path, **limits):  # type: ignore[no-untyped-def]
    return make_test_app(tmp_path, RATELIMIT_ENABLED=True, **limits)


def test_login_is_rate_limited(tmp_path):  # type: ignore[no-untyped-def]
    app = _limited_app(tmp_path, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    data = {"email": "nobody@example.org", "password": PASSWORD}
    assert [client.post("/login", data=data).status_code for _ in range(4)] == [200] * 3 + [429]
    get_engine(app).dispose()


def test_reset_and_registration_are_rate_limited(tmp_path):  # type: ignore[no-untyped-def]
    app = _limited_app(tmp_path, RATELIMIT_PUBLIC_FORMS="2 per hour")
    client = app.test_client()
    resets = [client.post("/reset", data={"email": "x@example.org"}).status_code for _ in range(3)]
    assert resets == [302, 302, 429]
    registrations = [client.post("/register", data={}).status_code for _ in range(3)]
    assert registrations == [422, 422, 429]
    links = [client.post(f"/reset/{'x' * 43}", data={}).status_code for _ in range(3)]
    assert links == [404, 404, 429]
    invitations = [client.post(f"/invitation/{'x' * 43}", data={}).status_code for _ in range(3)]
    assert invitations == [404, 404, 429]
    get_engine(app).dispose()


@pytest.mark.parametrize(
    ("path", "ok"), [("/webhooks/twilio/inbound", 200), ("/webhooks/twilio/status", 204)]
)
def test_webhooks_are_rate_limited(tmp_path, path, ok):  # type: ignore[no-untyped-def]
    public = "https://nattvandring.example.se"
    app = _limited_app(
        tmp_path,
        RATELIMIT_WEBHOOKS="2 per minute",
        TWILIO_AUTH_TOKEN="twilio-auth-token",
        PUBLIC_BASE_URL=public,
    )
    client = app.test_client()
    statuses = []
    for n in range(3):
        params = {
            "From": "+46701234567",
            "To": "+46766861004",
            "Body": "JA",
            "MessageSid": f"SM{n}",
            "MessageStatus": "delivered",
        }
        signature = RequestValidator("twilio-auth-token").compute_signature(public + path, params)
        response = client.post(path, data=params, headers={"X-Twilio-Signature": signature})
        statuses.append(response.status_code)
    assert statuses == [ok, ok, 429]
    get_engine(app).dispose()
