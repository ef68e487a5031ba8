"""The app factory, the shell, headers, error pages and languages."""

from __future__ import annotations

from werkzeug.middleware.proxy_fix import ProxyFix

from nattvandring.app import create_app


def test_factory_builds_independent_apps(app, tmp_path):
    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}", "TESTING": True})
    assert other is not app
    assert other.template_folder.endswith("templates")
    assert "web.index" in {rule.endpoint for rule in other.url_map.iter_rules()}


def test_proxy_fix_is_configurable(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert not isinstance(create_app({"DATABASE_URL": url}).wsgi_app, ProxyFix)
    assert isinstance(create_app({"DATABASE_URL": url, "PROXY_FIX_HOPS": 1}).wsgi_app, ProxyFix)


def test_landing_page_is_swedish_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="sv"' in response.text
    assert "Registrera din förening" in response.text


def test_accept_language_english_is_honoured(client):
    response = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in response.text


def test_language_switch_sticks_in_the_session(client):
    response = client.post("/lang", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert 'lang="en"' in client.get("/login").text


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/lang", data={"lang": "en", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_security_headers_on_every_page(client):
    headers = client.get("/login").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_not_found_page_is_translated_and_has_no_trace(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.text
    assert "Traceback" not in response.text


def test_unexpected_error_shows_the_500_page_without_a_trace(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Något gick fel" in response.text
    assert "secret internals" not in response.text


def test_request_id_is_echoed(client):
    assert len(client.get("/").headers["X-Request-Id"]) == 32
    assert client.get("/", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == (
        "abc-123"
    )
