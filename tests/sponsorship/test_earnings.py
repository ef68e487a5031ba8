"""Running totals of earnings: a change of terms never moves an evening before it, and the
counts a package or an hour's rounding runs on stay where they belong."""

from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nattvandring.clock import local_to_utc
from nattvandring.sponsorship import explain
from nattvandring.sponsorship.earnings import WAITING, Terms, earned, weekend_standing
from nattvandring.sponsorship.rules import KINDS, ApprovedWalk, PaymentRule, Walker
from tests.support.payout_histories import (
    TERM_END,
    TERM_START,
    evening_walk,
    histories,
    ledger,
    rules,
)

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


# --- what a statement marks as counting is what the runs pay (weekend rule) -------------------

_FRIDAY, _SATURDAY = 4, 5
_MONDAY = date(2026, 3, 2)
_WEEKEND = [Terms(_MONDAY, PaymentRule("per_weekend", 100_000, 1, 0))]
#: Days after ``_MONDAY``: often a Saturday (a run, the enrolment or the agreement ending
#: between a Friday and its Saturday is where the weekend's standing is decided).
_DAY_OR_SATURDAY = st.one_of(st.integers(1, 55), st.sampled_from(range(5, 56, 7)))


def _earned(walks, up_to, term_end, enrolled):
    return earned(
        _WEEKEND,
        walks,
        term_start=_MONDAY,
        term_end=term_end,
        up_to=up_to,
        coverage=None,
        enrolled=enrolled,
    )


@settings(max_examples=300, deadline=None)
@given(
    evenings=st.sets(st.integers(0, 55), max_size=20),
    cuts=st.sets(_DAY_OR_SATURDAY, max_size=4),
    enrolled_until=st.one_of(st.none(), _DAY_OR_SATURDAY),
    term_days=_DAY_OR_SATURDAY,
)
# A run ending on Friday 6 March, and then the enrolment or the agreement ending with it.
@example(evenings={4, 5}, cuts={5}, enrolled_until=None, term_days=56)
@example(evenings={4}, cuts={5}, enrolled_until=5, term_days=56)
@example(evenings={4}, cuts={5}, enrolled_until=None, term_days=5)
def test_a_statement_counts_exactly_the_evenings_the_runs_pay(
    evenings, cuts, enrolled_until, term_days
):
    """Random walks under a weekend rule, paid in consecutive runs, with an enrolment and an
    agreement that may end. In every run each evening's
    standing (what the statement's table shows) agrees with the money: a Saturday shown as
    counting pays one weekend and nothing else pays; a Friday shown as counting has its
    Saturday counting in the same run; a Friday shown as waiting on a run's last day would be
    paired by a walk on its Saturday in the next run: it is shown only while that can be."""
    term_end = _MONDAY + timedelta(days=term_days - 1)
    walks = [
        evening_walk(n, _MONDAY + timedelta(days=offset), 1)
        for n, offset in enumerate(sorted(evenings))
    ]
    enrolled = [(_MONDAY, None if enrolled_until is None else _MONDAY + timedelta(enrolled_until))]
    edges = [0, *sorted(cuts), 56]
    periods = [
        (_MONDAY + timedelta(days=a), min(term_end, _MONDAY + timedelta(days=b - 1)))
        for a, b in zip(edges, edges[1:], strict=False)
        if _MONDAY + timedelta(days=a) <= term_end
    ]
    waiting: set[date] = set()  # Fridays shown as waiting by earlier runs
    for number, (first, last) in enumerate(periods):
        result = _earned(walks, last, term_end, enrolled)
        shown = {e.day: weekend_standing(e, last) for e in result.between(first, last)}
        paying = [d for d, standing in shown.items() if d.weekday() == _SATURDAY and not standing]
        assert result.total(first, last) == 100_000 * len(paying)
        for saturday in paying:  # its Friday counts too: in this run, or waited in the last
            friday = saturday - timedelta(days=1)
            assert (friday in shown and shown[friday] is None) or friday in waiting
        for day, standing in shown.items():
            if standing is None and day.weekday() == _FRIDAY:
                saturday = day + timedelta(days=1)
                assert saturday in shown and shown[saturday] is None
            if standing == WAITING:
                assert day == last and day.weekday() == _FRIDAY and number + 1 < len(periods)
                waiting.add(day)
                saturday = day + timedelta(days=1)
                walked = [w for w in walks if w.evening != saturday]
                walked.append(evening_walk(len(walks), saturday, 1))
                next_last = periods[number + 1][1]
                later = _earned(walked, next_last, term_end, enrolled).between(saturday, saturday)
                assert [(e.day, e.units) for e in later] == [(saturday, 1)]
