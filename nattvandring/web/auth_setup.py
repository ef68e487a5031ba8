"""Flask-Login wiring: identities load with their memberships from the request's session."""

from __future__ import annotations

from flask import Flask

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

    @login_manager.user_loader
    def _load(login_id: str) -> Identity | None:
        return load_identity(db_session(), login_id)
