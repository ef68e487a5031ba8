"""The session cookie (web/session_cookie.py): one signing serializer per set of keys, and a
cookie still opens only with a key that is configured."""

from __future__ import annotations

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
