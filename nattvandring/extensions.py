"""Flask extensions, created once and bound by the app factory."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager

from .web.csrf import SiteCheckingCSRFProtect

babel = Babel()
csrf = SiteCheckingCSRFProtect()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// per process, redis:// when shared).
limiter = Limiter(key_func=get_remote_address)


def _per_link() -> str:
    """The rate-limit key of a form behind a secret link: the link itself (hashed), so that
    guesses are counted per link however many addresses they come from."""
    from hashlib import sha256

    from flask import request

    return "link:" + sha256(request.path.encode()).hexdigest()


def limit_code_tries():
    """At most RATELIMIT_CODE_TRIES wrong SMS codes per link. A wrong code is answered 422
    and writes nothing (the request rolls back), so only the limiter counts it."""
    from flask import current_app

    return limiter.limit(
        lambda: current_app.config["RATELIMIT_CODE_TRIES"],
        key_func=_per_link,
        methods=["POST"],
        deduct_when=lambda response: response.status_code == 422,
        scope="code-tries",
    )


def drop_idle_limiter_hooks(app: Flask) -> None:
    """Take Flask-Limiter's before-request hook off ``app`` while nothing needs it.

    Every limit here decorates its view (``@limiter.limit``), and such a view checks its own
    limits when it is called. The before-request hook only adds application, default,
    blueprint and meta limits, of which there are none, yet it cost /healthz a third of its
    time. It stays when any such limit is configured. The after-request hook stays: it makes
    the conditional deductions (``deduct_when``).
    """
    manager = limiter.limit_manager
    if (
        manager.application_limits
        or manager.default_limits
        or getattr(manager, "_blueprint_limits", True)
        or getattr(limiter, "_meta_limits", True)
    ):
        return
    before = app.before_request_funcs.get(None, [])
    before[:] = [hook for hook in before if hook != limiter._check_request_limit]
