"""When a message may go out: reminder offsets, quiet hours, usefulness and retry backoff
(pure functions).

Quiet-hours rule (SMS_QUIET_HOURS_START/END, Stockholm wall-clock; equal values turn quiet
hours off). A message wanted inside quiet hours is moved:

1. to the end of those quiet hours, if that is still before its deadline (the walk's start);
2. otherwise to ten minutes before those quiet hours begin, if that moment has not passed
   (a 3 h reminder for a walk at 02:00 goes at 22:20 instead of 23:00; the ten minutes leave
   room for a retry or two before the quiet hours if the provider fails);
3. otherwise it goes at the wanted time: the walk starts before the quiet hours end and the
   quiet hours have already begun, so the walker is about to leave and needs the message.
   Such a row is queued with ``ignores_quiet_hours`` set, as are answers (a verification
   code, a reply to the person's own SMS), so its retries may go inside quiet hours too.

A reminder is never due at or after the walk's start, and a reminder whose time has already
passed when it is created (a late booking) is not created: the confirmation covers it.

Usefulness: every outbox row has ``not_after``, the instant after which it is no longer
worth sending ("useful until"). A caller may give it (a nudge whose moment passes, a code that
expires); otherwise ``useful_until`` derives it from the kind (``USEFUL_UNTIL``). A failed or
uncertain send is retried with ``backoff_seconds`` (exponential, with jitter, capped) at the
first moment ``next_send_time`` allows (never inside quiet hours unless the row ignores
them) for as long as that moment is before ``not_after``; then the row is ``expired``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from ..clock import STOCKHOLM, ensure_utc, local_to_utc
from .models import SmsKind

BEFORE_QUIET = timedelta(minutes=10)


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


# -- usefulness ----------------------------------------------------------------------------

A_DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Walk:
    """The instants of the walk a message is about."""

    start_at: datetime
    end_at: datetime


# kind -> (queued at, the walk or None) -> useful until. A kind not listed is useful for 24 h.
# Other areas add their kinds here (or pass ``not_after`` when queueing).
UsefulRule = Callable[[datetime, Walk | None], datetime]


def _until_start(queued_at: datetime, walk: Walk | None) -> datetime:
    return walk.start_at if walk is not None else queued_at + A_DAY


def _until_end(queued_at: datetime, walk: Walk | None) -> datetime:
    return walk.end_at if walk is not None else queued_at + A_DAY


def _a_day_before_start(queued_at: datetime, walk: Walk | None) -> datetime:
    # A confirmation asks for JA/NEJ about the walk ahead: pointless once it has started.
    day = queued_at + A_DAY
    return min(day, walk.start_at) if walk is not None else day


USEFUL_UNTIL: dict[str, UsefulRule] = {
    SmsKind.REMINDER: _until_start,
    SmsKind.CONFIRMATION: _a_day_before_start,
    SmsKind.CHANGE: _until_end,
    SmsKind.CANCELLATION: _until_end,
    SmsKind.REMOVED: _until_end,
    SmsKind.LEADER_DECLINED: _until_start,
    SmsKind.LEADER_UNDERSTAFFED: _until_start,
    SmsKind.RESERVE_OFFERED: _until_start,
    SmsKind.WALKER_CALL: _until_start,
}


def useful_until(kind: str, *, queued_at: datetime, walk: Walk | None = None) -> datetime:
    """The instant after which a message of ``kind`` is no longer worth sending."""
    rule = USEFUL_UNTIL.get(kind)
    if rule is None:
        return ensure_utc(queued_at) + A_DAY
    return ensure_utc(rule(ensure_utc(queued_at), walk))


EXPIRY_REASONS: dict[str, str] = {
    SmsKind.REMINDER: "no longer useful (the walk started or its day passed)",
    SmsKind.CONFIRMATION: "no longer useful (24 hours passed or the walk started)",
    SmsKind.CHANGE: "the walk has ended",
    SmsKind.CANCELLATION: "the walk has ended",
    SmsKind.REMOVED: "the walk has ended",
    SmsKind.LEADER_DECLINED: "the walk has started",
    SmsKind.LEADER_UNDERSTAFFED: "the walk has started",
    SmsKind.RESERVE_OFFERED: "the walk has started",
    SmsKind.WALKER_CALL: "the walk has started",
    SmsKind.VERIFICATION_CODE: "the code has expired",
    SmsKind.LEADER_NOT_STARTED: "the walk has ended",
    SmsKind.LEADER_STILL_OUT: "the nudge's moment has passed",
}


def expiry_reason(kind: str) -> str:
    return EXPIRY_REASONS.get(kind, "no longer useful")


# -- retries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": the n-th retry waits a random time between
    half and all of ``min(cap, base * 2**(n-1))`` seconds, so a batch of rows that failed
    together does not hit the provider again in one burst."""

    base_seconds: float = 30.0
    cap_seconds: float = 600.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Backoff:
        return cls(
            float(config.get("SMS_RETRY_BASE_SECONDS", 30)),
            float(config.get("SMS_RETRY_CAP_SECONDS", 600)),
        )

    def seconds(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** min(max(attempt - 1, 0), 30))
        return (rng or _RNG).uniform(ceiling / 2, ceiling)


_RNG = random.Random()


def next_send_time(
    wanted: datetime,
    *,
    useful_until: datetime | None,
    quiet: QuietHours,
    ignores_quiet_hours: bool = False,
) -> datetime | None:
    """The first moment from ``wanted`` at which a (re)try may go out, or None if that moment
    is at or after ``useful_until`` (the row should expire).

    Unlike ``schedule`` (used when a message is queued) there is no "just before the quiet
    hours" or "at once after all" here: a retry or a backlog never goes inside quiet hours
    unless the row itself ignores them.
    """
    moment = ensure_utc(wanted)
    if not ignores_quiet_hours:
        window = quiet.window(moment)
        if window is not None:
            moment = window[1]
    if useful_until is not None and moment >= ensure_utc(useful_until):
        return None
    return moment
