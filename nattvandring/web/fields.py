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
    """A date field that refuses dates outside the window (after the field's own validators).

    No ``min``/``max`` on the input: with them Chromium's date field jumps to the month once
    four year digits are typed, which changes how the field is typed for everyone.
    """

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, [*(validators or ()), InWindow()], **kwargs)
