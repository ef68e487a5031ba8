"""Running totals of earnings: a change of terms never moves an evening before it, and the
counts a package or an hour's rounding runs on stay where they belong."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nattvandring.clock import local_to_utc
from nattvandring.sponsorship import explain
from nattvandring.sponsorship.earnings import Terms, earned
from nattvandring.sponsorship.rules import KINDS, ApprovedWalk, PaymentRule, Walker
from tests.support.payout_histories import TERM_END, TERM_START, histories, ledger, rules

PAIRS = PaymentRule(kind="per_package", amount_ore=0, packages=((2, 100_000),))


def _walk(walk_id: int, evening: date) -> ApprovedWalk:
    start = local_to_utc(evening, time(21))
    walkers = (Walker(age=30, minutes=120),)
    return ApprovedWalk(walk_id, start, start + timedelta(hours=2), 1, walkers)


def _evenings(versions: list[Terms], walks: list[ApprovedWalk], up_to: date) -> list:
    found = earned(
        versions,
        walks,
        term_start=TERM_START,
        term_end=TERM_END,
        up_to=up_to,
        coverage=None,
        enrolled=None,
    )
    return [(e.day, e.units, e.amount_ore) for e in found.evenings]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(KINDS).flatmap(histories),
    st.integers(1, (TERM_END - TERM_START).days),
    st.data(),
)
def test_a_new_version_of_the_terms_leaves_every_evening_before_it(history, offset, data):
    """Whatever it changes (rule, cap, budget), a version from ``first`` changes nothing
    before ``first``: what runs settled stays settled. (A cap added later used to make
    packages count per year from the start of the term, and take back a paid package.)"""
    versions, walks, *_ = history
    first = TERM_START + timedelta(days=offset)
    kind = versions[-1].rule.kind
    new = Terms(
        first,
        data.draw(st.just(versions[-1].rule) | rules(kind)),
        cap_ore=data.draw(st.none() | st.integers(0, 3_000_000)),
        budget_ore=data.draw(st.none() | st.integers(0, 3_000_000)),
    )
    before = [v for v in versions if v.valid_from < first]
    everything = [w for found in ledger(walks, date.max).values() for w in found]
    day_before = first - timedelta(days=1)
    assert _evenings(before + [new], everything, day_before) == _evenings(
        before, everything, day_before
    )


def test_a_cap_added_later_leaves_the_package_of_january_paid():
    """The reviewer's case: a pair completed on 8 January 2027 was paid; a version from
    1 February adding a cap (from 2028, the cap of a year being the one on its 1 January)
    leaves it as it was."""
    walks = [_walk(0, date(2026, 12, 4)), _walk(1, date(2027, 1, 8))]
    capped_later = [Terms(TERM_START, PAIRS), Terms(date(2027, 2, 1), PAIRS, cap_ore=5_000_000)]
    paid = _evenings([Terms(TERM_START, PAIRS)], walks, date(2027, 1, 31))
    assert paid == [(date(2026, 12, 4), 1, 0), (date(2027, 1, 8), 1, 100_000)]
    assert _evenings(capped_later, walks, date(2027, 1, 31)) == paid


def test_a_new_budget_keeps_the_package_count_going():
    walks = [_walk(0, date(2027, 1, 29)), _walk(1, date(2027, 2, 5))]
    new_budget = [Terms(TERM_START, PAIRS), Terms(date(2027, 2, 1), PAIRS, budget_ore=900_000)]
    assert _evenings(new_budget, walks, TERM_END)[-1] == (date(2027, 2, 5), 1, 100_000)


def test_the_explanation_shows_each_years_package_count_under_a_cap():
    capped = [Terms(TERM_START, PAIRS, cap_ore=10_000_000)]
    days = [date(2026, 12, d) for d in (4, 11, 18, 25)] + [date(2027, 1, 8)]
    walks = [_walk(n, day) for n, day in enumerate(days)]
    found = earned(
        capped,
        walks,
        term_start=TERM_START,
        term_end=TERM_END,
        up_to=TERM_END,
        coverage=None,
        enrolled=None,
    )
    details = explain.line_details(
        capped,
        "period",
        found.evenings,
        last_day=date(2027, 1, 31),
        earned_ore=found.total(),
        amount_ore=found.total(),
        cut_by_cap_ore=0,
        cut_by_budget_ore=0,
    )
    text = explain.line_text(details)
    assert "4 vandringar i perioden, 4 räknade mot paketen (2 paket om 2)" in text
    assert "1 vandringar i perioden, 1 räknade mot paketen (inget helt paket)" in text
