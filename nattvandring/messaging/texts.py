"""SMS texts: one Jinja template per kind and language in ``templates/sms/<lang>/<kind>.txt``.

Texts are rendered with the app's Jinja environment, cleaned to GSM-7 where possible and
fitted to at most ``MAX_SEGMENTS`` parts by shortening the free-text values (names, area,
meeting point) with "...", never the links or the fixed wording.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app
from jinja2 import TemplateNotFound

from ..clock import local_to_utc, to_local
from ..volunteers.services import personal_page_url
from .gsm import segments, to_gsm_friendly

log = logging.getLogger(__name__)

MAX_SEGMENTS = 2
LANGUAGES = ("sv", "en")
# Where the recipient's personal link goes in a stored body (filled in at send time).
LINK_MARKER = "[[personlig-lank]]"
# Where a verification code goes (derived at send time from the row's dedupe key).
CODE_MARKER = "[[kod]]"
# A stand-in of the real link's length (a stable link token has 43 characters).
TOKEN_LENGTH = 43
MIN_FREE_TEXT = 8

_WEEKDAYS = {
    "sv": ("mån", "tis", "ons", "tor", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def language_of(value: str | None) -> str:
    code = (value or "sv").split("-")[0].lower()
    return code if code in LANGUAGES else "sv"


def local_day(instant: datetime, language: str) -> str:
    """'lör 27 mars' / 'Sat 27 Mar' in Stockholm time."""
    local = to_local(instant)
    lang = language_of(language)
    return f"{_WEEKDAYS[lang][local.weekday()]} {local.day} {_MONTHS[lang][local.month - 1]}"


def local_clock(instant: datetime) -> str:
    return to_local(instant).strftime("%H:%M")


# A reminder sent at most this long before the start is the short "soon" text.
SOON = timedelta(hours=12)
# A walk starting before this local hour is "tonight" from the evening before.
NIGHT_ENDS_HOUR = 5
EVENING_HOUR = 17
_RELATIVE = {
    "sv": {"today": "i dag", "tonight": "i kväll", "night": "i natt", "tomorrow": "i morgon"},
    "en": {"today": "today", "tonight": "tonight", "night": "tonight", "tomorrow": "tomorrow"},
}


@dataclass(frozen=True)
class ReminderWording:
    template: str  # "reminder" (a day or more ahead) or "reminder_soon"
    when: str  # "i morgon fre 27 nov", "i kväll", "i natt", "fre 27 nov"
    true_until: datetime  # the wording is wrong from this instant (UTC)


def reminder_wording(send_at: datetime, start_at: datetime, language: str) -> ReminderWording:
    """How a reminder sent at ``send_at`` names the walk's day, and until when that is true.

    "i morgon" stops being true at the local midnight after ``send_at``: a 24 h reminder held
    up past it is no longer useful (the row's ``not_after``); the 3 h reminder covers the day.
    """
    lang = language_of(language)
    words = _RELATIVE[lang]
    send, start = to_local(send_at), to_local(start_at)
    days = (start.date() - send.date()).days
    night = start.hour < NIGHT_ENDS_HOUR
    true_until = start_at
    if days == 0:
        when = words["tonight"] if night or start.hour >= EVENING_HOUR else words["today"]
    elif days == 1 and night:
        when = words["night"]
    elif days == 1:
        when = f"{words['tomorrow']} {local_day(start_at, lang)}"
        true_until = min(start_at, local_to_utc(start.date(), time(0)))
    else:
        when = local_day(start_at, lang)
    template = "reminder_soon" if start_at - send_at <= SOON else "reminder"
    return ReminderWording(template, when, true_until)


def personal_url(base_url: str, token: str) -> str:
    return personal_page_url(base_url, token)


def ics_url(base_url: str, shift_id: int) -> str:
    return f"{base_url.rstrip('/')}/walks/{shift_id}.ics"


def _render_raw(kind: str, language: str, context: Mapping[str, Any]) -> str:
    """``kind`` names the template (a kind, or a variant such as ``reminder_soon``)."""
    env = current_app.jinja_env
    try:
        template = env.get_template(f"sms/{language_of(language)}/{kind}.txt")
    except TemplateNotFound:
        template = env.get_template(f"sms/sv/{kind}.txt")
    return " ".join(template.render(**context).split())


def render(
    kind: str,
    language: str,
    context: Mapping[str, Any],
    *,
    free_text: tuple[str, ...] = ("name", "area", "meeting_point", "association", "volunteer"),
    link_length: int | None = None,
) -> str:
    """Render a message that fits in ``MAX_SEGMENTS`` SMS parts.

    ``free_text`` names the context values that may be shortened. ``link_length`` is the
    length the ``LINK_MARKER`` will have once replaced by the real personal link.
    """
    values = {
        key: to_gsm_friendly(str(value)).replace(LINK_MARKER, "") if key in free_text else value
        for key, value in context.items()
    }
    while True:
        text = to_gsm_friendly(_render_raw(kind, language, values))
        measured = text.replace(LINK_MARKER, "x" * link_length) if link_length else text
        if segments(measured) <= MAX_SEGMENTS:
            return text
        longest = max(
            (key for key in free_text if key in values),
            key=lambda key: len(values[key]),
            default=None,
        )
        if longest is None or not values[longest]:
            log.warning(
                "SMS %s/%s has %s parts even without free text", kind, language, segments(measured)
            )
            return text
        if len(values[longest]) <= MIN_FREE_TEXT:  # nothing sensible left to shorten
            values = {key: "" if key in free_text else value for key, value in values.items()}
            continue
        current = values[longest].removesuffix("...")
        values[longest] = current[: max(MIN_FREE_TEXT - 3, len(current) - 10)].rstrip() + "..."
