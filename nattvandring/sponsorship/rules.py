"""Sponsor payment rules: configuration as data and pure evaluation over approved walks.

Every scheme pays differently (per walk, per Fri+Sat weekend, per volunteer hour, per
package of walks), so a rule is a ``PaymentRule`` stored as JSON (``to_dict``/``from_dict``),
and ``evaluate`` turns it plus a list of ``ApprovedWalk`` into a ``RuleResult`` with the amount
in whole öre and a Swedish explanation. No database, no Flask, no floats.

A walk belongs to the *evening* it started on: the Europe/Stockholm date of its start, so a
walk from Friday 21:00 to Saturday 01:00 is a Friday walk. Durations are computed in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from nattvandring.clock import ensure_utc, to_local
from nattvandring.formatting import format_sek, sv_decimal

KINDS = ("per_walk", "per_weekend", "per_hour", "per_package")

REASON_PERIOD = "utanför avtalsperioden"
REASON_MUNICIPALITY = "utanför avtalets kommuner"
REASON_ENROLMENT = "före anslutningsdatum"
REASON_LEFT = "föreningen hade lämnat avtalet"
#: A per-weekend evening that counts but earns nothing (see ``earnings.weekend_standing``).
REASON_LONE_EVENING = "kväll utan komplett helg"
REASON_WAITING_FRIDAY = "räknas med lördagen i nästa utbetalning"
NOTE_CAP = "taket för året nått"
NOTE_BUDGET = "budgeten är slut"

_FRIDAY = 4
_ONE_DAY = timedelta(days=1)


def _check_int(name: str, value: Any, minimum: int | None = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def duration_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes between two aware instants, computed in UTC (DST-safe)."""
    delta = ensure_utc(end) - ensure_utc(start)
    if delta < timedelta(0):
        raise ValueError("end lies before start")
    return delta // timedelta(minutes=1)


@dataclass(frozen=True)
class Walker:
    """One walker on an approved walk: age reached that year (None if unknown) and minutes."""

    age: int | None
    minutes: int

    def __post_init__(self) -> None:
        if self.age is not None:
            _check_int("age", self.age)
        _check_int("minutes", self.minutes)


@dataclass(frozen=True)
class ApprovedWalk:
    """An approved walk with its walkers. ``start``/``end`` are aware datetimes (UTC)."""

    walk_id: int
    start: datetime
    end: datetime
    municipality_id: int
    walkers: tuple[Walker, ...] = ()

    def __post_init__(self) -> None:
        duration_minutes(self.start, self.end)  # rejects naive values and end < start
        object.__setattr__(self, "walkers", tuple(self.walkers))

    @property
    def evening(self) -> date:
        """The Stockholm date the walk started on; a walk over midnight keeps its evening."""
        return to_local(self.start).date()

    @property
    def minutes(self) -> int:
        return duration_minutes(self.start, self.end)


@dataclass(frozen=True)
class PaymentRule:
    """A sponsor's payment rule, stored as data.

    ``amount_ore`` is paid per walk, per weekend or per volunteer hour (unused for
    ``per_package``). ``packages`` holds ``(walks_per_package, amount_ore)`` pairs, kept
    sorted with the largest package first.
    """

    kind: str
    amount_ore: int = 0
    min_walkers: int = 0
    min_age: int = 0
    packages: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}")
        _check_int("amount_ore", self.amount_ore)
        _check_int("min_walkers", self.min_walkers)
        _check_int("min_age", self.min_age)
        if self.min_age > 120:
            raise ValueError("min_age is unreasonably high")
        pairs: list[tuple[int, int]] = []
        for pair in self.packages:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"a package must be (walks, amount_ore), got {pair!r}")
            pairs.append((_check_int("package size", pair[0], 1), _check_int("amount", pair[1])))
        if len({size for size, _ in pairs}) != len(pairs):
            raise ValueError("package sizes must be unique")
        if (self.kind == "per_package") != bool(pairs):
            raise ValueError("packages are required for per_package and only allowed there")
        object.__setattr__(self, "packages", tuple(sorted(pairs, reverse=True)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``from_dict(rule.to_dict()) == rule``."""
        return {
            "kind": self.kind,
            "amount_ore": self.amount_ore,
            "min_walkers": self.min_walkers,
            "min_age": self.min_age,
            "packages": [[size, amount] for size, amount in self.packages],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PaymentRule:
        """Build a rule from stored JSON; raises ``ValueError`` on anything malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("a payment rule must be a JSON object")
        unknown = set(data) - {"kind", "amount_ore", "min_walkers", "min_age", "packages"}
        if unknown:
            raise ValueError(f"unknown payment rule fields: {sorted(unknown)}")
        if "kind" not in data:
            raise ValueError("payment rule lacks 'kind'")
        packages = data.get("packages", [])
        if not isinstance(packages, (list, tuple)):
            raise ValueError("packages must be a list of [walks, amount_ore] pairs")
        return cls(
            kind=data["kind"],
            amount_ore=data.get("amount_ore", 0),
            min_walkers=data.get("min_walkers", 0),
            min_age=data.get("min_age", 0),
            packages=tuple(tuple(p) if isinstance(p, list) else p for p in packages),
        )


@dataclass(frozen=True)
class RuleResult:
    """Outcome of ``evaluate``.

    ``walks_considered`` counts walks inside the agreement (period, municipalities,
    enrolment); ``qualifying_walks`` those of them meeting the group rule. ``walkers`` sums
    all walker entries of qualifying walks, ``volunteer_minutes`` the minutes of the walkers
    the rule counts (age) on qualifying walks. ``weekends`` lists the Fridays of paid
    weekends (``per_weekend`` only). ``excluded`` holds ``(walk_id, Swedish reason)``.
    """

    amount_ore: int
    qualifying_walks: int
    walks_considered: int
    walkers: int
    volunteer_minutes: int
    explanation: str
    excluded: tuple[tuple[int, str], ...] = ()
    weekends: tuple[date, ...] = field(default=())


def walker_counts(walker: Walker, min_age: int) -> bool:
    """A walker counts when old enough; an unknown age fails any minimum age."""
    if min_age == 0:
        return True
    return walker.age is not None and walker.age >= min_age


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def evaluate(
    rule: PaymentRule,
    walks: Iterable[ApprovedWalk],
    *,
    period_start: date,
    period_end: date,
    municipality_ids: set[int] | None = None,
    enrolled_from: date | None = None,
) -> RuleResult:
    """Apply ``rule`` to an association's approved walks for one agreement period.

    A walk qualifies when at least ``max(min_walkers, 1)`` of its walkers meet ``min_age``.
    """
    if period_end < period_start:
        raise ValueError("period_end lies before period_start")
    needed = max(rule.min_walkers, 1)
    excluded: list[tuple[int, str]] = []
    qualifying: list[ApprovedWalk] = []
    considered = walkers = minutes = 0
    for walk in sorted(walks, key=lambda w: (w.start, w.walk_id)):
        evening = walk.evening
        if not period_start <= evening <= period_end:
            excluded.append((walk.walk_id, REASON_PERIOD))
            continue
        if enrolled_from is not None and evening < enrolled_from:
            excluded.append((walk.walk_id, REASON_ENROLMENT))
            continue
        if municipality_ids is not None and walk.municipality_id not in municipality_ids:
            excluded.append((walk.walk_id, REASON_MUNICIPALITY))
            continue
        considered += 1
        counted = [w for w in walk.walkers if walker_counts(w, rule.min_age)]
        if len(counted) < needed:
            excluded.append((walk.walk_id, f"för få vandrare ({len(counted)} av {needed})"))
            continue
        qualifying.append(walk)
        walkers += len(walk.walkers)
        minutes += sum(w.minutes for w in counted)

    weekends: tuple[date, ...] = ()
    if rule.kind == "per_walk":
        amount, text = _per_walk(rule, len(qualifying))
    elif rule.kind == "per_hour":
        amount, text = _per_hour(rule, minutes)
    elif rule.kind == "per_weekend":
        weekends, lone = _weekends({w.evening for w in qualifying})
        amount, text = _per_weekend(rule, len(weekends), lone)
    else:
        amount, text = _per_package(rule, len(qualifying))
    return RuleResult(
        amount_ore=amount,
        qualifying_walks=len(qualifying),
        walks_considered=considered,
        walkers=walkers,
        volunteer_minutes=minutes,
        explanation=text,
        excluded=tuple(excluded),
        weekends=weekends,
    )


def _per_walk(rule: PaymentRule, count: int) -> tuple[int, str]:
    label = _plural(count, "godkänd vandring", "godkända vandringar")
    return count * rule.amount_ore, f"{label} × {format_sek(rule.amount_ore)}"


def _per_hour(rule: PaymentRule, minutes: int) -> tuple[int, str]:
    # round-half-up(minutes * amount / 60) in integers: floor((2 * m * a + 60) / 120)
    amount = (2 * minutes * rule.amount_ore + 60) // 120
    hours = sv_decimal(Decimal(minutes) / 60)
    unit = "volontärtimme" if minutes == 60 else "volontärtimmar"
    return amount, f"{hours} {unit} × {format_sek(rule.amount_ore)}"


def _weekends(evenings: set[date]) -> tuple[tuple[date, ...], int]:
    """Fridays with a qualifying Friday and following Saturday; count of other evenings."""
    fridays = tuple(
        sorted(d for d in evenings if d.weekday() == _FRIDAY and d + _ONE_DAY in evenings)
    )
    paired = set(fridays) | {d + _ONE_DAY for d in fridays}
    return fridays, len(evenings - paired)


def _per_weekend(rule: PaymentRule, count: int, lone: int) -> tuple[int, str]:
    text = f"{_plural(count, 'helg', 'helger')} (fre+lör) × {format_sek(rule.amount_ore)}"
    if lone:
        text += f"; {_plural(lone, 'kväll', 'kvällar')} utan komplett helg ersätts inte"
    return count * rule.amount_ore, text


def _per_package(rule: PaymentRule, count: int) -> tuple[int, str]:
    remaining, amount = count, 0
    parts: list[str] = []
    for size, price in rule.packages:  # largest first: greedy
        n, remaining = divmod(remaining, size)
        if n:
            amount += n * price
            unit = " vandringar" if not parts else ""
            parts.append(f"{n} paket om {size}{unit} × {format_sek(price)}")
    text = " + ".join(parts) or "0 paket"
    if remaining:
        text += f"; {_plural(remaining, 'vandring', 'vandringar')} utanför paket ersätts inte"
    return amount, text


def apply_limits(
    amount_ore: int,
    *,
    cap_per_year_ore: int | None,
    already_paid_this_year_ore: int,
    budget_left_ore: int | None,
) -> tuple[int, str | None]:
    """Cut ``amount_ore`` to the yearly cap and the remaining budget.

    Returns the payable amount and a Swedish note naming what cut it (``None`` if nothing).
    """
    _check_int("amount_ore", amount_ore)
    _check_int("already_paid_this_year_ore", already_paid_this_year_ore)
    payable, notes = amount_ore, []
    if cap_per_year_ore is not None:
        room = max(0, _check_int("cap_per_year_ore", cap_per_year_ore) - already_paid_this_year_ore)
        if room < payable:
            payable = room
            notes.append(NOTE_CAP)
    if budget_left_ore is not None:
        left = max(0, _check_int("budget_left_ore", budget_left_ore, None))
        if left < payable:
            payable = left
            notes.append(NOTE_BUDGET)
    return payable, "; ".join(notes) or None
