"""Flask-Login wiring: identities load with their memberships from the request's session."""

from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login.utils import decode_cookie

from ..accounts.identity import Identity, load_identity
from ..db import db_session
from ..extensions import login_manager
from ..i18n import _l


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Logga in för att se sidan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.before_request
    def _identity_per_request() -> None:
        # Flask-Login caches the user on ``g``; when an outer app context is reused (tests,
        # CLI), a cached identity must never carry over from one request to the next.
        g.pop("_login_user", None)
        _remember_cookie_of_a_previous_key()

    @login_manager.unauthorized_handler
    def _to_login():
        # Flask-Login's own handler copies the whole request URL, query string included and
        # unbounded, into ?next= of the Location header; the login page always continues to
        # the start page, so it gets no return address.
        flash(str(login_manager.login_message), login_manager.login_message_category)
        return redirect(url_for("accounts.login"))

    @login_manager.user_loader
    def _load(login_id: str) -> Identity | None:
        return load_identity(db_session(), login_id)


def _remember_cookie_of_a_previous_key() -> None:
    """Flask checks the session cookie against SECRET_KEY_FALLBACKS too, but Flask-Login
    signs and checks its remember cookie with SECRET_KEY alone. A remember cookie signed
    with a previous key therefore logs in here, as Flask-Login would, and is signed anew
    with the current key on the way out (``_remember = "set"``). The login id still carries
    the session version, so a logged-out cookie stays logged out."""
    cookie = request.cookies.get(current_app.config["REMEMBER_COOKIE_NAME"])
    if not cookie or "_user_id" in session or session.get("_remember") == "clear":
        return
    if decode_cookie(cookie) is not None:
        return  # the current key: Flask-Login reads it itself
    for key in current_app.config.get("SECRET_KEY_FALLBACKS") or ():
        login_id = decode_cookie(cookie, key=key)
        if login_id is not None:
            session["_user_id"] = login_id
            session["_fresh"] = False
            session["_remember"] = "set"
            return
