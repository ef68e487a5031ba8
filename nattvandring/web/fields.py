"""Form fields shared by every area. Every date a form takes is a ``DayField``, every time
of day a ``ClockField`` and every decimal number a ``NumberField`` (tests/web/test_fields.py
fails for a plain ``DateField``, ``TimeField``, ``FloatField`` or ``DecimalField`` in any
FlaskForm)."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from wtforms import DateField, FloatField, StringField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from .. import dates
from ..clocktext import FORMAT_HINT, ClockTextError, clock_text, parse_clock_text
from ..formatting import current_language
from ..i18n import _l


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


class _Hint:
    """A field's own description followed by the format hint, translated when shown."""

    def __init__(self, *parts: Any) -> None:
        self.parts = [part for part in parts if part]

    def __str__(self) -> str:
        return " ".join(str(part) for part in self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)


class ClockField(StringField):
    """A time of day typed as "2230", "22.30", "22,30", "22:30" or "22" (``clocktext``).

    A text input, not ``type="time"``: the phone's number pad works, and the hint says which
    formats are read. ``data`` is a ``datetime.time`` (None when empty, which the field's
    validators judge); unreadable text is an error that says why and shows the text back.
    """

    data: Any

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs["description"] = _Hint(kwargs.get("description"), FORMAT_HINT)
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "size": 6}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return as_clock_text(self.data)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0] or "")
        self.data = None
        if not text.strip():
            self.raw_data: list[Any] = []  # blank is no input: InputRequired and Optional judge it
            return
        try:
            self.data = parse_clock_text(text)
        except ClockTextError as error:
            raise ValueError(str(error.message)) from None


def as_clock_text(value: Any) -> str:
    """A ClockField's data as "22:30": a time (posted), or the text it was given as data."""
    if isinstance(value, time):
        return clock_text(value)
    return str(value or "")


class NumberField(FloatField):
    """A decimal number typed the Swedish way or the English way: "56,1589", "56.1589",
    "-0,5", with spaces as thousands separators ("1 200,5"). A text input with
    ``inputmode="decimal"``: a browser's number input refuses the comma in some locales."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        render_kw = {"inputmode": "decimal", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        cleaned = "".join(text.split()).replace("\u2212", "-").replace(",", ".")
        if not cleaned:
            self.data = None
            return
        try:
            self.data = float(cleaned)
        except ValueError as exc:
            self.data = None
            raise ValueError(
                str(_l('Skriv ett tal, till exempel "56,1589" eller "56.1589".'))
            ) from exc
        if self.data != self.data or self.data in (float("inf"), float("-inf")):
            self.data = None
            raise ValueError(str(_l('Skriv ett tal, till exempel "56,1589" eller "56.1589".')))

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        text = repr(float(self.data))
        text = text[:-2] if text.endswith(".0") else text
        return text if current_language() == "en" else text.replace(".", ",")
