"""Values read from the query string: filters such as ?area=3 and ?page=2, and dates.

Ids and counts are lenient (a bad one is ignored, as a filter nobody chose). A date, month or
year is not: one that is malformed or outside the window of ``nattvandring.dates`` answers a
translated 400 (``InvalidQuery``) instead of silently showing another period.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from flask import request

from .. import dates
from ..errors import InvalidQuery
from ..i18n import _l
from .forms_util import whole_number

T = TypeVar("T")


def int_arg(name: str) -> int | None:
    """``?name=12`` -> 12; None when missing, not a whole number, or above ``MAX_ID``."""
    return whole_number(request.args.get(name))


def _given(name: str) -> str | None:
    raw = request.args.get(name, "").strip()
    return raw or None


def date_arg(name: str, default: T) -> date | T:
    """``?name=2026-04-30``; ``default`` when missing or empty; 400 when invalid."""
    raw = _given(name)
    if raw is None:
        return default
    day = dates.parse_day(raw)
    if day is None:
        raise InvalidQuery(
            _l(
                "Ogiltigt datum i adressen. Ange ett datum (ÅÅÅÅ-MM-DD) mellan %(first)s "
                "och %(last)s.",
                first=dates.FIRST_DAY.isoformat(),
                last=dates.LAST_DAY.isoformat(),
            )
        )
    return day


def month_arg(name: str, default: T) -> date | T:
    """``?name=2026-04`` as the first day of the month; ``default`` when missing; 400 when
    invalid."""
    raw = _given(name)
    if raw is None:
        return default
    first = dates.parse_month(raw)
    if first is None:
        raise InvalidQuery(
            _l(
                "Ogiltig månad i adressen. Ange en månad (ÅÅÅÅ-MM) mellan %(first)s och %(last)s.",
                first=f"{dates.FIRST_YEAR}-01",
                last=f"{dates.LAST_YEAR}-12",
            )
        )
    return first


def year_arg(name: str, default: T) -> int | T:
    """``?name=2026``; ``default`` when missing or empty; 400 when invalid."""
    raw = _given(name)
    if raw is None:
        return default
    year = dates.parse_year(raw)
    if year is None:
        raise InvalidQuery(
            _l(
                "Ogiltigt år i adressen. Ange ett år mellan %(first)s och %(last)s.",
                first=dates.FIRST_YEAR,
                last=dates.LAST_YEAR,
            )
        )
    return year
