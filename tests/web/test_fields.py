"""Every date a form takes is a DayField: the window of nattvandring.dates, in one place."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

import nattvandring
from nattvandring.web.fields import DayField
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
