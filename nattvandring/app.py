"""The application factory. No module-level app: the CLI, jobs and tests each build one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from importlib import import_module
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db
from .discovery import area_blueprints
from .extensions import csrf, limiter
from .settings import ROOT, build_settings
from .web.session_cookie import SessionInterface


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    settings = build_settings(overrides)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(settings)
    _configure_flask(app)

    from .logging_setup import configure_logging

    configure_logging(app)
    if app.config["TEST_CLOCK_FILE"]:
        # Only reachable outside production (settings.check refuses it there).
        from . import clock

        clock.follow_file(app.config["TEST_CLOCK_FILE"])
        app.logger.warning("The clock is read from TEST_CLOCK_FILE (end-to-end tests only)")
    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    db.init_app(app)
    csrf.init_app(app)
    # Flask-Limiter keeps "enabled" on the one shared limiter; state it for every app.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)

    from .web import caching, converters, errors, i18n_setup, security_headers
    from .web.auth_setup import init_login

    converters.init_app(app)
    i18n_setup.init_app(app)
    init_login(app)
    security_headers.init_app(app)
    errors.init_app(app)
    caching.init_app(app)

    import_module("nattvandring.models")
    from .authz import load_policies
    from .events import load_subscribers

    load_policies()
    load_subscribers()
    for bp in area_blueprints():
        app.register_blueprint(bp)

    from .web.template_helpers import init_app as init_template_helpers

    init_template_helpers(app)
    from .extensions import drop_idle_limiter_hooks

    drop_idle_limiter_hooks(app)
    return app


def _configure_flask(app: Flask) -> None:
    secure_cookies = app.config["PRODUCTION"] or bool(app.config["SECURE_COOKIES"])
    app.config.update(
        SESSION_COOKIE_NAME="nv_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(app.config["SESSION_LIFETIME_HOURS"])),
        REMEMBER_COOKIE_NAME="nv_remember",
        REMEMBER_COOKIE_DURATION=timedelta(days=int(app.config["REMEMBER_COOKIE_DAYS"])),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure_cookies,
        REMEMBER_COOKIE_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,
        # Flask-WTF's HTTPS check wants a Referer from this host, which our Referrer-Policy
        # and many privacy settings withhold: every POST over HTTPS would fail. Where a POST
        # comes from is checked with Sec-Fetch-Site and Origin instead (web/csrf.py).
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=app.config["LANGUAGES"][0],
        BABEL_DEFAULT_TIMEZONE="UTC",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "nattvandring" / "translations"),
        PROPAGATE_EXCEPTIONS=app.config.get("PROPAGATE_EXCEPTIONS", None),
    )
    app.session_interface = SessionInterface()
