"""The window of calendar dates the product takes from people: 2000-01-01 to 2100-12-31.

Every date, month or year typed into a form or read from a query string is checked against
this one window: forms through ``web.fields.DayField``, query strings through ``web.query``,
services through ``check_day``. Outside it nothing is a real patrol night, and Python's date
arithmetic, Babel and the database overflow at the edges (year 1 minus a day, year 9999 plus a
month), which used to be a 500.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import RuleViolation
from .i18n import _l

FIRST_YEAR = 2000
LAST_YEAR = 2100
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)

# Strict ISO shapes: date.fromisoformat also takes "20260101" and week dates ("2026-W01-1").
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_YEAR = re.compile(r"^\d{4}$", re.ASCII)


def year_in_window(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def day_in_window(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def parse_day(text: str | None) -> date | None:
    """``YYYY-MM-DD`` inside the window, else None (malformed, impossible or outside)."""
    found = _DAY.match((text or "").strip())
    if not found:
        return None
    try:
        day = date(*(int(part) for part in found.groups()))
    except ValueError:
        return None
    return day if day_in_window(day) else None


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` inside the window as the first day of that month, else None."""
    found = _MONTH.match((text or "").strip())
    if not found:
        return None
    year, month = (int(part) for part in found.groups())
    return date(year, month, 1) if year_in_window(year) and 1 <= month <= 12 else None


def parse_year(text: str | None) -> int | None:
    """``YYYY`` inside the window, else None."""
    raw = (text or "").strip()
    return int(raw) if _YEAR.match(raw) and year_in_window(int(raw)) else None


def window_message() -> str:
    """The error shown next to a date field whose date lies outside the window."""
    return _l(
        "Ange ett datum mellan %(first)s och %(last)s.",
        first=FIRST_DAY.isoformat(),
        last=LAST_DAY.isoformat(),
    )


def check_day(day: date, *, field: str) -> None:
    """The service-side rule: a date outside the window is refused (forms check it first)."""
    if not day_in_window(day):
        raise RuleViolation("date_out_of_window", window_message(), field=field)
