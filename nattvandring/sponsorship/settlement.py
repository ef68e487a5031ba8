"""One payout run as a pure function: earnings to date minus what earlier runs paid.

For each association ``plan_run`` computes the running total earned up to the day before
the run (``before``) and up to its last day (``through``), caps them per year, and owes
``capped(through) - paid``. Because that only depends on the running totals, consecutive
runs add up to one run over the whole period (see ``earnings``). Two guards keep history
still:

- a change of terms applies from its date on, so it never changes what an earlier evening
  earned; a changed cap applies from the next calendar year, and a lowered budget only
  stops further payments: a deduction happens only when the earnings themselves fell (a
  report corrected after it was paid);
- the budget only decides who is paid first (``allocation``); money cut by the budget or
  the cap stays owed and is paid by a later run if the terms make room.

The run's lines: an adjustment for everything before the run (late approvals, corrected
reports, money cut earlier), and the period itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import allocation
from .earnings import Earned, Terms, capped_by_day, earned, terms_on
from .membership import Period, is_open, overlaps
from .rules import ApprovedWalk


@dataclass(frozen=True)
class Member:
    """An association enrolled in the agreement at some time (``enrolled``: its periods,
    None: always) and what committed runs already settled for it."""

    association_id: int
    enrolled: tuple[Period, ...] | None
    paid_ore: int = 0  # amounts of committed lines
    accounted_ore: int = 0  # earnings committed lines accounted for (rule amounts)
    cap_used: tuple[tuple[int, int], ...] = ()  # (year, öre) paid by runs before versions


@dataclass
class LinePlan:
    association_id: int
    kind: str  # "period" or "adjustment"
    first: date
    last: date
    earned_ore: int  # what the evenings covered add to the running total
    amount_ore: int  # paid in this run
    cut_by_cap_ore: int = 0
    cut_by_budget_ore: int = 0
    evenings: list = field(default_factory=list)
    walks_considered: int = 0


@dataclass
class RunPlan:
    lines: list[LinePlan]
    budget_left_before_ore: int | None
    cut: dict[int, int]  # association -> öre cut by the budget in this run
    allocation: str
    earned: dict[int, Earned]


def plan_run(
    versions: Sequence[Terms],
    walks: Mapping[int, Sequence[ApprovedWalk]],
    members: Sequence[Member],
    *,
    term_start: date,
    term_end: date,
    period_start: date,
    period_end: date,
    coverage: Mapping[int, Sequence[Period]] | None,
    committed_total_ore: int,
) -> RunPlan:
    """Plan a run over ``period_start..period_end``; ``committed_total_ore`` is everything
    committed runs of the agreement paid (the budget used). An association that left
    before the period gets a line only when an earlier evening still settles something."""
    before = period_start - timedelta(days=1)
    in_force = terms_on(versions, min(period_end, term_end))
    budget_left = None if in_force.budget_ore is None else in_force.budget_ore - committed_total_ore
    dues: dict[int, int] = {}
    unpaid: dict[int, list[tuple[date, int]]] = {}
    parts: dict[int, tuple[int, int, int, int, int]] = {}
    found: dict[int, Earned] = {}
    for member in members:
        key = member.association_id
        result = earned(
            versions,
            walks.get(key, ()),
            term_start=term_start,
            term_end=term_end,
            up_to=period_end,
            coverage=coverage,
            enrolled=member.enrolled,
        )
        found[key] = result
        earned_before = result.total(None, before)
        earned_all = result.total()
        used = dict(member.cap_used)
        capped_now = capped_by_day(versions, result.evenings, up_to=period_end, cap_used=used)
        capped_then = capped_by_day(
            versions, result.between(None, before), up_to=before, cap_used=used
        )
        target_now = sum(a for _, a in capped_now)
        target_then = sum(a for _, a in capped_then)
        # Negative only when the earnings fell (a corrected report): terms never change an
        # earlier evening's earnings, and a year's cap is fixed from its 1 January.
        due = target_now - member.paid_ore
        adjustment = target_then - member.paid_ore
        dues[key] = due
        unpaid[key] = allocation.dated_unpaid(
            capped_now, paid=member.paid_ore, due=max(due, 0), last_day=period_end
        )
        cap_cut = (earned_all - target_now) - (earned_before - target_then)
        parts[key] = (earned_before, earned_all, adjustment, cap_cut, due)

    paid = allocation.allocate(dues, unpaid, budget_left=budget_left, policy=in_force.allocation)
    lines: list[LinePlan] = []
    cut: dict[int, int] = {}
    for member in members:
        key = member.association_id
        earned_before, earned_all, adjustment, cap_cut, due = parts[key]
        total = paid[key]
        if due - total:
            cut[key] = due - total
        adjustment_pay = min(adjustment, total) if adjustment > 0 else adjustment
        adjustment_earned = earned_before - member.accounted_ore
        if adjustment_earned or adjustment_pay:
            lines.append(
                LinePlan(
                    key,
                    "adjustment",
                    term_start,
                    before,
                    adjustment_earned,
                    adjustment_pay,
                    cut_by_budget_ore=max(0, adjustment - adjustment_pay),
                    evenings=found[key].between(None, before),
                    walks_considered=found[key].walks_considered(None, before),
                )
            )
        else:
            adjustment_pay = 0
        period_line = LinePlan(
            key,
            "period",
            period_start,
            period_end,
            earned_all - earned_before,
            total - adjustment_pay,
            cut_by_cap_ore=max(0, cap_cut),
            cut_by_budget_ore=(due - total) - max(0, adjustment - adjustment_pay),
            evenings=found[key].between(period_start, period_end),
            walks_considered=found[key].walks_considered(period_start, period_end),
        )
        if _belongs(member, period_start, period_end) or not _is_empty(period_line):
            lines.append(period_line)
    return RunPlan(lines, budget_left, cut, in_force.allocation, found)


def _belongs(member: Member, first: date, last: date) -> bool:
    """Enrolled now or during ``first..last``: such a member always gets a period line."""
    enrolled = member.enrolled
    return enrolled is None or is_open(enrolled) or overlaps(enrolled, first, last)


def _is_empty(line: LinePlan) -> bool:
    return not (
        line.earned_ore
        or line.amount_ore
        or line.cut_by_cap_ore
        or line.cut_by_budget_ore
        or line.evenings
        or line.walks_considered
    )
