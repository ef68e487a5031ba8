"""Numbers read from the query string (filters such as ?area=3, ?page=2, ?year=2026)."""

from __future__ import annotations

from flask import request

from .forms_util import whole_number


def int_arg(name: str) -> int | None:
    """``?name=12`` -> 12; None when missing, not a whole number, or above ``MAX_ID``."""
    return whole_number(request.args.get(name))
