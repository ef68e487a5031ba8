"""Who belongs to an agreement on which evening: coverage and enrolment as periods.

A walk counts for an agreement when, on its evening, the agreement covered the walk's
municipality and the association was enrolled. Both are kept as periods: a first evening
counted and the first evening no longer counted (None: still open).

Every change applies from ``effective_day``: today, or the first evening no approved payout
settled (``first_open_evening``) if that is later, and no period is deleted once it has
begun. Runs count earnings from the agreement's start, so this is what keeps money paid
and approved statements as they were: no evening an approved payout settled changes
whether it counts (the invariant tested in tests/sponsorship/test_membership.py).
Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

#: (first evening counted, first evening no longer counted or None while open)
Period = tuple[date, date | None]

#: The start of a period that began with the agreement, whenever that is.
FROM_THE_START = date.min


def covers(periods: Iterable[Period], day: date) -> bool:
    return any(first <= day and (until is None or day < until) for first, until in periods)


def overlaps(periods: Iterable[Period], first: date, last: date) -> bool:
    """Whether any of ``periods`` counts an evening in ``first..last`` (inclusive)."""
    return any(start <= last and (until is None or until > first) for start, until in periods)


def shared_evening(period_sets: Sequence[Sequence[Period]], first: date, last: date) -> date | None:
    """The first evening in ``first..last`` that every set of periods counts, if any. Such
    an evening is ``first`` or where one of the periods begins."""
    starts = {first} | {start for periods in period_sets for start, _ in periods}
    for day in sorted(d for d in starts if first <= d <= last):
        if all(covers(periods, day) for periods in period_sets):
            return day
    return None


def is_open(periods: Sequence[Period]) -> bool:
    return bool(periods) and periods[-1][1] is None


def last_evening(period: Period) -> date | None:
    """The last evening ``period`` counts (None while it is open)."""
    until = period[1]
    return None if until is None else until - timedelta(days=1)


def first_open_evening(settled: Iterable[tuple[date, date]]) -> date | None:
    """The first evening no approved payout settled, from each approved payout's last day
    and the day it was computed (None: nothing approved). A payout holds the walks recorded
    before its computation, so it settled no evening after that day, even if its period
    runs on."""
    days = [min(last_day, computed_on) for last_day, computed_on in settled]
    return max(days) + timedelta(days=1) if days else None


def effective_day(today: date, first_open: date | None) -> date:
    """The first evening a change of membership applies to: today, or the first evening no
    approved payout settled if that is later (a payout approved tonight holds tonight)."""
    return today if first_open is None else max(today, first_open)


def ended(periods: Sequence[Period], effective: date) -> tuple[Period, ...]:
    """``periods`` with the open one ended before ``effective`` (dropped if it had not begun)."""
    if not is_open(periods):
        return tuple(periods)
    first, _ = periods[-1]
    kept = tuple(periods[:-1])
    return kept if first >= effective else (*kept, (first, effective))


def started(periods: Sequence[Period], first: date) -> tuple[Period, ...]:
    """``periods`` with one open from ``first``: the last period is reopened (and reaches
    back to ``first``) when ``first`` is not after its end, so no evening falls between."""
    if is_open(periods):
        return tuple(periods)
    if periods:
        start, until = periods[-1]
        assert until is not None
        if first <= until:
            return (*periods[:-1], (min(start, first), None))
    return (*periods, (first, None))


def covered_again(
    periods: Sequence[Period], effective: date, first_open: date | None
) -> tuple[Period, ...]:
    """A municipality's coverage with it covered from ``effective`` on; from the agreement's
    start if it was never covered and no payout is approved yet."""
    first_time = not periods and first_open is None
    return started(periods, FROM_THE_START if first_time else effective)
