"""Form fields shared by every area. Every date a form takes is a ``DayField``
(tests/web/test_fields.py fails for a plain ``DateField`` in any FlaskForm)."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import DateField
from wtforms.validators import StopValidation

from .. import dates


class InWindow:
    """Validator: the date lies in the product's window (``nattvandring.dates``)."""

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, date) and not dates.day_in_window(field.data):
            raise StopValidation(dates.window_message())


class DayField(DateField):
    """A date field that refuses dates outside the window, with the window as the date
    input's ``min`` and ``max`` so that the browser's date picker stays inside it too."""

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        window = {"min": dates.FIRST_DAY.isoformat(), "max": dates.LAST_DAY.isoformat()}
        kwargs["render_kw"] = window | (kwargs.get("render_kw") or {})
        super().__init__(label, [*(validators or ()), InWindow()], **kwargs)
