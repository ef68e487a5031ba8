"""Pure helpers: a walker's local HH:MM on the walk's night to a UTC instant, and bounds.

A report shows wall-clock times, but hours are computed on UTC instants. "01:30" on a walk
that started 22:00 means 01:30 the next morning; "21:45" means fifteen minutes before the
start. The candidate closest to the shift window wins, so after-midnight times and both DST
nights come out right (the skipped spring hour is refused).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from ..clock import ensure_utc, is_nonexistent_local, local_to_utc, to_local
from ..clocktext import ClockTextError, parse_clock_text
from ..errors import RuleViolation
from ..i18n import _l
from ..planning.schedule import duration_minutes, evening_of

#: How far outside the booked shift a walker's reported times may lie.
SLACK = timedelta(hours=3)
#: The longest a single walker can be reported for.
MAX_WALK = timedelta(hours=14)


def parse_hhmm(text: str, *, field: str) -> time:
    """A walker's typed time (any form ``clocktext`` reads); a RuleViolation on ``field``."""
    try:
        return parse_clock_text(text)
    except ClockTextError as error:
        raise RuleViolation("time_invalid", error.message, field=field) from None


def _distance(instant: datetime, start: datetime, end: datetime) -> timedelta:
    if instant < start:
        return start - instant
    if instant > end:
        return instant - end
    return timedelta(0)


def local_time_to_instant(
    shift_start: datetime, shift_end: datetime, at: time, *, field: str
) -> datetime:
    """The UTC instant of local wall-clock ``at`` on the night of the shift."""
    start, end = ensure_utc(shift_start), ensure_utc(shift_end)
    first_day = evening_of(start)
    candidates = []
    for offset in (-1, 0, 1, 2):
        day = first_day + timedelta(days=offset)
        if is_nonexistent_local(day, at):
            continue
        candidates.append(local_to_utc(day, at))
    best = min(candidates, key=lambda instant: _distance(instant, start, end))
    if _distance(best, start, end) > SLACK:
        if any(is_nonexistent_local(first_day + timedelta(days=d), at) for d in (0, 1)):
            raise RuleViolation(
                "dst_gap",
                _l(
                    "Klockslaget %(time)s fanns inte den natten (sommartid).",
                    time=at.strftime("%H:%M"),
                ),
                field=field,
            )
        raise RuleViolation(
            "time_outside_shift",
            _l(
                "Tiden %(time)s ligger för långt från passet (%(start)s–%(end)s).",
                time=at.strftime("%H:%M"),
                start=to_local(start).strftime("%H:%M"),
                end=to_local(end).strftime("%H:%M"),
            ),
            field=field,
        )
    return best


def walker_interval(
    shift_start: datetime, shift_end: datetime, start_text: str, end_text: str, *, prefix: str
) -> tuple[datetime, datetime, int]:
    """Parse a walker's local start and end; returns (start_utc, end_utc, minutes)."""
    start_at = local_time_to_instant(
        shift_start,
        shift_end,
        parse_hhmm(start_text, field=f"{prefix}start"),
        field=f"{prefix}start",
    )
    end_at = local_time_to_instant(
        shift_start, shift_end, parse_hhmm(end_text, field=f"{prefix}end"), field=f"{prefix}end"
    )
    check_interval(start_at, end_at, field=f"{prefix}end")
    return start_at, end_at, duration_minutes(start_at, end_at)


def check_interval(start_at: datetime, end_at: datetime, *, field: str = "end") -> None:
    if end_at <= start_at:
        raise RuleViolation(
            "end_before_start", _l("Sluttiden måste vara efter starttiden."), field=field
        )
    if end_at - start_at > MAX_WALK:
        raise RuleViolation(
            "walk_too_long", _l("En vandring kan inte vara längre än 14 timmar."), field=field
        )


def local_hhmm(instant: datetime) -> str:
    return to_local(instant).strftime("%H:%M")
