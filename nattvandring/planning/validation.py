"""Small validation rules shared by areas, series and single shifts (pure)."""

from __future__ import annotations

from datetime import time

from ..errors import RuleViolation
from ..i18n import _l

#: Walkers must be adults; paying schemes ask for 18, 20 or 22.
MIN_AGE_LOWEST = 18
MIN_AGE_HIGHEST = 99


def check_walker_limits(
    *,
    min_walkers: int,
    max_walkers: int | None,
    min_age: int,
    fields: tuple[str, str, str] = ("min_walkers", "max_walkers", "min_age"),
) -> None:
    """Minimum 1..50 walkers, maximum (optional) not below the minimum, age 18..99."""
    min_field, max_field, age_field = fields
    if not 1 <= min_walkers <= 50:
        raise RuleViolation(
            "min_walkers_range",
            _l("Minsta antal nattvandrare måste vara mellan 1 och 50."),
            field=min_field,
        )
    if max_walkers is not None and max_walkers < min_walkers:
        raise RuleViolation(
            "max_below_min",
            _l("Högsta antal nattvandrare kan inte vara lägre än minsta antal."),
            field=max_field,
        )
    if max_walkers is not None and max_walkers > 100:
        raise RuleViolation(
            "max_walkers_range",
            _l("Högsta antal nattvandrare kan vara högst 100."),
            field=max_field,
        )
    if not MIN_AGE_LOWEST <= min_age <= MIN_AGE_HIGHEST:
        raise RuleViolation(
            "min_age_range",
            _l(
                "Åldersgränsen måste vara mellan %(low)s och %(high)s år.",
                low=MIN_AGE_LOWEST,
                high=MIN_AGE_HIGHEST,
            ),
            field=age_field,
        )


def check_distinct_times(start: time, end: time, *, field: str = "end_time") -> None:
    """Equal start and end would be a 24-hour walk: always a typing mistake, refuse it."""
    if start == end:
        raise RuleViolation(
            "same_times",
            _l(
                "Start- och sluttid kan inte vara samma klockslag. "
                "Ett pass som slutar efter midnatt anges med en tidigare sluttid, "
                "t.ex. 21:00–01:00."
            ),
            field=field,
        )
