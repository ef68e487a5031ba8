"""What an association has earned under versioned terms, as a running total over the term.

Runs add up because nothing here knows about runs. ``earned`` walks the association's
qualifying evenings in date order and gives, for each evening, the money that evening adds
to the running total. A run then pays "total up to its last day" minus "what earlier runs
already paid", so splitting a period into consecutive runs pays exactly what one run over
the whole period would pay (the invariant tested in tests/sponsorship/test_additivity.py):

- a weekend counts on its Saturday (its completing night), whichever run the Friday was in;
- packages count walks cumulatively, not per run: over the term while the rule stays the
  same, and per calendar year in a year with a cap;
- per-hour amounts are rounded on the running total of each calendar year (and rule), so
  no öre is lost to rounding per run;
- the cap counts the running total of each calendar year.

Each running total (``running_total``) holds the walks of one rule and, for hours and in a
year with a cap, of one calendar year: a walk approved late then adds to its own total and
never lowers another. Counted on across them, it did: the rounding of its minutes, or the
package it completed in a year already at its cap, took money from a later evening, paid
or not.

Each evening is paid under the terms in force on it (``Terms.valid_from``). A change of
terms therefore never touches an evening before it.
Pure: no database, no Flask, no floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from .membership import Period, covers
from .rules import ApprovedWalk, PaymentRule, walker_counts

BY_DATE = "by_date"
PRO_RATA = "pro_rata"
ALLOCATIONS = (BY_DATE, PRO_RATA)

_FRIDAY = 4
_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Terms:
    """One version of an agreement's terms, in force from ``valid_from`` until the next."""

    valid_from: date
    rule: PaymentRule
    cap_ore: int | None = None
    budget_ore: int | None = None
    allocation: str = BY_DATE

    def __post_init__(self) -> None:
        if self.allocation not in ALLOCATIONS:
            raise ValueError(f"unknown allocation {self.allocation!r}")
        for value in (self.cap_ore, self.budget_ore):
            if value is not None and (isinstance(value, bool) or value < 0):
                raise ValueError("cap and budget must be whole öre >= 0")


def terms_on(versions: Sequence[Terms], day: date) -> Terms:
    """The version in force on ``day`` (the first one for a day before every version)."""
    if not versions:
        raise ValueError("an agreement has at least one version of its terms")
    found = versions[0]
    for version in versions:
        if version.valid_from <= day:
            found = version
        else:
            break
    return found


def check_versions(versions: Sequence[Terms]) -> None:
    days = [v.valid_from for v in versions]
    if not days or days != sorted(set(days)):
        raise ValueError("versions must be non-empty with strictly increasing valid_from")


@cache
def best_packages(packages: tuple[tuple[int, int], ...], walks: int) -> int:
    """The most ``walks`` walks can earn in whole packages (each package any number of times).

    The best combination rather than "largest first": it never falls when a walk is added,
    so a running total over the term never takes money back."""
    best = [0] * (walks + 1)
    for n in range(1, walks + 1):
        best[n] = max([best[n - 1]] + [best[n - s] + a for s, a in packages if s <= n])
    return best[walks]


def package_split(packages: tuple[tuple[int, int], ...], walks: int) -> list[tuple[int, int]]:
    """Which packages make ``best_packages`` (size, count), largest first, for explanations."""
    result: dict[int, int] = defaultdict(int)
    n = walks
    while n > 0:
        target = best_packages(packages, n)
        if target == best_packages(packages, n - 1):
            n -= 1
            continue
        for size, amount in packages:
            if size <= n and best_packages(packages, n - size) + amount == target:
                result[size] += 1
                n -= size
                break
    return sorted(result.items(), reverse=True)


def _cumulative(rule: PaymentRule, units: int) -> int:
    """Money for ``units`` units counted from the start of the term under one rule."""
    if rule.kind == "per_hour":  # units are minutes; round half up on the running total
        return (2 * units * rule.amount_ore + 60) // 120
    if rule.kind == "per_package":
        return best_packages(rule.packages, units)
    return units * rule.amount_ore


def running_total(versions: Sequence[Terms], day: date) -> tuple:
    """Which running total the units of ``day`` add to. Hours: one per rule and calendar
    year. Packages: one per rule, and per calendar year in a year with a cap (as the cap).
    So a walk approved late only adds to its own total: carried on across, its rounding, or
    the package it completed in a year already at its cap, moved another total down, paid
    or not. Anything else: one per kind (an evening's money does not depend on it)."""
    rule = terms_on(versions, day).rule
    if rule.kind == "per_hour":
        return (rule, day.year)
    if rule.kind == "per_package":
        capped = terms_on(versions, date(day.year, 1, 1)).cap_ore is not None
        return (rule, day.year) if capped else (rule,)
    return (rule.kind,)


@dataclass(frozen=True)
class Evening:
    """What one evening adds: ``units`` of the rule in force and the money they earn."""

    day: date
    kind: str
    units: int
    amount_ore: int
    walks: int  # qualifying walks that evening
    walkers: int  # walker entries on them
    minutes: int  # counted walker minutes on them
    # A qualifying Friday whose Saturday does not (yet) complete a weekend under a weekend
    # rule, and whether a later Saturday still can: in the term, the enrolment and the
    # coverage of a municipality.
    lone_friday: bool = False
    saturday_may_come: bool = False
    counted: int = 0  # units of its ``running_total`` so far, this evening's included


#: How a per-weekend evening that adds no weekend of its own stands (``weekend_standing``).
WAITING = "waiting"  # a Friday on a line's last day whose Saturday may still pair it
LONE = "lone"  # no complete weekend: not paid


def weekend_standing(evening: Evening, last_day: date) -> str | None:
    """``WAITING`` or ``LONE`` for a per-weekend evening without units, as of a line that
    ends on ``last_day``; None for every other evening, a Friday whose Saturday carries the
    weekend included."""
    if evening.kind != "per_weekend" or evening.units:
        return None
    if evening.lone_friday:
        waits = evening.saturday_may_come and evening.day == last_day
        return WAITING if waits else LONE
    return None if evening.day.weekday() == _FRIDAY else LONE


@dataclass
class Earned:
    """An association's evenings from the start of the term up to a day."""

    evenings: list[Evening] = field(default_factory=list)
    considered: dict[date, int] = field(default_factory=dict)  # walks inside the agreement
    excluded: list[tuple[int, str]] = field(default_factory=list)

    def total(self, first: date | None = None, last: date | None = None) -> int:
        return sum(e.amount_ore for e in self.between(first, last))

    def between(self, first: date | None, last: date | None) -> list[Evening]:
        return [
            e
            for e in self.evenings
            if (first is None or e.day >= first) and (last is None or e.day <= last)
        ]

    def walks_considered(self, first: date | None, last: date | None) -> int:
        return sum(
            n
            for day, n in self.considered.items()
            if (first is None or day >= first) and (last is None or day <= last)
        )


def earned(
    versions: Sequence[Terms],
    walks: Iterable[ApprovedWalk],
    *,
    term_start: date,
    term_end: date,
    up_to: date,
    coverage: Mapping[int, Sequence[Period]] | None,
    enrolled: Sequence[Period] | None,
) -> Earned:
    """Running earnings of one association from ``term_start`` up to ``up_to`` (inclusive):
    the walks on evenings it was ``enrolled`` (None: always) in a municipality the
    agreement covered then (``coverage`` per municipality; None: every municipality)."""
    from .rules import REASON_ENROLMENT, REASON_LEFT, REASON_MUNICIPALITY, REASON_PERIOD

    check_versions(versions)
    last = min(up_to, term_end)
    by_evening: dict[date, list[ApprovedWalk]] = defaultdict(list)
    result = Earned()
    for walk in sorted(walks, key=lambda w: (w.start, w.walk_id)):
        evening = walk.evening
        if not term_start <= evening <= last:
            result.excluded.append((walk.walk_id, REASON_PERIOD))
        elif enrolled is not None and not covers(enrolled, evening):
            joined = min((first for first, _ in enrolled), default=None)
            left = joined is not None and evening >= joined
            result.excluded.append((walk.walk_id, REASON_LEFT if left else REASON_ENROLMENT))
        elif coverage is not None and not covers(coverage.get(walk.municipality_id, ()), evening):
            result.excluded.append((walk.walk_id, REASON_MUNICIPALITY))
        else:
            by_evening[evening].append(walk)
            result.considered[evening] = result.considered.get(evening, 0) + 1

    qualifying: dict[date, tuple[int, int, int]] = {}  # walks, walkers, minutes
    for day, found in sorted(by_evening.items()):
        rule = terms_on(versions, day).rule
        needed = max(rule.min_walkers, 1)
        n = walkers = minutes = 0
        for walk in found:
            counted = [w for w in walk.walkers if walker_counts(w, rule.min_age)]
            if len(counted) < needed:
                result.excluded.append(
                    (walk.walk_id, f"för få vandrare ({len(counted)} av {needed})")
                )
                continue
            n += 1
            walkers += len(walk.walkers)
            minutes += sum(w.minutes for w in counted)
        if n:
            qualifying[day] = (n, walkers, minutes)

    counters: dict[tuple, int] = defaultdict(int)  # units so far per running_total
    for day, (n, walkers, minutes) in sorted(qualifying.items()):
        version = terms_on(versions, day)
        rule = version.rule
        lone_friday = saturday_may_come = False
        if rule.kind == "per_hour":
            units = minutes
        elif rule.kind == "per_weekend":
            units = int(day.weekday() == _SATURDAY and day - _ONE_DAY in qualifying)
            if day.weekday() == _FRIDAY:
                saturday = day + _ONE_DAY
                weekend_rule = terms_on(versions, saturday).rule.kind == "per_weekend"
                lone_friday = not (weekend_rule and saturday in qualifying)
                saturday_may_come = (
                    weekend_rule
                    and saturday <= term_end
                    and (enrolled is None or covers(enrolled, saturday))
                    and (coverage is None or any(covers(p, saturday) for p in coverage.values()))
                )
        else:
            units = n
        counter = running_total(versions, day)
        before = counters[counter]
        counters[counter] = before + units
        amount = _cumulative(rule, before + units) - _cumulative(rule, before)
        result.evenings.append(
            Evening(
                day,
                rule.kind,
                units,
                amount,
                n,
                walkers,
                minutes,
                lone_friday=lone_friday,
                saturday_may_come=saturday_may_come,
                counted=before + units,
            )
        )
    return result


def capped_by_day(
    versions: Sequence[Terms],
    evenings: Sequence[Evening],
    *,
    up_to: date,
    cap_used: Mapping[int, int] | None = None,
) -> list[tuple[date, int]]:
    """Per evening, the money that counts after the yearly cap (running total per year).

    The cap of a year is the one in force on its 1 January: a changed cap applies from the
    next calendar year, so the cap of a year that payouts have begun to settle never
    changes under them (a lowered cap would otherwise take paid money back).
    ``cap_used``: per year, what runs settled before versioned terms already paid.
    ``up_to`` is kept for callers; the cap does not depend on it."""
    result: list[tuple[date, int]] = []
    running: dict[int, int] = defaultdict(int)
    used = cap_used or {}
    for evening in evenings:
        year = evening.day.year
        cap = terms_on(versions, date(year, 1, 1)).cap_ore
        if cap is not None:
            cap = max(0, cap - used.get(year, 0))
        before = running[year]
        running[year] += evening.amount_ore
        if cap is None:
            result.append((evening.day, evening.amount_ore))
        else:
            result.append((evening.day, min(cap, running[year]) - min(cap, before)))
    return result


def walks_covered(left_ore: int, rule: PaymentRule, paid_ore: int, paid_walks: int) -> int:
    """Roughly how many more walks ``left_ore`` pays: at the average paid per walk so far,
    or, before anything is paid, at the rule's own rate (a weekend is two walks; a package
    at its best price per walk; an hour-rule walk as its minimum group for four hours)."""
    if left_ore <= 0:
        return 0
    if paid_ore > 0 and paid_walks > 0:
        return left_ore * paid_walks // paid_ore
    if rule.kind == "per_package":
        per_walk = max(amount // size for size, amount in rule.packages)
    elif rule.kind == "per_weekend":
        per_walk = rule.amount_ore // 2
    elif rule.kind == "per_hour":
        per_walk = rule.amount_ore * 4 * max(rule.min_walkers, 1)
    else:
        per_walk = rule.amount_ore
    return left_ore // per_walk if per_walk > 0 else 0
