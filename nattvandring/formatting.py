"""How the app writes money, phone numbers, hours and dates for people.

One copy of each, used by templates (as filters, see ``web/template_helpers.py``), exports,
SMS texts and services alike. Pure functions except the date ones, which format in the
request's locale (flask-babel) and in Europe/Stockholm.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import phonenumbers
from flask_babel import format_date, format_datetime, get_locale

from .clock import to_local

# --- money (whole öre inside) -------------------------------------------------------------


def format_sek(ore: int) -> str:
    """Format öre as Swedish kronor: 150000 -> "1 500 kr", 123456 -> "1 234,56 kr".

    Thousands are grouped with a normal space (U+0020, not NBSP) so the text survives
    latin-1 PDFs, CSV and SMS alike; negative amounts get a leading "-".
    """
    if isinstance(ore, bool) or not isinstance(ore, int):
        raise ValueError(f"ore must be an integer, got {ore!r}")
    sign = "-" if ore < 0 else ""
    kronor, rest = divmod(abs(ore), 100)
    grouped = f"{kronor:,}".replace(",", " ")
    return f"{sign}{grouped},{rest:02d} kr" if rest else f"{sign}{grouped} kr"


def sek(ore: int | None) -> str:
    """``format_sek`` for templates: nothing for None."""
    return "" if ore is None else format_sek(int(ore))


def current_language() -> str:
    """The request's language ("sv" or "en"); Swedish outside a request."""
    try:
        locale = get_locale()
    except (RuntimeError, KeyError, AttributeError):  # no app or request context
        return "sv"
    return locale.language if locale is not None else "sv"


def decimal_text(value: Decimal, places: int = 2, *, trim: bool = True) -> str:
    """A decimal rounded half up to ``places`` decimals, with the reader's separator: a
    comma in Swedish ("4,5"), a point in English ("4.5"). ``trim`` drops trailing zeros."""
    step = Decimal(1).scaleb(-places)
    text = format(value.quantize(step, rounding=ROUND_HALF_UP), "f")
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if current_language() == "en" else text.replace(".", ",")


def sv_decimal(value: Decimal) -> str:
    """A decimal with at most two decimals and a Swedish comma: 4.50 -> "4,5", 3 -> "3"."""
    text = format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- hours ------------------------------------------------------------------------------------


def hours(minutes: int, places: int = 2) -> Decimal:
    """Minutes as decimal hours rounded half up to ``places`` decimals: 270 -> 4.50."""
    step = Decimal(1).scaleb(-places)
    return (Decimal(minutes) / 60).quantize(step, rounding=ROUND_HALF_UP)


def hours_text(minutes: int | None) -> str:
    """Minutes as people read a duration on a page: 225 -> "3 h 45 min", 240 -> "4 h",
    45 -> "45 min", 0 -> "0 h" (the same in Swedish and English). Negative minutes (a
    correction) get a leading "-"."""
    total = int(minutes or 0)
    sign = "-" if total < 0 else ""
    whole, rest = divmod(abs(total), 60)
    if whole and rest:
        return f"{sign}{whole} h {rest} min"
    if rest:
        return f"{sign}{rest} min"
    return f"{sign}{whole} h"


def decimal_hours_text(minutes: int | None) -> str:
    """Minutes as decimal hours with two decimals, for documents and exports: 225 -> "3,75"
    in Swedish, "3.75" in English."""
    return decimal_text(hours(minutes or 0), 2, trim=False)


# --- phone numbers ----------------------------------------------------------------------------


def national_phone(e164: str | None) -> str:
    """A stored +46 number as Swedes write it (070-123 45 67); other input as given."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "SE")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def tel_uri(e164: str | None) -> str:
    """A ``tel:`` link for a stored number ("tel:+46701234567"), or "" when it isn't one."""
    try:
        number = phonenumbers.parse(e164 or "", "SE")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- dates and times (aware UTC in, Europe/Stockholm out) -------------------------------------


def local_datetime(value: datetime | None, fmt: str = "EEE d MMM yyyy HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(to_local(value).replace(tzinfo=None), fmt)


def local_time(value: datetime | None) -> str:
    return to_local(value).strftime("%H:%M") if value else ""


def local_date(value: datetime | None, fmt: str = "EEE d MMM yyyy") -> str:
    return format_date(to_local(value).date(), fmt) if value else ""


def axis_top(value: float) -> float:
    """A chart axis' top: the smallest 1, 2, 2.5 or 5 times a power of ten at or above
    ``value`` (1 for an empty chart)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def chart_number(value: float) -> str:
    """A chart's number: whole as is, else one decimal with the reader's separator."""
    if float(value).is_integer():
        return str(int(value))
    return decimal_text(Decimal(str(value)), 1, trim=False)
