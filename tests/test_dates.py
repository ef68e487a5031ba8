"""The window of dates the product takes from people (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from nattvandring import dates
from nattvandring.errors import RuleViolation


def test_the_window_is_2000_to_2100():
    assert dates.FIRST_DAY.isoformat() == "2000-01-01"
    assert dates.LAST_DAY.isoformat() == "2100-12-31"
    assert dates.day_in_window(date(2000, 1, 1)) and dates.day_in_window(date(2100, 12, 31))
    assert not dates.day_in_window(date(1999, 12, 31))
    assert not dates.day_in_window(date(2101, 1, 1))
    assert not dates.day_in_window(date(1, 1, 1)) and not dates.day_in_window(date(9999, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-30", date(2026, 4, 30)),
        (" 2000-01-01 ", date(2000, 1, 1)),
        ("2100-12-31", date(2100, 12, 31)),
        ("2028-02-29", date(2028, 2, 29)),
        ("2027-02-29", None),  # no such day
        ("1999-12-31", None),
        ("2101-01-01", None),
        ("0001-01-01", None),
        ("9999-12-31", None),
        ("99999-12-31", None),
        ("20260430", None),  # date.fromisoformat takes it; a query string should not
        ("2026-W18-4", None),
        ("٢٠٢٦-٠٤-٣٠", None),  # Arabic-Indic digits: \d would match them
        ("", None),
        (None, None),
        ("x" * 5000, None),
    ],
)
def test_parse_day(text, expected):
    assert dates.parse_day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", date(2026, 11, 1)),
        ("2100-12", date(2100, 12, 1)),
        ("2000-01", date(2000, 1, 1)),
        ("1999-12", None),
        ("2101-01", None),
        ("9999-12", None),
        ("0001-01", None),
        ("2026-13", None),
        ("2026-00", None),
        ("2026-1", None),
        ("2026-11-01", None),
        ("", None),
    ],
)
def test_parse_month(text, expected):
    assert dates.parse_month(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026", 2026), ("2000", 2000), ("2100", 2100), ("1999", None), ("2101", None)]
    + [("9999", None), ("1", None), ("0001", None), ("-2026", None), ("２０２６", None)],
)
def test_parse_year(text, expected):
    assert dates.parse_year(text) == expected


def test_check_day_names_the_field_and_the_window(app):
    dates.check_day(date(2026, 4, 30), field="day")
    with pytest.raises(RuleViolation) as excinfo:
        dates.check_day(date(1, 1, 1), field="valid_from")
    assert excinfo.value.code == "date_out_of_window"
    assert excinfo.value.field == "valid_from"
    with app.test_request_context():
        assert "mellan 2000-01-01 och 2100-12-31" in str(excinfo.value)
