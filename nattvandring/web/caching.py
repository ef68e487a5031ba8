"""One cache interface for the app: Flask-Caching's ``cache``.

SimpleCache per process by default, RedisCache in production (docs/configuration.md),
NullCache turns it off. It holds what is expensive to make and never changes for its key,
such as QR codes (keyed by a hash of their URL, ``calendars/qr.py``).
"""

from __future__ import annotations

from flask import Flask
from flask_caching import Cache

cache = Cache()


def init_app(app: Flask) -> None:
    from . import page_cache  # its listeners raise the versions of every write

    app.jinja_env.globals["CSRF_SLOT"] = page_cache.CSRF_SLOT
    page_cache.code_version()  # read the code's files once at start-up, not in a request

    config = {key: value for key, value in app.config.items() if key.startswith("CACHE_")}
    if not config.get("CACHE_REDIS_URL"):
        config.pop("CACHE_REDIS_URL", None)
    cache.init_app(app, config=config)
