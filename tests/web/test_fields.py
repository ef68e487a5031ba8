"""Every date a form takes is a DayField: the window of nattvandring.dates, in one place.
Every time of day is a ClockField: what any phone's keyboard types is read the same way."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, time

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import TimeField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired

import nattvandring
from nattvandring.web.fields import ClockField, DayField, NumberField
from tests.security.hostile.harness import date_fields


def _flask_forms() -> list[type[FlaskForm]]:
    for module in pkgutil.walk_packages(nattvandring.__path__, "nattvandring."):
        importlib.import_module(module.name)
    found, todo = [], [FlaskForm]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("nattvandring."):
                found.append(cls)
    return found


def test_every_date_field_of_every_form_is_a_day_field():
    fields = {
        f"{form.__module__}.{form.__qualname__}.{name}": field_class
        for form in _flask_forms()
        for name, field_class in date_fields(form).items()
    }
    assert len(fields) >= 10, fields  # the walk found the planning and sponsorship forms
    plain = sorted(name for name, cls in fields.items() if not issubclass(cls, DayField))
    assert not plain, f"date fields without the window (use web.fields.DayField): {plain}"


class _Form(FlaskForm):
    class Meta:
        csrf = False

    day = DayField()


@pytest.mark.parametrize(
    ("posted", "valid"),
    [
        ("2026-04-30", True),
        ("2000-01-01", True),
        ("2100-12-31", True),
        ("1999-12-31", False),
        ("2101-01-01", False),
        ("0001-01-01", False),
        ("9999-12-31", False),
    ],
)
def test_day_field_refuses_dates_outside_the_window(app, posted, valid):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({"day": posted}))
        assert form.validate() is valid
        if not valid:
            assert form.day.errors == ["Ange ett datum mellan 2000-01-01 och 2100-12-31."]
        else:
            assert isinstance(form.day.data, date)


def _decimal_fields(form: type[FlaskForm]) -> dict[str, type]:
    from wtforms import DecimalField, FloatField
    from wtforms.fields.core import UnboundField

    return {
        name: unbound.field_class
        for klass in reversed(form.__mro__)
        for name, unbound in vars(klass).items()
        if isinstance(unbound, UnboundField)
        and issubclass(unbound.field_class, (FloatField, DecimalField))
    }


def test_every_decimal_field_of_every_form_takes_a_decimal_comma():
    fields = {
        f"{form.__module__}.{form.__qualname__}.{name}": field_class
        for form in _flask_forms()
        for name, field_class in _decimal_fields(form).items()
    }
    assert len(fields) >= 2, fields  # the area form's latitude and longitude
    plain = sorted(name for name, cls in fields.items() if not issubclass(cls, NumberField))
    assert not plain, f"decimal fields without the comma (use web.fields.NumberField): {plain}"


class _NumberForm(FlaskForm):
    class Meta:
        csrf = False

    value = NumberField()


@pytest.mark.parametrize(
    ("posted", "value"),
    [
        ("56,1589", 56.1589),
        ("56.1589", 56.1589),
        (" -0,5 ", -0.5),
        ("1 200,25", 1200.25),
        ("13", 13.0),
    ],
)
def test_number_field_takes_commas_and_points(app, posted, value):
    with app.test_request_context():
        form = _NumberForm(formdata=MultiDict({"value": posted}))
        assert form.validate(), form.value.errors
        assert form.value.data == value


@pytest.mark.parametrize("posted", ["56,15,89", "abc", "nan", "inf", "1e999"])
def test_number_field_refuses_what_is_not_a_number_saying_how_to_write_one(app, posted):
    with app.test_request_context():
        form = _NumberForm(formdata=MultiDict({"value": posted}))
        assert not form.validate()
        assert form.value.errors == ['Skriv ett tal, till exempel "56,1589" eller "56.1589".']


def test_number_field_shows_a_swedish_comma(app):
    with app.test_request_context():
        form = _NumberForm(data={"value": 56.1589})
        assert 'value="56,1589"' in form.value()
        assert 'inputmode="decimal"' in form.value()


def test_every_time_field_of_every_form_is_a_clock_field():
    """A plain TimeField renders type="time" and reads only "22:30"; the report form's
    walker rows (plain Form subclasses inside a FieldList) are checked too."""
    from nattvandring.reports.forms import WalkerRow

    forms = [*_flask_forms(), WalkerRow]
    fields = {
        f"{form.__module__}.{form.__qualname__}.{name}": unbound.field_class
        for form in forms
        for klass in form.__mro__
        for name, unbound in vars(klass).items()
        if isinstance(unbound, UnboundField)
        and issubclass(unbound.field_class, (TimeField, ClockField))
    }
    assert len(fields) >= 10, fields
    plain = sorted(name for name, cls in fields.items() if not issubclass(cls, ClockField))
    assert not plain, f"time fields a phone's number pad can't fill (use ClockField): {plain}"


class _TimeForm(FlaskForm):
    class Meta:
        csrf = False

    at = ClockField("Klockan", validators=[InputRequired()], description="Kvällens start.")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2330", time(23, 30)),
        ("23.30", time(23, 30)),
        ("23,30", time(23, 30)),
        ("23:30", time(23, 30)),
        ("23", time(23)),
        ("20.15", time(20, 15)),
        ("015", time(0, 15)),
    ],
)
def test_clock_field_reads_number_pad_and_keyboard_times(app, typed, expected):
    with app.test_request_context():
        form = _TimeForm(formdata=MultiDict({"at": typed}))
        assert form.validate(), form.errors
        assert form.at.data == expected
        assert form.at._value() == typed  # shown back as typed


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2460", "Timmen måste vara 00–23."),
        ("2399", "Minuterna måste vara 00–59."),
        ("kl 8", "Det är ingen tid. Skriv den som 2230, 22.30 eller 22:30."),
    ],
)
def test_clock_field_says_what_is_wrong_in_both_languages(app, typed, message):
    with app.test_request_context():
        form = _TimeForm(formdata=MultiDict({"at": typed}))
        assert not form.validate()
        assert form.at.errors[0] == message
        assert form.at.data is None
    english = {
        "Timmen måste vara 00–23.": "The hour must be 00–23.",
        "Minuterna måste vara 00–59.": "The minutes must be 00–59.",
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import refresh

        refresh()
        form = _TimeForm(formdata=MultiDict({"at": typed}))
        assert not form.validate()
        assert form.at.errors[0] == english.get(
            message, "That is not a time. Type it as 2230, 22.30 or 22:30."
        )


def test_clock_field_renders_a_text_input_for_the_number_pad_with_its_hint(app):
    with app.test_request_context():
        form = _TimeForm(data={"at": time(22, 5)})
        html = form.at()
        assert 'type="text"' in html and 'inputmode="decimal"' in html
        assert 'value="22:05"' in html
        assert str(form.at.description) == (
            "Kvällens start. Skriv tiden som 2230, 22.30 eller 22:30."
        )


def test_clock_field_left_empty_is_judged_by_its_validators(app):
    with app.test_request_context():
        form = _TimeForm(formdata=MultiDict({"at": "  "}))
        assert not form.validate()
        assert form.at.data is None and form.at.errors
