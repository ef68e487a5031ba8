"""The reports adapter (ages, monthly figures) and kronor parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nattvandring import clock, dates
from nattvandring.reports import queries
from nattvandring.sponsorship import walks
from nattvandring.sponsorship.forms import ore_to_input, parse_kronor

from .conftest import agreement, correct_walker_out, walk


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("1500", 150_000),
        ("1 500", 150_000),
        ("1\u00a0500", 150_000),
        ("1500,50", 150_050),
        ("1500.5", 150_050),
        ("75 000 kr", 7_500_000),
        ("0", 0),
    ],
)
def test_parse_kronor(text, ore):
    assert parse_kronor(text) == ore


@pytest.mark.parametrize("text", ["", "-5", "1,234", "15,005", "abc", "1 500,5,0", "1e3"])
def test_parse_kronor_refuses(text):
    with pytest.raises(ValueError):
        parse_kronor(text)


def test_ore_to_input_round_trips():
    for ore in (0, 150_000, 150_050, 7_500_000):
        assert parse_kronor(ore_to_input(ore)) == ore


def test_adapter_ages_from_evening_year(db, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=[2008, 2009, None])
    found = walks.approved_walks(
        db,
        association_ids=[world.ids["assoc_a"]],
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        recorded_before=None,
    )
    (approved,) = found[world.ids["assoc_a"]]
    assert sorted(w.age for w in approved.walkers if w.age is not None) == [17, 18]
    assert [w.age for w in approved.walkers].count(None) == 1
    assert approved.evening == date(2026, 3, 6)  # started 21:00, ends after midnight
    assert all(w.minutes == 240 for w in approved.walkers)


def test_monthly_figures_match_reports_queries(db, world, place):
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    first = walk(db, **place["assoc_a"], evening=date(2026, 3, 6), birth_years=[1980, 1981])
    walk(db, **place["assoc_a"], evening=date(2026, 3, 31), birth_years=[1980])
    walk(db, **place["assoc_a"], evening=date(2026, 4, 3), birth_years=[1980, 1981, 1982])
    walk(db, **place["assoc_c"], evening=date(2026, 4, 4), birth_years=[1970])
    correct_walker_out(db, first, recorded_at=datetime(2026, 5, 1, tzinfo=UTC))
    ids = [world.ids["assoc_a"], world.ids["assoc_c"]]
    ours = list(
        walks.monthly_figures(
            db, association_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31)
        )
    )
    theirs = queries.hours_by_association_month(
        db, association_ids=ids, start=date(2026, 1, 1), end=date(2026, 12, 31)
    )
    assert [(f.association_id, f.month, f.walks, f.walker_visits, f.minutes) for f in ours] == [
        (m.association_id, m.month, m.walks, m.walker_visits, m.minutes) for m in theirs
    ]
    assert (ours[0].month, ours[0].walks, ours[0].walker_visits) == (date(2026, 3, 1), 2, 2)
    bjuv = list(
        walks.monthly_figures(
            db,
            association_ids=ids,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            municipality_ids=[world.ids["bjuv"]],
        )
    )
    assert [(f.association_id, f.walks) for f in bjuv] == [(world.ids["assoc_c"], 1)]


def test_an_agreements_default_end_stays_inside_the_date_window(db, world):
    late = agreement(db, world, enrol=(), valid_from=date(2100, 6, 1))
    assert late.valid_to == dates.LAST_DAY  # three years on would be 2103
    usual = agreement(db, world, enrol=(), valid_from=date(2026, 1, 1))
    assert usual.valid_to == date(2028, 12, 31)
