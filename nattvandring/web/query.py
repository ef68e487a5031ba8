"""Numbers read from the query string (filters such as ?area=3, ?page=2, ?year=2026)."""

from __future__ import annotations

from flask import request

from .forms_util import MAX_ID


def int_arg(name: str) -> int | None:
    """``?name=12`` -> 12; None when missing, not a whole number, or above ``MAX_ID``.

    ``isdecimal``, not ``isdigit``: "²" is a digit that ``int`` refuses. And a number no
    integer column holds would fail when bound to a query.
    """
    raw = request.args.get(name, "").strip()
    if not raw.isdecimal():
        return None
    value = int(raw)
    return value if value <= MAX_ID else None
