"""What the open data may show and ask: public facts only, within bounded windows.

Everything under ``/api/v1`` and the widget is public (no login, no tenant): what keeps it
safe is that the payloads are built field by field from public facts (municipality, area,
meeting point, night, association name), never from a model dump, so a person's name,
number or address cannot reach them.
"""

from __future__ import annotations

from datetime import date, timedelta

#: The default window of the nights endpoint, and the longest one a caller may ask for.
DEFAULT_DAYS = 28
MAX_DAYS = 92

#: The widget shows this many coming nights at most, over this many days.
WIDGET_DAYS = 28
WIDGET_MAX_NIGHTS = 12

#: Caches may keep an answer this long (the data changes when a night is booked).
CACHE_CONTROL = "public, max-age=300"

#: The widget may be framed by any site; it runs no script and posts nothing.
WIDGET_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


def window_problem(first: date, last: date) -> str | None:
    """Why the window ``first``..``last`` (both included) is refused, or None."""
    if last < first:
        return "reversed"
    if last - first >= timedelta(days=MAX_DAYS):
        return "too_long"
    return None
