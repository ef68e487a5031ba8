"""Settings: committed defaults, then NATTVANDRING_* environment variables, then overrides.

Every key has a default in ``config/default.toml``; its type there decides how an environment
value is parsed (booleans accept 1/0/true/false/yes/no, lists are comma-separated).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
DEFAULTS_FILE = CONFIG_DIR / "default.toml"
ENV_PREFIX = "NATTVANDRING_"
DEFAULT_SECRET = "insecure-development-key"  # noqa: S105 - the value production refuses
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """A setting is missing or invalid; the message says which and how to fix it."""


def load_defaults() -> dict[str, Any]:
    with DEFAULTS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def _parse(key: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off", ""}:
            return False
        raise SettingsError(f"{ENV_PREFIX}{key} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{key} must be a whole number") from exc
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}{key} must be a number") from exc
    if isinstance(default, list):
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if default and isinstance(default[0], int):
            return [int(item) for item in items]
        return items
    return raw


def from_environment(defaults: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, default in defaults.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is not None:
            values[key] = _parse(key, raw, default)
    # The conventional DATABASE_URL works too, below the prefixed variable.
    if "DATABASE_URL" not in values and environ.get("DATABASE_URL"):
        values["DATABASE_URL"] = environ["DATABASE_URL"]
    return values


def build_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Merge defaults, environment and overrides, then derive and check dependent values."""
    defaults = load_defaults()
    settings = dict(defaults)
    settings.update(from_environment(defaults, os.environ if environ is None else environ))
    settings.update(overrides or {})
    if not settings.get("DATABASE_URL"):
        settings["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'nattvandring.sqlite3'}"
    settings["PRODUCTION"] = settings["ENV"] == "production"
    if isinstance(settings["SECRET_KEY_FALLBACKS"], str):  # an override written as in the env
        settings["SECRET_KEY_FALLBACKS"] = _parse(
            "SECRET_KEY_FALLBACKS", settings["SECRET_KEY_FALLBACKS"], []
        )
    check(settings)
    return settings


def is_real_secret(key: object) -> bool:
    """At least 32 characters and not the public development key."""
    return isinstance(key, str) and key != DEFAULT_SECRET and len(key) >= MIN_SECRET_LENGTH


def check(settings: Mapping[str, Any]) -> None:
    if settings["ENV"] not in {"development", "production"}:
        raise SettingsError("NATTVANDRING_ENV must be 'development' or 'production'")
    if settings["PRODUCTION"]:
        secret = settings.get("SECRET_KEY") or ""
        if not is_real_secret(secret):
            raise SettingsError(
                "Refusing to start in production without a real SECRET_KEY. Set "
                "NATTVANDRING_SECRET_KEY to a random value of at least 32 characters, e.g. "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        # A previous key still opens sessions and links, so it must be as strong.
        if not all(is_real_secret(key) for key in settings.get("SECRET_KEY_FALLBACKS") or ()):
            raise SettingsError(
                "Refusing to start in production with a weak key in SECRET_KEY_FALLBACKS. "
                "Every previous key must be a real secret of at least 32 characters; remove "
                "the others from NATTVANDRING_SECRET_KEY_FALLBACKS."
            )
    if settings["PRODUCTION"] and settings.get("TEST_CLOCK_FILE"):
        raise SettingsError(
            "NATTVANDRING_TEST_CLOCK_FILE moves the clock for end-to-end tests and is refused "
            "in production. Unset it."
        )
    if settings["SMS_BACKEND"] not in {"console", "twilio"}:
        raise SettingsError("NATTVANDRING_SMS_BACKEND must be 'console' or 'twilio'")
    if settings["MAIL_BACKEND"] not in {"console", "smtp"}:
        raise SettingsError("NATTVANDRING_MAIL_BACKEND must be 'console' or 'smtp'")
    if int(settings["PROXY_FIX_HOPS"]) < 0:
        raise SettingsError("NATTVANDRING_PROXY_FIX_HOPS cannot be negative")
