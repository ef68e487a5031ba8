"""Tests for nattvandring.planning.schedule (pure, no app, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nattvandring.clock import STOCKHOLM, is_nonexistent_local, to_local
from nattvandring.errors import RuleViolation
from nattvandring.planning.schedule import (
    MAX_SERIES_DAYS,
    duration,
    duration_minutes,
    evening_of,
    generate_series,
    walk_instants,
)

EVENING = time(22, 0)
NIGHT_END = time(3, 0)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def one_night(day: date, start: time = EVENING, end: time = NIGHT_END):
    series = generate_series(
        start_date=day, end_date=day, weekdays={day.weekday()}, start_time=start, end_time=end
    )
    assert len(series) == 1
    return series[0]


# --- generate_series ------------------------------------------------------------------


def test_default_weekdays_are_friday_and_saturday():
    # 2026-05-04 is a Monday; the week holds Fri 8 and Sat 9 May.
    series = generate_series(
        start_date=date(2026, 5, 4),
        end_date=date(2026, 5, 17),
        start_time=time(20, 0),
        end_time=time(23, 0),
    )
    assert [to_local(s).date() for s, _ in series] == [
        date(2026, 5, 8),
        date(2026, 5, 9),
        date(2026, 5, 15),
        date(2026, 5, 16),
    ]
    # Summer time: 20:00 local is 18:00 UTC.
    assert series[0] == (utc(2026, 5, 8, 18), utc(2026, 5, 8, 21))


def test_range_is_inclusive_at_both_ends():
    # Friday 2026-05-08 to Saturday 2026-05-09.
    series = generate_series(
        start_date=date(2026, 5, 8),
        end_date=date(2026, 5, 9),
        start_time=time(20, 0),
        end_time=time(23, 0),
    )
    assert len(series) == 2


def test_winter_times_are_localized_with_cet():
    start, end = one_night(date(2026, 1, 9), time(21, 0), time(23, 30))
    assert (start, end) == (utc(2026, 1, 9, 20), utc(2026, 1, 9, 22, 30))


def test_end_time_before_start_ends_next_day():
    start, end = one_night(date(2026, 5, 8), time(21, 0), time(1, 0))
    assert start == utc(2026, 5, 8, 19)
    assert end == utc(2026, 5, 8, 23)
    assert to_local(end).date() == date(2026, 5, 9)


def test_equal_times_mean_the_walk_ends_next_day():
    start, end = one_night(date(2026, 5, 8), time(20, 0), time(20, 0))
    assert duration(start, end) == timedelta(hours=24)


def test_single_weekday_selection():
    series = generate_series(
        start_date=date(2026, 6, 1),
        end_date=date(2026, 6, 30),
        weekdays=[2],
        start_time=time(18, 0),
        end_time=time(21, 0),
    )
    assert [to_local(s).day for s, _ in series] == [3, 10, 17, 24]


def test_no_matching_weekday_in_range_gives_empty_list():
    # Monday to Wednesday, asking for Friday/Saturday.
    series = generate_series(
        start_date=date(2026, 5, 4),
        end_date=date(2026, 5, 6),
        start_time=time(20, 0),
        end_time=time(23, 0),
    )
    assert series == []


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (date(2027, 3, 27), 4),  # spring forward: 02:00 -> 03:00 on 2027-03-28
        (date(2026, 3, 28), 4),  # spring forward 2026-03-29
        (date(2026, 10, 24), 6),  # fall back: 03:00 -> 02:00 on 2026-10-25
        (date(2027, 10, 30), 6),  # fall back 2027-10-31
        (date(2026, 5, 8), 5),  # a normal summer night
        (date(2026, 1, 9), 5),  # a normal winter night
    ],
)
def test_dst_nights_last_the_real_number_of_hours(day, hours):
    start, end = one_night(day)
    assert duration(start, end) == timedelta(hours=hours)
    assert duration_minutes(start, end) == hours * 60
    assert to_local(start).time() == EVENING
    assert to_local(end).time() == NIGHT_END


def test_dst_gap_start_time_is_refused_and_names_the_date():
    with pytest.raises(RuleViolation) as err:
        one_night(date(2027, 3, 28), time(2, 30), time(5, 0))
    assert err.value.code == "dst_gap"
    assert err.value.field == "start_time"
    assert "2027-03-28" in str(err.value)


def test_dst_gap_end_time_is_refused_and_names_the_date():
    # Saturday 2027-03-27 from 22:00 to 02:30: 02:30 does not exist on 2027-03-28.
    with pytest.raises(RuleViolation) as err:
        one_night(date(2027, 3, 27), time(22, 0), time(2, 30))
    assert err.value.code == "dst_gap"
    assert err.value.field == "end_time"
    assert "2027-03-28" in str(err.value)
    assert "02:30" in str(err.value)


def test_dst_gap_refuses_the_whole_series():
    with pytest.raises(RuleViolation) as err:
        generate_series(
            start_date=date(2027, 3, 1),
            end_date=date(2027, 4, 30),
            start_time=time(22, 0),
            end_time=time(2, 15),
        )
    assert err.value.code == "dst_gap"
    assert "2027-03-28" in str(err.value)


def test_ambiguous_autumn_end_takes_the_first_instant():
    # 02:30 happens twice on 2026-10-25; the summer-time instant (00:30 UTC) is used.
    start, end = one_night(date(2026, 10, 24), time(22, 0), time(2, 30))
    assert end == utc(2026, 10, 25, 0, 30)
    assert duration_minutes(start, end) == 270


def test_end_before_start_date_is_refused():
    with pytest.raises(RuleViolation) as err:
        generate_series(
            start_date=date(2026, 5, 9),
            end_date=date(2026, 5, 8),
            start_time=time(20, 0),
            end_time=time(23, 0),
        )
    assert err.value.code == "range_reversed"
    assert err.value.field == "end_date"


def test_empty_weekdays_are_refused():
    with pytest.raises(RuleViolation) as err:
        generate_series(
            start_date=date(2026, 5, 8),
            end_date=date(2026, 5, 9),
            weekdays=[],
            start_time=time(20, 0),
            end_time=time(23, 0),
        )
    assert err.value.code == "no_weekdays"


@pytest.mark.parametrize("bad", [7, -1, True])
def test_invalid_weekday_is_refused(bad):
    with pytest.raises(RuleViolation) as err:
        generate_series(
            start_date=date(2026, 5, 8),
            end_date=date(2026, 5, 9),
            weekdays=[4, bad],
            start_time=time(20, 0),
            end_time=time(23, 0),
        )
    assert err.value.code == "invalid_weekday"


def test_range_of_exactly_the_maximum_is_allowed():
    start = date(2026, 1, 1)
    series = generate_series(
        start_date=start,
        end_date=start + timedelta(days=MAX_SERIES_DAYS - 1),
        weekdays=range(7),
        start_time=time(20, 0),
        end_time=time(23, 0),
    )
    assert MAX_SERIES_DAYS == 400
    assert len(series) == 400


def test_range_longer_than_the_maximum_is_refused():
    start = date(2026, 1, 1)
    with pytest.raises(RuleViolation) as err:
        generate_series(
            start_date=start,
            end_date=start + timedelta(days=MAX_SERIES_DAYS),
            start_time=time(20, 0),
            end_time=time(23, 0),
        )
    assert err.value.code == "range_too_long"
    assert "400" in str(err.value)


def test_aware_times_are_rejected():
    with pytest.raises(ValueError, match="wall-clock"):
        generate_series(
            start_date=date(2026, 5, 8),
            end_date=date(2026, 5, 9),
            start_time=time(20, 0, tzinfo=UTC),
            end_time=time(23, 0),
        )


# --- duration and evening_of ----------------------------------------------------------


def test_duration_ignores_the_offset_the_instants_were_given_in():
    start = datetime(2026, 10, 24, 22, 0, tzinfo=STOCKHOLM)
    end = utc(2026, 10, 25, 2, 0)  # 03:00 local, winter time
    assert duration(start, end) == timedelta(hours=6)
    assert duration_minutes(start, end) == 360


def test_duration_minutes_truncates_seconds_and_can_be_negative():
    assert duration_minutes(utc(2026, 1, 1, 20), utc(2026, 1, 1, 20, 1, 59)) == 1
    assert duration_minutes(utc(2026, 1, 1, 21), utc(2026, 1, 1, 20)) == -60


def test_duration_rejects_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        duration(datetime(2026, 1, 1, 20), utc(2026, 1, 1, 21))


def test_evening_of_a_walk_over_midnight_is_the_start_date():
    start, end = one_night(date(2026, 10, 24))
    assert evening_of(start) == date(2026, 10, 24)
    assert evening_of(end) == date(2026, 10, 25)


def test_evening_of_uses_local_date_not_utc_date():
    # 00:30 local on 2026-05-09 is still 2026-05-08 in UTC.
    assert evening_of(utc(2026, 5, 8, 22, 30)) == date(2026, 5, 9)
    # 23:30 local on 2026-01-09 is 22:30 UTC the same day.
    assert evening_of(utc(2026, 1, 9, 22, 30)) == date(2026, 1, 9)


# --- property test --------------------------------------------------------------------

minute_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=200, deadline=None)
@given(
    start_date=st.dates(min_value=date(2024, 1, 1), max_value=date(2032, 12, 31)),
    span=st.integers(0, 60),
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    start_time=minute_times,
    end_time=minute_times,
)
def test_generated_shifts_are_sane(start_date, span, weekdays, start_time, end_time):
    end_date = start_date + timedelta(days=span)
    over_midnight = end_time <= start_time
    expected_days = [
        start_date + timedelta(days=i)
        for i in range(span + 1)
        if (start_date + timedelta(days=i)).weekday() in weekdays
    ]
    gap = any(
        is_nonexistent_local(d, start_time)
        or is_nonexistent_local(d + timedelta(days=1) if over_midnight else d, end_time)
        for d in expected_days
    )
    kwargs = dict(
        start_date=start_date,
        end_date=end_date,
        weekdays=weekdays,
        start_time=start_time,
        end_time=end_time,
    )
    if gap:
        with pytest.raises(RuleViolation) as err:
            generate_series(**kwargs)
        assert err.value.code == "dst_gap"
        return
    series = generate_series(**kwargs)
    assert [evening_of(s) for s, _ in series] == expected_days
    for start, end in series:
        assert start.tzinfo is not None and start.utcoffset() == timedelta(0)
        assert duration(start, end) > timedelta(0)
        assert to_local(start).weekday() in weekdays
        assert to_local(start).time() == start_time
        assert to_local(end).time() == end_time


# --- walk_instants: the one local -> UTC conversion of a walk --------------------------------


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 28), 4), (date(2026, 10, 24), 6), (date(2026, 9, 4), 5)],
)
def test_walk_instants_cross_midnight_and_count_real_hours(day, hours):
    start, end = walk_instants(day, time(22), time(3))
    assert start.tzinfo is not None and end.tzinfo is not None
    assert end - start == timedelta(hours=hours)
    assert evening_of(start) == day


def test_walk_instants_end_at_start_is_next_day():
    start, end = walk_instants(date(2026, 9, 4), time(21), time(21))
    assert end - start == timedelta(hours=24)


@pytest.mark.parametrize(
    ("start_time", "end_time", "field"),
    [(time(2, 30), time(5), "start_time"), (time(22), time(2, 15), "end_time")],
)
def test_walk_instants_refuse_the_spring_forward_hour(start_time, end_time, field):
    day = date(2026, 3, 29) if field == "start_time" else date(2026, 3, 28)
    with pytest.raises(RuleViolation) as refused:
        walk_instants(day, start_time, end_time)
    assert refused.value.code == "dst_gap" and refused.value.field == field
