"""Where a POST came from, in production over HTTPS: the token, Sec-Fetch-Site and Origin.

Flask-WTF's Referer check is off (browsers send none under our Referrer-Policy, or
``Origin: null`` under no-referrer); these tests pin down what replaced it.
"""

from __future__ import annotations

import re

import pytest

from nattvandring.db import get_engine, session_scope
from nattvandring.web.csrf import cross_site_reason, origin_of
from tests.factories import PASSWORD, build_world
from tests.support.database import make_test_app

PUBLIC = "https://nattvandring.example.se"
CROSS_SITE_SV = "Formuläret skickades från en annan webbplats"
CROSS_SITE_EN = "The form was sent from another website"
TOKEN_SV = "saknar säkerhetstoken"


def production_app(tmp_path, **overrides):  # type: ignore[no-untyped-def]
    """The production settings that matter here: CSRF on, secure cookies, an HTTPS base URL;
    and the test world, whose admin logs in."""
    settings = {
        "ENV": "production",
        "SECRET_KEY": "production-secret-key-that-is-long-enough-0001",
        "WTF_CSRF_ENABLED": True,
        "PUBLIC_BASE_URL": PUBLIC,
    }
    app = make_test_app(tmp_path, **(settings | overrides))
    with app.app_context(), session_scope(get_engine(app)) as session:
        admin = build_world(session).emails["admin"]
    return app, admin


@pytest.fixture
def production(tmp_path):  # type: ignore[no-untyped-def]
    app, admin = production_app(tmp_path)
    yield app, admin
    get_engine(app).dispose()


def login_token(client, base_url: str = PUBLIC, headers: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login", base_url=base_url, headers=headers or {})
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    assert found, "no CSRF token on the login page"
    return found.group(1)


def _login(production, headers: dict[str, str], *, token: bool = True):  # type: ignore[no-untyped-def]
    """GET the login page, then POST it back with ``headers`` (and its token); returns the
    answer and whether the client is now logged in."""
    app, admin = production
    client = app.test_client()
    data = {"email": admin, "password": PASSWORD}
    if token:
        data["csrf_token"] = login_token(client)
    response = client.post("/login", data=data, headers=headers, base_url=PUBLIC)
    logged_in = client.get("/account/password", base_url=PUBLIC).status_code == 200
    return response, logged_in


@pytest.mark.parametrize(
    "headers",
    [
        # Chromium on our own form, and what it sent under Referrer-Policy: no-referrer.
        {"Sec-Fetch-Site": "same-origin", "Origin": PUBLIC, "Referer": PUBLIC + "/login"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
        # A browser without Fetch Metadata: the Origin alone, or nothing at all.
        {"Origin": PUBLIC},
        {"Origin": "HTTPS://NATTVANDRING.EXAMPLE.SE:443"},
        {"Origin": "null"},
        {},
    ],
    ids=["chromium", "chromium-no-referrer", "origin", "origin-spelled-out", "null", "nothing"],
)
def test_a_post_from_this_site_with_its_token_logs_in_over_https(production, headers):
    response, logged_in = _login(production, headers)
    assert response.status_code == 302, response.text
    assert logged_in
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("nv_session"))
    assert "Secure" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://angripare.example"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "null"},
        # Another origin on the same site (a sibling subdomain): SameSite=Lax lets its
        # cookies through, so only this check stops it before the token does.
        {"Sec-Fetch-Site": "same-site", "Origin": "https://elev.example.se"},
        # Fetch Metadata beats a forged-looking Origin: the browser computed it.
        {"Sec-Fetch-Site": "cross-site", "Origin": PUBLIC},
        {"Origin": "https://angripare.example"},
        {"Origin": "http://nattvandring.example.se"},  # the same host over plain HTTP
        {"Origin": "https://nattvandring.example.se:8443"},
        {"Origin": "not a url"},
    ],
)
def test_a_post_from_another_site_is_refused_even_with_a_valid_token(production, headers):
    response, logged_in = _login(production, headers)
    assert response.status_code == 400
    assert CROSS_SITE_SV in response.text
    assert not logged_in


def test_the_refusal_is_translated(production):
    headers = {"Sec-Fetch-Site": "cross-site", "Accept-Language": "en"}
    response, _logged_in = _login(production, headers)
    assert response.status_code == 400
    assert CROSS_SITE_EN in response.text and 'lang="en"' in response.text


def test_the_token_is_still_required_from_this_site(production):
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": PUBLIC}
    response, logged_in = _login(production, headers, token=False)
    assert response.status_code == 400
    assert TOKEN_SV in response.text
    assert not logged_in


def test_behind_the_proxy_the_forwarded_origin_counts(tmp_path):
    """nginx with PROXY_FIX_HOPS=1 on a port of its own: the Origin the browser sends is the
    forwarded scheme, host and port, though PUBLIC_BASE_URL names another address."""
    app, admin = production_app(tmp_path, PROXY_FIX_HOPS=1)
    try:
        forwarded = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "127.0.0.1",
            "X-Forwarded-Port": "8443",
            "X-Forwarded-For": "127.0.0.1",
        }
        plain = "http://127.0.0.1:8000"  # what gunicorn sees
        client = app.test_client()
        page = client.get("/login", base_url=plain, headers=forwarded)
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")  # HTTPS seen
        data = {
            "email": admin,
            "password": PASSWORD,
            "csrf_token": login_token(client, plain, forwarded),
        }
        refused = client.post(
            "/login", data=data, base_url=plain, headers={**forwarded, "Origin": plain}
        )
        assert refused.status_code == 400 and CROSS_SITE_SV in refused.text
        accepted = client.post(
            "/login",
            data=data,
            base_url=plain,
            headers={**forwarded, "Origin": "https://127.0.0.1:8443"},
        )
        assert accepted.status_code == 302, accepted.text
    finally:
        get_engine(app).dispose()


def test_twilio_webhooks_stay_exempt(production):
    """No token and no browser: the signature check answers (403), not the CSRF check."""
    client = production[0].test_client()
    for headers in ({}, {"Sec-Fetch-Site": "cross-site", "Origin": "https://angripare.example"}):
        response = client.post(
            "/webhooks/twilio/inbound", data={"Body": "JA"}, headers=headers, base_url=PUBLIC
        )
        assert response.status_code == 403, response.text


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Nattvandring.Example.SE/", "https://nattvandring.example.se"),
        ("https://nattvandring.example.se:443/login", "https://nattvandring.example.se"),
        ("http://127.0.0.1:80", "http://127.0.0.1"),
        ("http://127.0.0.1:5000/x?y", "http://127.0.0.1:5000"),
        ("https://[::1]:8443/", "https://[::1]:8443"),
        ("null", None),
        ("ftp://example.se", None),
        ("https://", None),
        ("https://example.se:99999", None),
    ],
)
def test_origin_of(url, origin):
    assert origin_of(url) == origin


@pytest.mark.parametrize(
    ("fetch_site", "origin", "refused"),
    [
        ("same-origin", None, False),
        ("none", None, False),
        ("Same-Origin", "null", False),
        ("cross-site", None, True),
        ("same-site", PUBLIC, True),
        ("bogus", PUBLIC, True),
        (None, PUBLIC, False),
        (None, PUBLIC + ":443", False),
        (None, "https://angripare.example", True),
        (None, "null", False),
        (None, None, False),
        (None, "", False),
    ],
)
def test_cross_site_reason(fetch_site, origin, refused):
    reason = cross_site_reason(
        fetch_site=fetch_site, origin=origin, own_origins=(origin_of(PUBLIC), None)
    )
    assert (reason is not None) is refused
