"""Whole numbers and dates from the query string."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from nattvandring.errors import InvalidQuery
from nattvandring.web.query import date_arg, int_arg, month_arg, year_arg


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("area=12", 12),
        ("area=%20 7%20", 7),
        ("area=2147483647", 2147483647),
        ("", None),
        ("area=", None),
        ("area=-1", None),
        ("area=1.5", None),
        ("area=%C2%B2", None),  # "²": a digit, but int() refuses it (it used to be a 500)
        ("area=2147483648", None),  # no integer column holds it (binding it was a 500)
        ("area=99999999999999999999", None),
    ],
)
def test_int_arg(query, expected):
    with Flask(__name__).test_request_context(f"/?{query}"):
        assert int_arg("area") == expected


def _read(read, query: str, default):
    with Flask(__name__).test_request_context(f"/?{query}"):
        return read("d", default)


@pytest.mark.parametrize(
    ("read", "query", "expected"),
    [
        (date_arg, "d=2026-04-30", date(2026, 4, 30)),
        (date_arg, "", "default"),
        (date_arg, "d=", "default"),
        (date_arg, "d=%20", "default"),
        (month_arg, "d=2026-04", date(2026, 4, 1)),
        (month_arg, "d=", "default"),
        (year_arg, "d=2026", 2026),
        (year_arg, "other=1", "default"),
    ],
)
def test_dates_in_the_window_or_the_default(read, query, expected):
    assert _read(read, query, "default") == expected


@pytest.mark.parametrize(
    ("read", "value"),
    [
        (date_arg, "9999-12-31"),
        (date_arg, "0001-01-01"),
        (date_arg, "2026-02-30"),
        (date_arg, "x"),
        (month_arg, "9999-12"),
        (month_arg, "0001-01"),
        (month_arg, "2026-13"),
        (year_arg, "9999"),
        (year_arg, "1"),
        (year_arg, "99999999999999999999"),
    ],
)
def test_a_date_outside_the_window_or_malformed_is_refused(read, value):
    with pytest.raises(InvalidQuery):
        _read(read, f"d={value}", "default")
