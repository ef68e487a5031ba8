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

from collections import defaultdict
from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nattvandring.clock import local_to_utc
from nattvandring.sponsorship.earnings import ALLOCATIONS, Terms
from nattvandring.sponsorship.rules import KINDS, ApprovedWalk, PaymentRule, Walker
from nattvandring.sponsorship.settlement import Member, plan_run

TERM_START = date(2026, 1, 1)
TERM_END = date(2027, 6, 30)
SPAN = (TERM_END - TERM_START).days
ASSOCIATIONS = (1, 2, 3)


def rules(kind: str):
    packages = st.lists(
        st.tuples(st.integers(1, 12), st.integers(0, 2_000_000)),
        min_size=1,
        max_size=3,
        unique_by=lambda p: p[0],
    )
    return st.builds(
        PaymentRule,
        kind=st.just(kind),
        amount_ore=st.just(0) if kind == "per_package" else st.integers(0, 500_000),
        min_walkers=st.integers(0, 4),
        min_age=st.sampled_from([0, 18]),
        packages=packages if kind == "per_package" else st.just(()),
    )


@st.composite
def histories(draw, kind: str | None = None):
    kind = kind or draw(st.sampled_from(KINDS))
    changes = draw(st.lists(st.integers(1, SPAN), max_size=3, unique=True))
    cap = draw(st.none() | st.integers(0, 3_000_000))
    versions = [
        Terms(TERM_START + timedelta(days=offset), draw(rules(kind)), cap_ore=cap)
        for offset in [0, *sorted(changes)]
    ]
    walks = []
    for walk_id in range(draw(st.integers(0, 40))):
        # Fridays and Saturdays mostly, so weekends form and split across runs
        base = TERM_START + timedelta(days=draw(st.integers(0, SPAN // 7)) * 7 + 1)  # a Friday
        evening = min(base + timedelta(days=draw(st.sampled_from([0, 0, 1, 1, 3]))), TERM_END)
        start = local_to_utc(evening, time(21))
        hours = draw(st.integers(1, 6))
        ages = draw(st.lists(st.sampled_from([None, 15, 30, 60]), min_size=1, max_size=6))
        walkers = tuple(Walker(age=a, minutes=hours * 60 - draw(st.integers(0, 59))) for a in ages)
        walk = ApprovedWalk(walk_id, start, start + timedelta(hours=hours), 1, walkers)
        # days after the evening until it is approved; some walkers are corrected out later
        approved_after = draw(st.integers(0, 200))
        corrected = draw(st.none() | st.integers(approved_after + 1, 400))
        owner = draw(st.sampled_from(ASSOCIATIONS))
        walks.append((owner, walk, approved_after, corrected))
    cuts = sorted(draw(st.lists(st.integers(1, SPAN - 1), max_size=6, unique=True)))
    # each run is computed some days after its period ends
    delays = [draw(st.integers(0, 60)) for _ in range(len(cuts) + 1)]
    joined = {a: TERM_START + timedelta(days=draw(st.integers(0, 60))) for a in ASSOCIATIONS}
    return versions, walks, cuts, delays, joined


def ledger(walks, today: date) -> dict[int, list[ApprovedWalk]]:
    """The approved walks as the ledger shows them on ``today``."""
    found: dict[int, list[ApprovedWalk]] = defaultdict(list)
    for owner, walk, approved_after, corrected in walks:
        if walk.evening + timedelta(days=approved_after) > today:
            continue
        if corrected is not None and walk.evening + timedelta(days=corrected) <= today:
            walk = ApprovedWalk(
                walk.walk_id, walk.start, walk.end, walk.municipality_id, walk.walkers[1:]
            )
        found[owner].append(walk)
    return found


def simulate(versions, walks, periods, run_days, joined):
    """Run consecutive runs, each approved before the next; returns paid per association."""
    paid: dict[int, int] = defaultdict(int)
    accounted: dict[int, int] = defaultdict(int)
    for (first, last), today in zip(periods, run_days, strict=True):
        members = [Member(a, joined[a], paid[a], accounted[a]) for a in ASSOCIATIONS]
        plan = plan_run(
            versions,
            ledger(walks, today),
            members,
            term_start=TERM_START,
            term_end=TERM_END,
            period_start=first,
            period_end=last,
            municipality_ids={1},
            committed_total_ore=sum(paid.values()),
        )
        for line in plan.lines:
            paid[line.association_id] += line.amount_ore
            accounted[line.association_id] += line.earned_ore
    return dict(paid)


def partition(cuts: list[int]) -> list[tuple[date, date]]:
    edges = [TERM_START] + [TERM_START + timedelta(days=c) for c in cuts]
    ends = [e - timedelta(days=1) for e in edges[1:]] + [TERM_END]
    return list(zip(edges, ends, strict=True))


def run_days(periods, delays, final: date) -> list[date]:
    days, latest = [], TERM_START
    for (_first, last), delay in zip(periods, delays, strict=True):
        latest = max(latest, last + timedelta(days=delay))
        days.append(latest)
    days[-1] = final  # the last run sees every approval and correction
    return days


FINAL = TERM_END + timedelta(days=500)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.sampled_from(KINDS).flatmap(histories))
def test_runs_over_any_partition_pay_what_one_run_pays(history):
    versions, walks, cuts, delays, joined = history
    periods = partition(cuts)
    split = simulate(versions, walks, periods, run_days(periods, delays, FINAL), joined)
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], joined)
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
    earned = simulate(unlimited, walks, [(TERM_START, TERM_END)], [FINAL], joined)
    split = simulate(versions, walks, periods, days, joined)
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], joined)
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
    split = simulate(versions, walks, periods, days, joined)
    whole = simulate(versions, walks, [(TERM_START, TERM_END)], [FINAL], joined)
    assert split == whole == {1: 0, 2: 0, 3: 711}
