"""URL converters: an ``<int:...>`` in a route is an id, so it must fit an id column."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from .forms_util import MAX_ID


class IdConverter(IntegerConverter):
    """``<int:...>`` capped at ``MAX_ID``: a larger number names no row, and PostgreSQL
    refuses to bind it (a 500), so the URL simply matches no route (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Must run before any blueprint is registered: rules bind their converter when added."""
    app.url_map.converters["int"] = IdConverter
