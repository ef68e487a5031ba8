"""Flask-Login wiring: identities load with their memberships from the request's session."""

from __future__ import annotations

from flask import Flask, flash, g, redirect, url_for

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

    @login_manager.unauthorized_handler
    def _to_login():  # type: ignore[no-untyped-def]
        # Flask-Login's own handler copies the whole request URL, query string included and
        # unbounded, into ?next= of the Location header; the login page always continues to
        # the start page, so it gets no return address.
        flash(str(login_manager.login_message), login_manager.login_message_category)
        return redirect(url_for("accounts.login"))

    @login_manager.user_loader
    def _load(login_id: str) -> Identity | None:
        return load_identity(db_session(), login_id)
