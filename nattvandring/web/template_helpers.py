"""Jinja filters and globals: local times, phone numbers, money, hours, navigation.

The formatting itself lives in ``nattvandring/formatting.py``; this registers it.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale

from ..formatting import (
    hours_text,
    local_date,
    local_datetime,
    local_time,
    national_phone,
    sek,
    tel_uri,
)
from .nav import items_for_current_user


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_time=local_time,
        local_date=local_date,
        phone=national_phone,
        tel=tel_uri,
        sek=sek,
        hours=hours_text,
    )
    app.jinja_env.globals.update(
        navigation=items_for_current_user, current_locale=lambda: str(get_locale())
    )
