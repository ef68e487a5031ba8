"""Local calendar months for the booking pages: bounds and the week grid (the month is read
from the query string by ``web.query.month_arg``)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time

from ..clock import local_to_utc


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """UTC instants of local midnight on the 1st of this month and of the next."""
    next_year, next_month = shift_month(year, month, 1)
    return (
        local_to_utc(date(year, month, 1), time(0)),
        local_to_utc(date(next_year, next_month, 1), time(0)),
    )


def weeks(year: int, month: int) -> list[list[date | None]]:
    """Monday-first weeks of the month; days outside it are None."""
    grid = calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
    return [[date(year, month, day) if day else None for day in week] for week in grid]
