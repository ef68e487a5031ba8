"""When a message may go out: reminder offsets and quiet hours (pure functions).

Quiet-hours rule (SMS_QUIET_HOURS_START/END, Stockholm wall-clock; equal values turn quiet
hours off). A message wanted inside quiet hours is moved:

1. to the end of those quiet hours, if that is still before its deadline (the walk's start);
2. otherwise to one minute before those quiet hours began, if that moment has not passed
   (a 3 h reminder for a walk at 02:00 goes at 22:29 instead of 23:00);
3. otherwise it goes at the wanted time: the walk starts before the quiet hours end and the
   quiet hours have already begun, so the walker is about to leave and needs the message.

A reminder is never due at or after the walk's start, and a reminder whose time has already
passed when it is created (a late booking) is not created: the confirmation covers it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from ..clock import STOCKHOLM, ensure_utc, local_to_utc

BEFORE_QUIET = timedelta(minutes=1)


def _parse_clock(value: str | time) -> time:
    if isinstance(value, time):
        return value
    hours, _, minutes = str(value).strip().partition(":")
    return time(int(hours), int(minutes or 0))


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> QuietHours:
        return cls(
            _parse_clock(config.get("SMS_QUIET_HOURS_START", "22:30")),
            _parse_clock(config.get("SMS_QUIET_HOURS_END", "08:00")),
        )

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    def window(self, instant: datetime) -> tuple[datetime, datetime] | None:
        """The quiet period (UTC start, UTC end) containing ``instant``, or None."""
        if not self.enabled:
            return None
        local = ensure_utc(instant).astimezone(STOCKHOLM)
        day, clock_time = local.date(), local.time().replace(tzinfo=None)
        one_day = timedelta(days=1)
        if self.start > self.end:  # spans midnight, e.g. 22:30-08:00
            if clock_time >= self.start:
                begins, ends = (day, self.start), (day + one_day, self.end)
            elif clock_time < self.end:
                begins, ends = (day - one_day, self.start), (day, self.end)
            else:
                return None
        elif self.start <= clock_time < self.end:
            begins, ends = (day, self.start), (day, self.end)
        else:
            return None
        return local_to_utc(*begins), local_to_utc(*ends)


def schedule(
    wanted: datetime, *, now: datetime, deadline: datetime | None, quiet: QuietHours
) -> datetime:
    """The send time for a message wanted at ``wanted`` (see the module's rule)."""
    wanted = max(ensure_utc(wanted), ensure_utc(now))
    window = quiet.window(wanted)
    if window is None:
        return wanted
    begins, ends = window
    if deadline is None or ends < deadline:
        return ends
    if begins - BEFORE_QUIET >= now:
        return begins - BEFORE_QUIET
    return wanted


def reminder_times(
    start_at: datetime, offsets_hours: Iterable[int], *, now: datetime, quiet: QuietHours
) -> list[tuple[int, datetime]]:
    """(offset, due) for each reminder still to come: real hours before the UTC start."""
    start = ensure_utc(start_at)
    found = []
    for offset in offsets_hours:
        wanted = start - timedelta(hours=int(offset))
        if wanted <= now or int(offset) <= 0:
            continue
        due = schedule(wanted, now=now, deadline=start, quiet=quiet)
        if due < start:
            found.append((int(offset), due))
    return found
