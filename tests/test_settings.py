"""Settings precedence and the production guard."""

from __future__ import annotations

import pytest

from nattvandring.app import create_app
from nattvandring.settings import SettingsError, build_settings


def test_defaults_come_from_the_committed_toml():
    settings = build_settings(environ={})
    assert settings["SMS_BACKEND"] == "console"
    assert settings["SMS_REMINDER_OFFSETS_HOURS"] == [24, 3]
    assert settings["DATABASE_URL"].startswith("sqlite:///")
    assert settings["DATABASE_URL"].endswith("var/nattvandring.sqlite3")


def test_environment_overrides_defaults_and_overrides_win():
    environ = {
        "NATTVANDRING_SMS_BACKEND": "twilio",
        "NATTVANDRING_PROXY_FIX_HOPS": "2",
        "NATTVANDRING_SMTP_STARTTLS": "yes",
        "NATTVANDRING_SMS_REMINDER_OFFSETS_HOURS": "48, 2",
    }
    settings = build_settings(environ=environ)
    assert settings["SMS_BACKEND"] == "twilio"
    assert settings["PROXY_FIX_HOPS"] == 2
    assert settings["SMTP_STARTTLS"] is True
    assert settings["SMS_REMINDER_OFFSETS_HOURS"] == [48, 2]
    settings = build_settings({"PROXY_FIX_HOPS": 0}, environ=environ)
    assert settings["PROXY_FIX_HOPS"] == 0


def test_plain_database_url_is_honoured_below_the_prefixed_one():
    assert build_settings(environ={"DATABASE_URL": "postgresql://a/b"})["DATABASE_URL"] == (
        "postgresql://a/b"
    )
    both = {"DATABASE_URL": "postgresql://a/b", "NATTVANDRING_DATABASE_URL": "postgresql://c/d"}
    assert build_settings(environ=both)["DATABASE_URL"] == "postgresql://c/d"


def test_bad_values_are_explained():
    with pytest.raises(SettingsError, match="NATTVANDRING_PROXY_FIX_HOPS must be a whole number"):
        build_settings(environ={"NATTVANDRING_PROXY_FIX_HOPS": "many"})
    with pytest.raises(SettingsError, match="SMS_BACKEND"):
        build_settings({"SMS_BACKEND": "carrier-pigeon"}, environ={})


@pytest.mark.parametrize("secret", [None, "insecure-development-key", "short"])
def test_production_refuses_a_missing_or_default_secret(secret, tmp_path):
    overrides = {"ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    if secret is not None:
        overrides["SECRET_KEY"] = secret
    with pytest.raises(SettingsError, match="Refusing to start in production"):
        create_app(overrides)


def test_production_with_a_real_secret_starts_with_secure_cookies(tmp_path):
    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 48,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_test_clock_file_is_refused_in_production(tmp_path):
    clock_file = tmp_path / "now.txt"
    clock_file.write_text("2026-03-16T10:00:00+01:00", encoding="utf-8")
    with pytest.raises(SettingsError, match="TEST_CLOCK_FILE"):
        build_settings(
            {
                "ENV": "production",
                "SECRET_KEY": "x" * 40,
                "TEST_CLOCK_FILE": str(clock_file),
            },
            environ={},
        )
    with pytest.raises(SettingsError, match="TEST_CLOCK_FILE"):
        build_settings(
            environ={
                "NATTVANDRING_ENV": "production",
                "NATTVANDRING_SECRET_KEY": "x" * 40,
                "NATTVANDRING_TEST_CLOCK_FILE": str(clock_file),
            }
        )


def test_previous_keys_come_from_the_environment_as_a_list():
    assert build_settings(environ={})["SECRET_KEY_FALLBACKS"] == []
    old, older = "o" * 40, "p" * 40
    environ = {"NATTVANDRING_SECRET_KEY_FALLBACKS": f"{old}, {older}"}
    assert build_settings(environ=environ)["SECRET_KEY_FALLBACKS"] == [old, older]
    assert build_settings({"SECRET_KEY_FALLBACKS": old}, environ={})["SECRET_KEY_FALLBACKS"] == [
        old
    ]


@pytest.mark.parametrize("previous", ["insecure-development-key", "short", "y" * 31])
def test_production_refuses_a_weak_previous_key(previous):
    environ = {
        "NATTVANDRING_ENV": "production",
        "NATTVANDRING_SECRET_KEY": "x" * 40,
        "NATTVANDRING_SECRET_KEY_FALLBACKS": f"{'z' * 40},{previous}",
    }
    with pytest.raises(SettingsError, match="SECRET_KEY_FALLBACKS"):
        build_settings(environ=environ)
    environ["NATTVANDRING_SECRET_KEY_FALLBACKS"] = "z" * 40
    assert build_settings(environ=environ)["SECRET_KEY_FALLBACKS"] == ["z" * 40]
    # Development takes any previous key, as it takes any key.
    assert build_settings({"SECRET_KEY_FALLBACKS": [previous]}, environ={})
