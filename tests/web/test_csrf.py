"""Every form route rejects a POST without a CSRF token (walks the whole URL map)."""

from __future__ import annotations

import re

from werkzeug.routing import Rule

from tests.factories import login

# Endpoints that are not forms: machine-to-machine, authenticated by signature instead.
CSRF_EXEMPT_PREFIXES = ("/webhooks/",)


def _sample_url(rule: Rule) -> str:
    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or ""
        return "1" if converter.startswith(("int", "float")) else "x" * 43

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", value, rule.rule)


def test_every_post_route_requires_a_csrf_token(csrf_app, world):
    client = csrf_app.test_client()
    checked = []
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.rule.startswith(CSRF_EXEMPT_PREFIXES):
            continue
        url = _sample_url(rule)
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, f"{rule.endpoint} {url} -> {response.status_code}"
        assert "säkerhetstoken" in response.text
        checked.append(rule.endpoint)
    assert {"accounts.login", "associations.register", "web.set_language"} <= set(checked)


def test_csrf_also_applies_when_logged_in(csrf_app, world):
    client = csrf_app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/login",
        data={
            "email": world.emails["admin"],
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/account/password").status_code == 200


def test_login_helper_works_without_csrf(client, world):
    assert login(client, world.emails["admin"]).status_code == 302
