"""Recurring patrol nights and duration arithmetic.

Everything here is pure: local Stockholm dates and wall-clock times go in, aware UTC
instants come out. Durations are always computed on UTC instants, never on wall-clock
times, so the spring-forward night is one hour shorter and the fall-back night one hour
longer than the clock on the wall suggests.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from dateutil.rrule import DAILY, rrule

from nattvandring.clock import ensure_utc, is_nonexistent_local, local_to_utc, to_local
from nattvandring.errors import RuleViolation
from nattvandring.i18n import _l

#: Friday and Saturday (``date.weekday()`` numbering: 0 = Monday ... 6 = Sunday).
DEFAULT_WEEKDAYS: frozenset[int] = frozenset({4, 5})

#: Longest range (in days, both ends included) a single series may cover.
MAX_SERIES_DAYS = 400


def generate_series(
    *,
    start_date: date,
    end_date: date,
    weekdays: Iterable[int] = DEFAULT_WEEKDAYS,
    start_time: time,
    end_time: time,
) -> list[tuple[datetime, datetime]]:
    """Return one ``(start_utc, end_utc)`` pair per matching local date, in date order.

    ``start_date`` and ``end_date`` are local Stockholm dates and both are included.
    ``weekdays`` uses ``date.weekday()`` numbering. When ``end_time <= start_time`` the walk
    ends on the next local day (after midnight); equal times therefore mean a 24-hour walk
    in wall-clock terms.

    Refuses (``RuleViolation``):

    * ``range_reversed``: ``end_date`` before ``start_date``;
    * ``no_weekdays``: an empty weekday set;
    * ``invalid_weekday``: a weekday outside 0..6;
    * ``range_too_long``: more than ``MAX_SERIES_DAYS`` days, both ends included;
    * ``dst_gap``: a start or end time that does not exist locally on that date (the
      spring-forward hour); the message names the date.

    An ambiguous autumn time (02:00-03:00 on the fall-back night) takes the first, summer
    time instant, as ``clock.local_to_utc`` does.
    """
    days = _validated_weekdays(weekdays)
    if end_date < start_date:
        raise RuleViolation(
            "range_reversed",
            _l("Slutdatumet kan inte vara före startdatumet."),
            field="end_date",
        )
    if (end_date - start_date).days + 1 > MAX_SERIES_DAYS:
        raise RuleViolation(
            "range_too_long",
            _l("En serie kan omfatta högst %(days)s dagar.", days=MAX_SERIES_DAYS),
            field="end_date",
        )
    if start_time.tzinfo is not None or end_time.tzinfo is not None:
        raise ValueError("start_time and end_time are local wall-clock times without tzinfo")

    rule = rrule(
        DAILY,
        dtstart=datetime.combine(start_date, time()),
        until=datetime.combine(end_date, time()),
        byweekday=sorted(days),
    )
    series: list[tuple[datetime, datetime]] = []
    for occurrence in rule:
        start_utc, end_utc = walk_instants(occurrence.date(), start_time, end_time)
        if end_utc <= start_utc:  # defensive: cannot happen once gaps are rejected
            raise RuleViolation(
                "non_positive_duration",
                _l("Passet måste sluta efter att det har börjat."),
                field="end_time",
            )
        series.append((start_utc, end_utc))
    return series


def walk_instants(day: date, start_time: time, end_time: time) -> tuple[datetime, datetime]:
    """``(start_utc, end_utc)`` of a walk starting at ``start_time`` on the local ``day``.

    An end at or before the start is on the next local day (after midnight). A time that
    does not exist locally (the spring-forward hour) is refused with ``dst_gap``, naming the
    date, on the field ``start_time`` or ``end_time``; an ambiguous autumn time takes the
    first, summer-time instant, as ``clock.local_to_utc`` does.
    """
    end_day = day + timedelta(days=1) if end_time <= start_time else day
    for field, check_day, check_time in (
        ("start_time", day, start_time),
        ("end_time", end_day, end_time),
    ):
        if is_nonexistent_local(check_day, check_time):
            raise RuleViolation(
                "dst_gap",
                _l(
                    "Klockslaget %(time)s finns inte den %(date)s på grund av "
                    "övergången till sommartid. Välj en annan tid.",
                    time=check_time.strftime("%H:%M"),
                    date=check_day.isoformat(),
                ),
                field=field,
            )
    return local_to_utc(day, start_time), local_to_utc(end_day, end_time)


def _validated_weekdays(weekdays: Iterable[int]) -> frozenset[int]:
    days = frozenset(weekdays)
    if not days:
        raise RuleViolation("no_weekdays", _l("Välj minst en veckodag."), field="weekdays")
    if any(not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in days):
        raise RuleViolation("invalid_weekday", _l("Ogiltig veckodag."), field="weekdays")
    return days


def duration(start: datetime, end: datetime) -> timedelta:
    """Elapsed time between two aware instants (negative if ``end`` precedes ``start``)."""
    return ensure_utc(end) - ensure_utc(start)


def duration_minutes(start: datetime, end: datetime) -> int:
    """Whole minutes between two aware instants, truncated towards zero."""
    return int(duration(start, end).total_seconds() / 60)


def evening_of(start_utc: datetime) -> date:
    """The local Stockholm date on which a walk started.

    A walk that runs past midnight belongs to the evening it started, so 2026-10-24 22:00
    to 2026-10-25 03:00 is the evening of 2026-10-24.
    """
    return to_local(start_utc).date()
