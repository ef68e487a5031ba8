"""Whole numbers from the query string."""

from __future__ import annotations

import pytest
from flask import Flask

from nattvandring.web.query import int_arg


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
def test_int_arg(query, expected):  # type: ignore[no-untyped-def]
    with Flask(__name__).test_request_context(f"/?{query}"):
        assert int_arg("area") == expected
