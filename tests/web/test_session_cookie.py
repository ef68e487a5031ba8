"""The session cookie (web/session_cookie.py): one signing serializer per set of keys, and a
cookie still opens only with a key that is configured."""

from __future__ import annotations

import time

from flask import session

OTHER_KEY = "another-secret-key-that-is-long-enough-42"


def _signed_cookie(app) -> str:
    with app.test_request_context():
        session["probe"] = "kept"
        response = app.make_response("x")
        app.session_interface.save_session(app, session, response)
    return response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


def _opened(app, cookie: str) -> dict:
    environ = {"HTTP_COOKIE": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    with app.test_request_context(environ_base=environ):
        return dict(session)


def test_the_serializer_is_built_once_per_set_of_keys(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.config["SECRET_KEY_FALLBACKS"] = [OTHER_KEY]
    assert interface.get_signing_serializer(app) is not first


def test_a_cookie_opens_only_with_a_configured_key(app):
    cookie = _signed_cookie(app)
    assert _opened(app, cookie) == {"probe": "kept"}
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = OTHER_KEY
    assert _opened(app, cookie) == {}
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert _opened(app, cookie) == {"probe": "kept"}


def _request_with(app, cookie: str) -> str | None:
    """The Set-Cookie header for the session after a request that only reads it."""
    environ = {"HTTP_COOKIE": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    with app.test_request_context(environ_base=environ):
        assert session.get("probe") == "kept"
        response = app.make_response("x")
        app.session_interface.save_session(app, session, response)
    return response.headers.get("Set-Cookie")


def _permanent_cookie(app) -> str:
    with app.test_request_context():
        session.permanent = True
        session["probe"] = "kept"
        response = app.make_response("x")
        app.session_interface.save_session(app, session, response)
    return response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


def test_an_unchanged_login_is_not_signed_anew_on_every_response(app):
    assert _request_with(app, _permanent_cookie(app)) is None


def test_an_unchanged_login_is_signed_anew_once_a_twelfth_of_its_lifetime_passed(app, monkeypatch):
    lifetime = app.permanent_session_lifetime.total_seconds()
    signed = time.time() - lifetime / 12 - 5
    monkeypatch.setattr(time, "time", lambda: signed)
    cookie = _permanent_cookie(app)
    monkeypatch.undo()
    refreshed = _request_with(app, cookie)
    assert refreshed is not None and "Expires=" in refreshed
    assert _opened(app, refreshed.split(";")[0].split("=", 1)[1]) == {
        "_permanent": True,
        "probe": "kept",
    }


def test_a_login_signed_with_a_previous_key_is_signed_anew_with_the_current_key(app):
    cookie = _permanent_cookie(app)
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = OTHER_KEY
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    refreshed = _request_with(app, cookie)
    assert refreshed is not None
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _opened(app, refreshed.split(";")[0].split("=", 1)[1])["probe"] == "kept"
