"""Membership over time: taking a municipality off an agreement or withdrawing (and
enrolling again) an association never takes back money paid.

The invariants, over random histories (hypothesis):

- a change of membership applies from its effective day on, never before the first evening
  no approved payout settled: no settled evening changes whether it counts;
- with membership changing between runs, and no report corrected, no run deducts anything,
  and consecutive runs pay every association what one run over the whole term pays with the
  members as they ended up.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nattvandring.clock import local_to_utc
from nattvandring.sponsorship import membership
from nattvandring.sponsorship.earnings import Terms
from nattvandring.sponsorship.membership import FROM_THE_START
from nattvandring.sponsorship.rules import KINDS, ApprovedWalk, PaymentRule, Walker
from tests.support.payout_histories import (
    ASSOCIATIONS,
    FINAL,
    MUNICIPALITIES,
    TERM_END,
    TERM_START,
    Change,
    changes,
    evening_walk,
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
@given(period_histories(), DAYS, st.none() | DAYS, st.booleans(), DAYS)
def test_a_change_leaves_every_settled_evening_as_it_was(periods, today, first_open, joins, first):
    """What the services do (``services_membership``): end from the effective day, cover
    again from it, enrol from a day no earlier than the first open evening."""
    effective = membership.effective_day(today, first_open)
    assert effective >= today and (first_open is None or effective >= first_open)
    if not joins:
        after = membership.ended(periods, effective)
    elif membership.is_open(periods):
        after = tuple(periods)
    elif first_open is not None and first < first_open:
        return  # refused
    else:
        after = membership.started(periods, first)
        covered = membership.covered_again(periods, effective, first_open)
        for offset in range(-3, (effective - TERM_START).days):
            day = TERM_START + timedelta(days=offset)
            if first_open is not None or periods:
                assert membership.covers(covered, day) == membership.covers(periods, day)
    settled_until = effective if not joins else (first_open or TERM_START)
    for offset in range(-3, (settled_until - TERM_START).days):
        day = TERM_START + timedelta(days=offset)
        assert membership.covers(after, day) == membership.covers(periods, day)


def test_the_first_open_evening_is_after_what_approved_payouts_hold():
    assert membership.first_open_evening([]) is None
    # A quarter approved on 5 April holds walks up to 5 April only.
    quarter = (date(2026, 6, 30), date(2026, 4, 5))
    march = (date(2026, 3, 31), date(2026, 4, 2))
    assert membership.first_open_evening([march, quarter]) == date(2026, 4, 6)
    assert membership.effective_day(date(2026, 4, 5), date(2026, 4, 6)) == date(2026, 4, 6)
    assert membership.effective_day(date(2026, 4, 10), date(2026, 4, 6)) == date(2026, 4, 10)


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
    assert membership.covered_again((), june, None) == ((FROM_THE_START, None),)
    assert membership.covered_again((), june, april) == ((june, None),)


@SETTINGS
@given(st.sampled_from(KINDS).flatmap(histories), changes(), st.data())
def test_membership_changes_between_runs_never_take_paid_money_back(history, changed, data):
    versions, walks, cuts, delays, joined = history
    walks = [(owner, walk, approved_after, None) for owner, walk, approved_after, _ in walks]
    periods = partition(cuts)
    early = [delay - 30 for delay in delays]  # some runs are computed before their period ends
    days = run_days(periods, early, FINAL)
    # The evening a run holds: a walk tonight, in tonight's run, and a change right after it.
    tonights = data.draw(st.lists(st.sampled_from(days[:-1]), max_size=3)) if days[:-1] else []
    for n, tonight in enumerate(tonights):
        owner = data.draw(st.sampled_from(ASSOCIATIONS))
        place = data.draw(st.sampled_from(MUNICIPALITIES))
        walks.append((owner, evening_walk(1000 + n, tonight, place), 0, None))
        kind, key = data.draw(st.sampled_from([("association", owner), ("municipality", place)]))
        changed.append(Change(tonight, kind, key, False, None, after_run=True))
    changed.sort(key=lambda change: change.day)
    split = simulate(versions, walks, periods, days, joined, changed)
    assert all(amount >= 0 for amount in split.amounts)
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], split.members)
    for association in ASSOCIATIONS:
        assert split.paid.get(association, 0) == whole.paid.get(association, 0)


def test_an_hour_approved_late_in_a_capped_year_leaves_the_next_years_money():
    """Found by the property above: hours are rounded on a running total, and one carried
    over the whole term moved an already paid evening of 2027 down an öre when a walk of
    2026 (at its cap, so paying nothing more) was approved late. Per year, it cannot."""
    rule = PaymentRule(kind="per_hour", amount_ore=156, min_walkers=0, min_age=0)
    versions = [Terms(TERM_START, rule, cap_ore=151)]

    def hours(walk_id: int, evening: date, minutes: int, approved_after: int):
        start = local_to_utc(evening, time(21))
        walkers = (Walker(age=30, minutes=minutes),)
        walk = ApprovedWalk(walk_id, start, start + timedelta(minutes=minutes), 1, walkers)
        return (1, walk, approved_after, None)

    walks = [
        hours(0, date(2026, 1, 2), 60, 0),
        hours(1, date(2026, 11, 20), 36, 60),  # approved after the first run
        hours(2, date(2027, 1, 1), 58, 0),
    ]
    periods = [(TERM_START, date(2027, 1, 1)), (date(2027, 1, 2), TERM_END)]
    joined = dict.fromkeys(ASSOCIATIONS, TERM_START)
    split = simulate(versions, walks, periods, [date(2027, 1, 1), FINAL], joined)
    assert split.amounts[0] == 151 + 151  # 2026 at its cap, and 58 minutes of 2027
    assert all(amount >= 0 for amount in split.amounts)
    assert split.paid[1] == 302


def test_a_walk_approved_late_in_a_capped_year_leaves_the_next_years_package():
    """Found by the property above, with packages counted over the whole term: a walk of
    2026 approved late completed a second package there (paying nothing more, at the cap)
    and took the package that January's walk had completed, which the next payout deducted.
    With a yearly cap, packages count per calendar year, as the cap does."""
    rule = PaymentRule(
        kind="per_package", amount_ore=0, min_walkers=0, min_age=0, packages=((2, 100),)
    )
    versions = [Terms(TERM_START, rule, cap_ore=100)]

    def walk(walk_id: int, evening: date, approved_after: int):
        start = local_to_utc(evening, time(21))
        walkers = (Walker(age=30, minutes=120),)
        return (
            1,
            ApprovedWalk(walk_id, start, start + timedelta(hours=2), 1, walkers),
            approved_after,
            None,
        )

    walks = [
        walk(0, date(2026, 11, 6), 0),
        walk(1, date(2026, 11, 13), 0),
        walk(2, date(2026, 11, 20), 0),
        walk(3, date(2026, 12, 4), 60),  # approved after the first run
        walk(4, date(2027, 1, 8), 0),  # completed the second package of the term
    ]
    periods = [(TERM_START, date(2027, 1, 31)), (date(2027, 2, 1), TERM_END)]
    joined = dict.fromkeys(ASSOCIATIONS, TERM_START)
    split = simulate(versions, walks, periods, [date(2027, 1, 31), FINAL], joined)
    assert split.amounts[0] == 100  # 2026 at its cap; January's walk alone is no package
    assert all(amount >= 0 for amount in split.amounts)
    assert split.paid[1] == 100


_DAY0 = date(2026, 1, 1)
_day = st.integers(0, 60).map(lambda n: _DAY0 + timedelta(days=n))
_periods = st.lists(
    st.tuples(_day, st.one_of(st.none(), _day)).filter(lambda p: p[1] is None or p[1] > p[0]),
    max_size=3,
)


@given(st.lists(_periods, min_size=1, max_size=3), _day, _day)
def test_shared_evening_is_the_first_day_every_set_counts(period_sets, first, last):
    """Against counting day by day: the first evening of ``first..last`` in every set."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    expected = next(
        (d for d in days if all(membership.covers(periods, d) for periods in period_sets)), None
    )
    assert membership.shared_evening(period_sets, first, last) == expected
