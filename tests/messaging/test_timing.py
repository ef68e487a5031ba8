"""Reminder times and quiet hours (pure functions), including the DST nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from nattvandring.clock import local_to_utc, to_local
from nattvandring.messaging.services_timing import QuietHours, reminder_times, schedule

QUIET = QuietHours(time(22, 30), time(8, 0))
OFF = QuietHours(time(0), time(0))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_quiet_window_spans_midnight():
    inside_evening = local_to_utc(date(2026, 11, 20), time(23, 15))
    begins, ends = QUIET.window(inside_evening)  # type: ignore[misc]
    assert to_local(begins).replace(tzinfo=None) == datetime(2026, 11, 20, 22, 30)
    assert to_local(ends).replace(tzinfo=None) == datetime(2026, 11, 21, 8, 0)
    early = local_to_utc(date(2026, 11, 21), time(6, 0))
    assert QUIET.window(early) == (begins, ends)
    assert QUIET.window(local_to_utc(date(2026, 11, 21), time(8, 0))) is None
    assert OFF.window(inside_evening) is None


def test_message_in_quiet_hours_moves_to_their_end_when_before_the_start():
    now = local_to_utc(date(2026, 11, 19), time(12))
    wanted = local_to_utc(date(2026, 11, 19), time(23, 0))
    deadline = local_to_utc(date(2026, 11, 20), time(21, 0))
    due = schedule(wanted, now=now, deadline=deadline, quiet=QUIET)
    assert to_local(due).replace(tzinfo=None) == datetime(2026, 11, 20, 8, 0)


def test_message_moves_before_quiet_hours_when_their_end_is_after_the_start():
    # A 3 h reminder for a walk at 02:00 would be 23:00: it goes at 22:20 instead (ten
    # minutes before the quiet hours, so that a failed send has time for a retry).
    now = local_to_utc(date(2026, 11, 20), time(12))
    start = local_to_utc(date(2026, 11, 21), time(2, 0))
    [(offset, due)] = reminder_times(start, [3], now=now, quiet=QUIET)
    assert offset == 3
    assert to_local(due).replace(tzinfo=None) == datetime(2026, 11, 20, 22, 20)


def test_message_goes_at_once_when_quiet_hours_already_began_and_the_walk_is_tonight():
    now = local_to_utc(date(2026, 11, 20), time(23, 30))
    deadline = local_to_utc(date(2026, 11, 21), time(1, 0))
    assert schedule(now, now=now, deadline=deadline, quiet=QUIET) == now


def test_reminders_default_offsets_and_never_after_start():
    now = utc(2026, 11, 20, 9)
    start = local_to_utc(date(2026, 11, 22), time(21, 0))
    found = reminder_times(start, [24, 3], now=now, quiet=QUIET)
    assert found == [(24, start - timedelta(hours=24)), (3, start - timedelta(hours=3))]
    # Booked late: the 24 h reminder has passed and is not created; nothing at/after start.
    late = start - timedelta(hours=5)
    assert reminder_times(start, [24, 3, 0], now=late, quiet=QUIET) == [
        (3, start - timedelta(hours=3))
    ]
    assert reminder_times(start, [24, 3], now=start + timedelta(minutes=1), quiet=QUIET) == []


def test_dst_march_reminder_is_24_real_hours_before():
    start = local_to_utc(date(2027, 3, 27), time(22, 0))
    assert start == utc(2027, 3, 27, 21, 0)
    [(_, due)] = reminder_times(start, [24], now=utc(2027, 3, 1), quiet=OFF)
    assert due == utc(2027, 3, 26, 21, 0)
    # The night of the change itself: Sunday 22:00 CEST is 24 h after Saturday 21:00 CET.
    sunday = local_to_utc(date(2027, 3, 28), time(22, 0))
    [(_, due)] = reminder_times(sunday, [24], now=utc(2027, 3, 1), quiet=OFF)
    assert due == utc(2027, 3, 27, 20, 0)
    assert to_local(due).replace(tzinfo=None) == datetime(2027, 3, 27, 21, 0)


def test_dst_october_reminder_is_24_real_hours_before():
    start = local_to_utc(date(2026, 10, 24), time(22, 0))
    assert start == utc(2026, 10, 24, 20, 0)
    [(_, due)] = reminder_times(start, [24], now=utc(2026, 10, 1), quiet=OFF)
    assert due == utc(2026, 10, 23, 20, 0)
    sunday = local_to_utc(date(2026, 10, 25), time(22, 0))
    [(_, due)] = reminder_times(sunday, [24], now=utc(2026, 10, 1), quiet=OFF)
    assert due == utc(2026, 10, 24, 21, 0)  # 23:00 CEST on Saturday
    # With quiet hours on, 23:00 is quiet: it moves to 08:00 CET on Sunday (07:00 UTC).
    [(_, quiet_due)] = reminder_times(sunday, [24], now=utc(2026, 10, 1), quiet=QUIET)
    assert quiet_due == utc(2026, 10, 25, 7, 0)
