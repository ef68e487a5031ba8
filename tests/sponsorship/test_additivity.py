"""Run additivity, the payout invariant, over random histories (hypothesis).

The invariant: for every rule kind, splitting a period into any sequence of consecutive runs
pays each association exactly what one run over the whole period pays, given the same
approved walks by the time of the last run. Walks may be approved late (after the run that
covers their evening) or corrected later, terms may change (from a date, as versions), and
the cap counts per year. When a budget runs short the runs pay out exactly the budget in
total either way, and nobody gets more than they earned: the budget only decides who is
paid first.

Each run is simulated as the service does it: it sees only the ledger recorded before its
computation, and what committed runs paid and accounted for.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nattvandring.sponsorship.earnings import ALLOCATIONS, Terms
from nattvandring.sponsorship.rules import KINDS, ApprovedWalk, PaymentRule, Walker
from tests.support.payout_histories import (
    ASSOCIATIONS,
    FINAL,
    TERM_END,
    TERM_START,
    histories,
    partition,
    run_days,
    simulate,
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.sampled_from(KINDS).flatmap(histories))
def test_runs_over_any_partition_pay_what_one_run_pays(history):
    versions, walks, cuts, delays, joined = history
    periods = partition(cuts)
    split = simulate(versions, walks, periods, run_days(periods, delays, FINAL), joined).paid
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], joined).paid
    assert split == whole


@SETTINGS
@given(
    st.sampled_from(KINDS).flatmap(histories),
    st.integers(0, 5_000_000),
    st.sampled_from(ALLOCATIONS),
)
def test_a_short_budget_pays_out_the_same_total_and_nobody_more_than_earned(
    history, budget, policy
):
    versions, walks, cuts, delays, joined = history
    versions = [
        Terms(v.valid_from, v.rule, v.cap_ore, budget_ore=budget, allocation=policy)
        for v in versions
    ]
    unlimited = [Terms(v.valid_from, v.rule, v.cap_ore) for v in versions]
    periods = partition(cuts)
    days = run_days(periods, delays, FINAL)
    earned = simulate(unlimited, walks, [(TERM_START, TERM_END)], [FINAL], joined).paid
    split = simulate(versions, walks, periods, days, joined).paid
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], joined).paid
    assert sum(split.values()) == sum(whole.values()) == min(budget, sum(earned.values()))
    for association in ASSOCIATIONS:
        assert 0 <= split.get(association, 0) <= earned.get(association, 0)
        assert 0 <= whole.get(association, 0) <= earned.get(association, 0)


def test_a_correction_in_one_year_is_deducted_even_when_another_year_earns():
    """Found by the property above: a paid 2026 walk corrected while 2027 earns under the
    same yearly cap must still be deducted (the split used to keep both years' caps)."""
    from datetime import UTC, datetime

    def walk(walk_id, start, ages):
        walkers = tuple(Walker(age=a, minutes=60) for a in ages)
        return ApprovedWalk(walk_id, start, start + timedelta(hours=1), 1, walkers)

    walks = [
        (3, walk(13, datetime(2027, 4, 23, 19, tzinfo=UTC), [None, 30, 30, 60]), 142, None),
        (3, walk(17, datetime(2027, 1, 1, 20, tzinfo=UTC), [60, 60, 30]), 47, None),
        (3, walk(23, datetime(2026, 7, 31, 19, tzinfo=UTC), [60, None, 60, 60]), 171, 391),
    ]
    versions = [Terms(TERM_START, PaymentRule("per_walk", 478_683, 3, 18), cap_ore=711)]
    joined = dict.fromkeys(ASSOCIATIONS, TERM_START)
    periods = partition([2, 81, 117, 402])
    days = run_days(periods, [27, 0, 36, 47, 13], FINAL)
    split = simulate(versions, walks, periods, days, joined).paid
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], joined).paid
    assert split == whole == {1: 0, 2: 0, 3: 711}
