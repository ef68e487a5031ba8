"""Warnings the coordinator sees before approving a report, against the booking rules.

A pure function over plain values (no database, no Flask): fewer walkers than the night's
minimum, a walker under the minimum age (or without a birth year when there is an age
limit), and reported times far from the planned ones. Warnings do not block approval: the
coordinator may know why (a walker left early because of an incident); they make sure the
coordinator decides knowingly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..booking.rules import age_in_year

#: A reported start or end further than this from the planned one is worth a second look.
TIME_TOLERANCE = timedelta(minutes=60)


@dataclass(frozen=True)
class ReportedWalker:
    name: str
    birth_year: int | None
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class ApprovalWarning:
    code: str  # under_minimum, too_young, birth_year_missing, times_far
    params: dict[str, Any] = field(default_factory=dict)


def approval_warnings(
    *,
    walkers: Sequence[ReportedWalker],
    min_walkers: int,
    min_age: int,
    evening: date,
    planned_start: datetime,
    planned_end: datetime,
    tolerance: timedelta = TIME_TOLERANCE,
) -> list[ApprovalWarning]:
    """The report's deviations from the night's rules, in a stable order."""
    found: list[ApprovalWarning] = []
    if len(walkers) < min_walkers:
        found.append(
            ApprovalWarning("under_minimum", {"count": len(walkers), "minimum": min_walkers})
        )
    if min_age > 0:
        for walker in walkers:
            if walker.birth_year is None:
                found.append(ApprovalWarning("birth_year_missing", {"name": walker.name}))
            elif (age := age_in_year(walker.birth_year, evening)) < min_age:
                found.append(
                    ApprovalWarning(
                        "too_young", {"name": walker.name, "age": age, "minimum": min_age}
                    )
                )
    for walker in walkers:
        if (
            abs(walker.start_at - planned_start) > tolerance
            or abs(walker.end_at - planned_end) > tolerance
        ):
            found.append(
                ApprovalWarning(
                    "times_far",
                    {
                        "name": walker.name,
                        "start": walker.start_at,
                        "end": walker.end_at,
                        "minutes": int(tolerance.total_seconds() // 60),
                    },
                )
            )
    return found
