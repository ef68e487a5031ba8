"""Local HH:MM on the walk's night to UTC instants (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from nattvandring.clock import local_to_utc
from nattvandring.errors import RuleViolation
from nattvandring.reports.times import local_time_to_instant, parse_hhmm, walker_interval


def shift(day: date, start: time, end_day: date, end: time):
    return local_to_utc(day, start), local_to_utc(end_day, end)


def test_after_midnight_belongs_to_the_next_morning() -> None:
    start, end = shift(date(2026, 5, 8), time(22), date(2026, 5, 9), time(3))
    got = local_time_to_instant(start, end, time(1, 30), field="x")
    assert got == datetime(2026, 5, 8, 23, 30, tzinfo=UTC)  # 01:30 CEST on the 9th
    early = local_time_to_instant(start, end, time(21, 45), field="x")
    assert early == datetime(2026, 5, 8, 19, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "minutes"),
    [(date(2027, 3, 27), 240), (date(2026, 10, 24), 360), (date(2026, 5, 8), 300)],
)
def test_dst_nights(day: date, minutes: int) -> None:
    from datetime import timedelta

    start, end = shift(day, time(22), day + timedelta(days=1), time(3))
    _s, _e, got = walker_interval(start, end, "22:00", "03:00", prefix="w-")
    assert got == minutes


def test_spring_gap_time_is_refused() -> None:
    start, end = shift(date(2027, 3, 27), time(22), date(2027, 3, 28), time(3))
    with pytest.raises(RuleViolation) as info:
        local_time_to_instant(start, end, time(2, 30), field="x")
    assert info.value.code == "dst_gap"


def test_end_before_start_and_far_away_times_are_refused() -> None:
    start, end = shift(date(2026, 5, 8), time(22), date(2026, 5, 9), time(3))
    with pytest.raises(RuleViolation) as info:
        walker_interval(start, end, "01:00", "23:00", prefix="walkers-0-")
    assert info.value.code == "end_before_start"
    assert info.value.field == "walkers-0-end"
    with pytest.raises(RuleViolation) as info:
        walker_interval(start, end, "22:00", "12:00", prefix="walkers-0-")
    assert info.value.code == "time_outside_shift"
    with pytest.raises(RuleViolation):
        walker_interval(start, end, "22:00", "22:00", prefix="w-")


@pytest.mark.parametrize("text", ["", "25:00", "2400", "aa:bb", "12:60"])
def test_parse_rejects_bad_text(text: str) -> None:
    with pytest.raises(RuleViolation):
        parse_hhmm(text, field="start")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("22.15", time(22, 15)), ("2215", time(22, 15)), ("22,15", time(22, 15)), ("7", time(7))],
)
def test_parse_accepts_what_a_phone_types(text: str, expected: time) -> None:
    assert parse_hhmm(text, field="start") == expected
