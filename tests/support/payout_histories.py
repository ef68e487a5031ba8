"""Random payout histories for the sponsorship property tests (hypothesis strategies) and
a simulation of consecutive runs as the service computes them.

Each run sees only the ledger recorded before its computation, what committed runs paid and
accounted for, and the agreement's members as they were that day: membership changes
(``Change``) apply as ``services_membership`` applies them, from ``membership.effective_day``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from hypothesis import strategies as st

from nattvandring.clock import local_to_utc
from nattvandring.sponsorship import membership
from nattvandring.sponsorship.earnings import Terms
from nattvandring.sponsorship.membership import FROM_THE_START, Period
from nattvandring.sponsorship.rules import KINDS, ApprovedWalk, PaymentRule, Walker
from nattvandring.sponsorship.settlement import Member, plan_run

TERM_START = date(2026, 1, 1)
TERM_END = date(2027, 6, 30)
SPAN = (TERM_END - TERM_START).days
ASSOCIATIONS = (1, 2, 3)
MUNICIPALITIES = (1, 2)


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
        place = draw(st.sampled_from(MUNICIPALITIES))
        walk = ApprovedWalk(walk_id, start, start + timedelta(hours=hours), place, walkers)
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


def evening_walk(walk_id: int, evening: date, municipality_id: int) -> ApprovedWalk:
    """A walk that qualifies under every generated rule: four adults for four hours."""
    start = local_to_utc(evening, time(21))
    walkers = tuple(Walker(age=30, minutes=240) for _ in range(4))
    return ApprovedWalk(walk_id, start, start + timedelta(hours=4), municipality_id, walkers)


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


@dataclass(frozen=True)
class Change:
    """On ``day``, an association (``kind`` "association") or a municipality joins
    (``joins``; an association from ``first``, None: the default) or leaves the agreement,
    before that day's run or after it (``after_run``)."""

    day: date
    kind: str
    key: int
    joins: bool
    first: date | None
    after_run: bool = False


@dataclass
class Members:
    """Enrolment periods per association and coverage periods per municipality, changed
    as ``services_membership`` changes them."""

    enrolled: dict[int, tuple[Period, ...]]
    covered: dict[int, tuple[Period, ...]] = field(
        default_factory=lambda: {m: ((FROM_THE_START, None),) for m in MUNICIPALITIES}
    )

    @classmethod
    def joined(cls, joined: dict[int, date]) -> Members:
        return cls({a: ((day, None),) for a, day in joined.items()})

    def apply(self, change: Change, first_open: date | None) -> None:
        effective = membership.effective_day(change.day, first_open)
        if change.kind == "association":
            periods = self.enrolled.get(change.key, ())
            if not change.joins:
                self.enrolled[change.key] = membership.ended(periods, effective)
            elif membership.is_open(periods):
                pass  # refused: already enrolled
            elif change.first is None:
                self.enrolled[change.key] = membership.started(periods, effective)
            elif first_open is None or change.first >= first_open:
                self.enrolled[change.key] = membership.started(periods, change.first)
            # else refused: the evenings before the first open one are settled
        else:
            periods = self.covered.get(change.key, ())
            if not change.joins:
                self.covered[change.key] = membership.ended(periods, effective)
            elif not membership.is_open(periods):
                self.covered[change.key] = membership.covered_again(periods, effective, first_open)


@st.composite
def changes(draw) -> list[Change]:
    found = []
    for _ in range(draw(st.integers(0, 8))):
        day = TERM_START + timedelta(days=draw(st.integers(0, SPAN)))
        kind = draw(st.sampled_from(["association", "municipality"]))
        key = draw(st.sampled_from(ASSOCIATIONS if kind == "association" else MUNICIPALITIES))
        back = timedelta(days=draw(st.integers(0, 40)))
        first = draw(st.none() | st.just(max(TERM_START, day - back)))
        found.append(Change(day, kind, key, draw(st.booleans()), first, draw(st.booleans())))
    return sorted(found, key=lambda c: c.day)


@dataclass
class Simulated:
    paid: dict[int, int]
    amounts: list[int]  # every line's amount, in order
    members: Members


def simulate(versions, walks, periods, run_days, joined, changes: list[Change] = ()) -> Simulated:
    """Consecutive runs, each approved when it is computed, with ``changes`` applied on
    their days (before or after the run computed that day)."""
    paid: dict[int, int] = defaultdict(int)
    accounted: dict[int, int] = defaultdict(int)
    members = joined if isinstance(joined, Members) else Members.joined(joined)
    pending = list(changes)
    settled: list[tuple[date, date]] = []  # (last day, computed on) of approved runs
    amounts: list[int] = []

    def apply_until(today: date, *, after_run: bool) -> None:
        while pending and (
            pending[0].day < today
            or (pending[0].day == today and (after_run or not pending[0].after_run))
        ):
            members.apply(pending.pop(0), membership.first_open_evening(settled))

    for (first, last), today in zip(periods, run_days, strict=True):
        apply_until(today, after_run=False)
        plan = plan_run(
            versions,
            ledger(walks, today),
            [
                Member(a, members.enrolled[a], paid[a], accounted[a])
                for a in sorted(members.enrolled)
            ],
            term_start=TERM_START,
            term_end=TERM_END,
            period_start=first,
            period_end=last,
            coverage=members.covered,
            committed_total_ore=sum(paid.values()),
        )
        for line in plan.lines:
            paid[line.association_id] += line.amount_ore
            accounted[line.association_id] += line.earned_ore
            amounts.append(line.amount_ore)
        settled.append((last, today))
        apply_until(today, after_run=True)
    apply_until(date.max, after_run=True)
    return Simulated(dict(paid), amounts, members)
