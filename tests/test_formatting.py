"""nattvandring.formatting: money, hours, phone numbers (pure, no app)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nattvandring.formatting import (
    axis_top,
    chart_number,
    decimal_hours_text,
    decimal_text,
    format_sek,
    hours,
    hours_text,
    national_phone,
    sek,
    sv_decimal,
    tel_uri,
)


@pytest.mark.parametrize(
    ("ore", "text"),
    [
        (150_000, "1 500 kr"),
        (123_456, "1 234,56 kr"),
        (0, "0 kr"),
        (5, "0,05 kr"),
        (99_900, "999 kr"),
        (100_000_000, "1 000 000 kr"),
        (-150_050, "-1 500,50 kr"),
    ],
)
def test_format_sek(ore, text):
    assert format_sek(ore) == text


def test_sek_filter_shows_nothing_for_none():
    assert sek(None) == ""
    assert sek(150_000) == "1 500 kr"


@pytest.mark.parametrize(
    ("minutes", "two", "text", "decimal"),
    [
        (0, Decimal("0.00"), "0 h", "0,00"),
        (45, Decimal("0.75"), "45 min", "0,75"),
        (225, Decimal("3.75"), "3 h 45 min", "3,75"),
        (240, Decimal("4.00"), "4 h", "4,00"),
        (361, Decimal("6.02"), "6 h 1 min", "6,02"),
        (71_940, Decimal("1199.00"), "1199 h", "1199,00"),
        (-60, Decimal("-1.00"), "-1 h", "-1,00"),
    ],
)
def test_hours(minutes, two, text, decimal):
    """One formatter for pages ("3 h 45 min") and one for documents ("3,75")."""
    assert hours(minutes) == two
    assert hours_text(minutes) == text
    assert decimal_hours_text(minutes) == decimal


def test_hours_round_half_up():
    assert hours(3, 1) == Decimal("0.1")  # 0.05 h
    assert hours_text(None) == "0 h"


def test_decimals_follow_the_reader_s_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        assert decimal_hours_text(225) == "3,75"
        assert decimal_text(Decimal("56.1589"), 4) == "56,1589"
        with force_locale("en"):
            assert decimal_hours_text(225) == "3.75"
            assert decimal_text(Decimal("4.50")) == "4.5"


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("4.50"), "4,5"), (Decimal("3"), "3"), (Decimal("0.125"), "0,13")]
)
def test_sv_decimal(value, text):
    assert sv_decimal(value) == text


def test_national_phone():
    assert national_phone("+46701234567") == "070-123 45 67"
    assert national_phone(None) == ""
    assert national_phone("not a number") == "not a number"


def test_tel_uri_calls_the_stored_number_and_refuses_what_is_not_one():
    assert tel_uri("+46701234567") == "tel:+46701234567"
    assert tel_uri("0701234567") == "tel:+46701234567"
    assert tel_uri("") == tel_uri(None) == tel_uri("javascript:alert(1)") == tel_uri("12") == ""


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (2, 2), (3, 5), (7, 10), (13, 20), (21, 25), (240, 250), (251, 500)]
)
def test_a_chart_axis_ends_on_a_round_number(value, top):
    assert axis_top(value) == top


def test_chart_numbers_follow_the_reader_s_language(app):
    from flask_babel import force_locale

    with app.test_request_context():
        assert (chart_number(6.0), chart_number(2.5)) == ("6", "2,5")
        with force_locale("en"):
            assert chart_number(2.5) == "2.5"
