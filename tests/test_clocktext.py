"""Typed times of day, as a phone's keyboards produce them (pure; no Flask)."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nattvandring.clocktext import ClockTextError, clock_text, parse_clock_text


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # An iPhone's number pad (inputmode numeric): digits only.
        ("2330", time(23, 30)),
        ("0930", time(9, 30)),
        ("930", time(9, 30)),
        ("23", time(23)),
        ("9", time(9)),
        ("0", time(0)),
        ("0000", time(0)),
        ("015", time(0, 15)),
        # A decimal pad: the locale's separator ("," in Swedish, "." in English).
        ("23,30", time(23, 30)),
        ("20.15", time(20, 15)),
        ("23.30", time(23, 30)),
        ("9.05", time(9, 5)),
        # A full keyboard or a desktop browser's time field.
        ("23:30", time(23, 30)),
        ("23:30:00", time(23, 30)),
        (" 22:45 ", time(22, 45)),
        ("22 45", time(22, 45)),
        ("22\u00a045", time(22, 45)),
        ("22h45", time(22, 45)),
    ],
)
def test_reads_what_phones_type(typed: str, expected: time) -> None:
    assert parse_clock_text(typed) == expected


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "empty"),
        ("24", "hour"),
        ("2400", "hour"),
        ("25:00", "hour"),
        ("99", "hour"),
        ("2360", "minute"),
        ("12:60", "minute"),
        ("aa:bb", "format"),
        ("23:3", "format"),
        ("23300", "format"),
        ("-1", "format"),
        ("22:30 pm", "format"),
        ("２２:３０", "format"),  # full-width digits are not read as digits
        ("1" * 1000, "format"),
        ("23::30", "format"),
    ],
)
def test_refuses_what_is_not_a_time_and_says_why(typed: str | None, code: str) -> None:
    with pytest.raises(ClockTextError) as info:
        parse_clock_text(typed)
    assert info.value.code == code
    assert str(info.value.message)


@given(st.times())
def test_every_time_round_trips_in_every_format(at: time) -> None:
    at = at.replace(second=0, microsecond=0)
    for typed in (
        clock_text(at),
        f"{at.hour}.{at.minute:02}",
        f"{at.hour},{at.minute:02}",
        f"{at.hour}{at.minute:02}",
        f"{at.hour:02}{at.minute:02}",
    ):
        assert parse_clock_text(typed) == at, typed


@given(st.text(max_size=20))
def test_any_text_is_a_time_or_a_clock_text_error(text: str) -> None:
    try:
        got = parse_clock_text(text)
    except ClockTextError as error:
        assert error.code in {"empty", "format", "hour", "minute"}
    else:
        assert isinstance(got, time) and got.second == 0


@given(st.text(alphabet="0123456789", min_size=1, max_size=4))
def test_number_pad_digits_are_read_as_hours_then_minutes(digits: str) -> None:
    """Whatever digits a number pad gives, the answer is the reading documented above."""
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours <= 23 and minutes <= 59:
        assert parse_clock_text(digits) == time(hours, minutes)
    else:
        with pytest.raises(ClockTextError):
            parse_clock_text(digits)
