"""Flask extensions, created once and bound by the app factory."""

from __future__ import annotations

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
