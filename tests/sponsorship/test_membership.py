"""Membership over time: taking a municipality off an agreement or withdrawing (and
enrolling again) an association never takes back money paid.

The invariants, over random histories (hypothesis):

- a change of membership applies from its effective day on: no evening before it stops
  counting (a municipality covered for the first time counts from the agreement's start);
- with membership changing between runs, and no report corrected, no run deducts anything,
  and consecutive runs pay every association what one run over the whole term pays with the
  members as they ended up.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nattvandring.sponsorship import membership
from nattvandring.sponsorship.membership import FROM_THE_START
from nattvandring.sponsorship.rules import KINDS
from tests.support.payout_histories import (
    ASSOCIATIONS,
    FINAL,
    TERM_END,
    TERM_START,
    changes,
    histories,
    partition,
    run_days,
    simulate,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAYS = st.integers(0, 400).map(lambda n: TERM_START + timedelta(days=n))


@st.composite
def period_histories(draw):
    """Periods built by alternately starting and ending, as the services do."""
    periods: tuple = ()
    for _ in range(draw(st.integers(0, 6))):
        day = draw(DAYS)
        periods = (
            membership.ended(periods, day)
            if membership.is_open(periods)
            else membership.started(periods, day)
        )
    return periods


@SETTINGS
@given(period_histories(), DAYS, DAYS, st.booleans())
def test_no_evening_before_a_changes_effective_day_stops_counting(
    periods, today, first_open, joins
):
    effective = membership.effective_day(today, first_open)
    if joins and not membership.is_open(periods):
        after = membership.covered_again(periods, effective)
    else:
        after = membership.ended(periods, effective)
    for offset in range(-3, (effective - TERM_START).days):
        day = TERM_START + timedelta(days=offset)
        if membership.covers(periods, day):
            assert membership.covers(after, day)
        elif not joins:  # ending never adds an evening either
            assert not membership.covers(after, day)


def test_periods_end_reopen_and_start_again():
    march, april, june = date(2026, 3, 1), date(2026, 4, 1), date(2026, 6, 1)
    open_ = membership.started((), march)
    assert open_ == ((march, None),)
    ended = membership.ended(open_, april)
    assert ended == ((march, april),)
    assert not membership.covers(ended, april) and membership.covers(ended, april - timedelta(1))
    assert membership.started(ended, april) == ((march, None),)  # no evening in between
    again = membership.started(ended, june)
    assert again == ((march, april), (june, None))
    assert not membership.covers(again, date(2026, 5, 15))
    assert membership.ended(membership.started((), june), april) == ()  # had not begun
    assert membership.covered_again((), june) == ((FROM_THE_START, None),)


@SETTINGS
@given(st.sampled_from(KINDS).flatmap(histories), changes())
def test_membership_changes_between_runs_never_take_paid_money_back(history, changed):
    versions, walks, cuts, delays, joined = history
    walks = [(owner, walk, approved_after, None) for owner, walk, approved_after, _ in walks]
    periods = partition(cuts)
    split = simulate(versions, walks, periods, run_days(periods, delays, FINAL), joined, changed)
    assert all(amount >= 0 for amount in split.amounts)
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], split.members)
    for association in ASSOCIATIONS:
        assert split.paid.get(association, 0) == whole.paid.get(association, 0)
