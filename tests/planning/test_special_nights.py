"""Tests for nattvandring.planning.special_nights."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nattvandring.planning.special_nights import (
    HALLOWEEN,
    LAST_SCHOOL_DAY,
    MIDSUMMER_EVE,
    NEW_YEARS_EVE,
    NIGHT_WALK_DAY,
    PUBLIC_HOLIDAY,
    VALBORG,
    SpecialNight,
    midsummer_eve,
    night_walk_day,
    special_nights,
    special_nights_between,
)


def by_key(nights: list[SpecialNight], key: str) -> list[date]:
    return [n.day for n in nights if n.key == key]


def labels_on(nights: list[SpecialNight], day: date) -> set[str]:
    return {str(n.label) for n in nights if n.day == day}


@pytest.mark.parametrize(
    ("year", "expected"), [(2026, date(2026, 9, 12)), (2027, date(2027, 9, 11))]
)
def test_night_walk_day_is_second_saturday_of_september(year, expected):
    assert night_walk_day(year) == expected
    nights = special_nights(year)
    assert by_key(nights, NIGHT_WALK_DAY) == [expected]
    assert labels_on(nights, expected) == {"Nattvandringens dag"}


def test_night_walk_day_when_september_starts_on_saturday():
    # 2029-09-01 is a Saturday, so the second Saturday is the 8th.
    assert night_walk_day(2029) == date(2029, 9, 8)


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2026, date(2026, 6, 19)), (2027, date(2027, 6, 25)), (2028, date(2028, 6, 23))],
)
def test_midsummer_eve_is_the_friday_between_19_and_25_june(year, expected):
    assert midsummer_eve(year) == expected
    assert expected.weekday() == 4
    assert by_key(special_nights(year), MIDSUMMER_EVE) == [expected]


def test_fixed_special_nights_and_labels():
    nights = special_nights(2026)
    assert by_key(nights, VALBORG) == [date(2026, 4, 30)]
    assert by_key(nights, HALLOWEEN) == [date(2026, 10, 31)]
    assert by_key(nights, NEW_YEARS_EVE) == [date(2026, 12, 31)]
    assert labels_on(nights, date(2026, 4, 30)) == {"Valborgsmässoafton"}
    assert labels_on(nights, date(2026, 6, 19)) == {"Midsommarafton"}
    assert labels_on(nights, date(2026, 12, 31)) == {"Nyårsafton"}


def test_public_holidays_have_swedish_names():
    nights = special_nights(2026)
    assert labels_on(nights, date(2026, 12, 25)) == {"Juldagen"}
    assert labels_on(nights, date(2026, 6, 6)) == {"Nationaldagen"}
    assert labels_on(nights, date(2026, 1, 1)) == {"Nyårsdagen"}
    assert date(2026, 12, 25) in by_key(nights, PUBLIC_HOLIDAY)
    assert date(2026, 12, 26) in by_key(nights, PUBLIC_HOLIDAY)


def test_holidays_and_special_nights_are_named_in_english_for_english_readers(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        nights = special_nights(2026)
        assert labels_on(nights, date(2026, 12, 25)) == {"Christmas Day"}
        assert labels_on(nights, date(2026, 6, 6)) == {"National Day"}
        assert labels_on(nights, date(2026, 4, 30)) == {"Walpurgis Night (Valborg)"}
        assert labels_on(nights, date(2026, 12, 31)) == {"New Year's Eve"}


def test_halloween_and_all_saints_day_on_the_same_date_are_both_kept():
    # In 2026 Alla helgons dag falls on 31 October.
    nights = [n for n in special_nights(2026) if n.day == date(2026, 10, 31)]
    assert {n.key for n in nights} == {PUBLIC_HOLIDAY, HALLOWEEN}


def test_plain_sundays_are_not_listed():
    nights = special_nights(2026)
    sundays = {n.day for n in nights if n.day.weekday() == 6}
    # Only Sundays that are named holidays: Easter Day and Pentecost.
    assert sundays == {date(2026, 4, 5), date(2026, 5, 24)}
    assert all(str(n.label) != "Söndag" for n in nights)
    assert date(2026, 1, 4) not in {n.day for n in nights}


def test_sorted_and_without_duplicates():
    nights = special_nights(2027, last_school_day=date(2027, 6, 11))
    assert nights == sorted(nights, key=lambda n: (n.day, n.key))
    keys = [(n.day, n.key) for n in nights]
    assert len(keys) == len(set(keys))


def test_exact_2026_list():
    nights = special_nights(2026, last_school_day=date(2026, 6, 12))
    assert [(n.day.isoformat(), n.key) for n in nights] == [
        ("2026-01-01", PUBLIC_HOLIDAY),
        ("2026-01-06", PUBLIC_HOLIDAY),
        ("2026-04-03", PUBLIC_HOLIDAY),
        ("2026-04-05", PUBLIC_HOLIDAY),
        ("2026-04-06", PUBLIC_HOLIDAY),
        ("2026-04-30", VALBORG),
        ("2026-05-01", PUBLIC_HOLIDAY),
        ("2026-05-14", PUBLIC_HOLIDAY),
        ("2026-05-24", PUBLIC_HOLIDAY),
        ("2026-06-06", PUBLIC_HOLIDAY),
        ("2026-06-12", LAST_SCHOOL_DAY),
        ("2026-06-19", MIDSUMMER_EVE),
        ("2026-06-20", PUBLIC_HOLIDAY),
        ("2026-09-12", NIGHT_WALK_DAY),
        ("2026-10-31", HALLOWEEN),
        ("2026-10-31", PUBLIC_HOLIDAY),
        ("2026-12-25", PUBLIC_HOLIDAY),
        ("2026-12-26", PUBLIC_HOLIDAY),
        ("2026-12-31", NEW_YEARS_EVE),
    ]


def test_last_school_day_included_only_in_its_year():
    school = date(2026, 6, 12)
    assert by_key(special_nights(2026, last_school_day=school), LAST_SCHOOL_DAY) == [school]
    assert labels_on(special_nights(2026, last_school_day=school), school) == {"Skolavslutning"}
    assert by_key(special_nights(2027, last_school_day=school), LAST_SCHOOL_DAY) == []
    assert by_key(special_nights(2026), LAST_SCHOOL_DAY) == []


def test_last_school_day_on_a_fixed_night_keeps_both_keys():
    # Unusual but possible: the school year ending on Valborg.
    nights = special_nights(2026, last_school_day=date(2026, 4, 30))
    assert {n.key for n in nights if n.day == date(2026, 4, 30)} == {VALBORG, LAST_SCHOOL_DAY}


def test_equality_ignores_label():
    a = SpecialNight(date(2026, 4, 30), VALBORG, "x")
    b = SpecialNight(date(2026, 4, 30), VALBORG, "y")
    assert a == b
    assert hash(a) == hash(b)


def test_between_is_inclusive_and_spans_years():
    nights = special_nights_between(date(2026, 12, 25), date(2027, 1, 6))
    assert [(n.day, n.key) for n in nights] == [
        (date(2026, 12, 25), PUBLIC_HOLIDAY),
        (date(2026, 12, 26), PUBLIC_HOLIDAY),
        (date(2026, 12, 31), NEW_YEARS_EVE),
        (date(2027, 1, 1), PUBLIC_HOLIDAY),
        (date(2027, 1, 6), PUBLIC_HOLIDAY),
    ]


def test_between_passes_last_school_day():
    school = date(2027, 6, 10)
    nights = special_nights_between(date(2027, 6, 1), date(2027, 6, 30), last_school_day=school)
    assert [(n.day, n.key) for n in nights] == [
        (date(2027, 6, 6), PUBLIC_HOLIDAY),
        (school, LAST_SCHOOL_DAY),
        (date(2027, 6, 25), MIDSUMMER_EVE),
        (date(2027, 6, 26), PUBLIC_HOLIDAY),
    ]


def test_between_single_day_and_reversed_range():
    assert [n.key for n in special_nights_between(date(2026, 4, 30), date(2026, 4, 30))] == [
        VALBORG
    ]
    assert special_nights_between(date(2026, 5, 1), date(2026, 4, 30)) == []
    assert special_nights_between(date(2026, 7, 1), date(2026, 7, 1) + timedelta(days=30)) == []
