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
