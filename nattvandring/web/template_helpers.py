"""Jinja filters and globals: local times, phone numbers, money, navigation."""

from __future__ import annotations

from datetime import datetime

import phonenumbers
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from ..clock import to_local
from ..sponsorship.rules import format_sek
from .nav import items_for_current_user


def local_datetime(value: datetime | None, fmt: str = "EEE d MMM yyyy HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(to_local(value).replace(tzinfo=None), fmt)


def local_time(value: datetime | None) -> str:
    return to_local(value).strftime("%H:%M") if value else ""


def local_date(value: datetime | None, fmt: str = "EEE d MMM yyyy") -> str:
    return format_date(to_local(value).date(), fmt) if value else ""


def national_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "SE")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def sek(ore: int | None) -> str:
    return "" if ore is None else format_sek(int(ore))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_time=local_time,
        local_date=local_date,
        phone=national_phone,
        sek=sek,
    )
    app.jinja_env.globals.update(
        navigation=items_for_current_user, current_locale=lambda: str(get_locale())
    )
