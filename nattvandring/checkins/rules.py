"""Pure rules of checking in and out: the SMS words, the windows and rounding to 5 minutes.

All instants are aware UTC; windows are measured on them, so a walk over a DST night
accepts exactly one hour before its start and six real hours after its end.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

from ..clock import ensure_utc

CHECK_IN_OPENS = timedelta(hours=1)  # before the start
CHECK_OUT_CLOSES = timedelta(hours=6)  # after the planned end
NOT_STARTED_AFTER = timedelta(minutes=20)  # after the start: "Har ni kommit i väg?"
STILL_OUT_AFTER = timedelta(hours=2)  # after the planned end: a gentle check
NUDGE_USEFUL_FOR = timedelta(hours=1)  # a still-out nudge is of no use later than this
ROUND_TO = timedelta(minutes=5)

CHECK_WORDS = {"START": "in", "IN": "in", "SLUT": "out", "UT": "out"}


def fold(text: str) -> str:
    """Upper case letters without accents: 'Slüt', 'ÚT' and 'ut' all fold to 'SLUT', 'UT'.

    Only the accents go: a letter with no plain form ('ø', 'ß') is kept, so 'UTØ' is not 'UT'.
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c)).upper()


def check_word(body: str | None) -> str | None:
    """'in' or 'out' when the whole reply is a check-in word, else None.

    The whole message must be the word (spaces, case, punctuation and accents aside:
    ' s l u t ', 'Ut!', 'start'), so that a sentence beginning with "In" or "Ut" is not
    taken for a check-in.
    """
    return CHECK_WORDS.get(fold(body or ""))


def check_in_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return ensure_utc(start) - CHECK_IN_OPENS, ensure_utc(end)


def check_out_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return ensure_utc(start) - CHECK_IN_OPENS, ensure_utc(end) + CHECK_OUT_CLOSES


def within(instant: datetime, window: tuple[datetime, datetime]) -> bool:
    return window[0] <= ensure_utc(instant) <= window[1]


def round_to_5(instant: datetime) -> datetime:
    """The nearest whole five minutes (halves round up). Swedish offsets are whole hours,
    so rounding the UTC instant rounds the wall-clock time the same way."""
    utc = ensure_utc(instant)
    seconds = int(utc.timestamp())
    step = int(ROUND_TO.total_seconds())
    rounded = (seconds + step // 2) // step * step
    return datetime.fromtimestamp(rounded, tz=UTC)


def intervals(events: list[tuple[str, datetime]]) -> list[tuple[datetime, datetime | None]]:
    """(in, out) pairs from one walker's events in order; out is None while checked in."""
    pairs: list[tuple[datetime, datetime | None]] = []
    for kind, at in events:
        if kind == "in":
            if not pairs or pairs[-1][1] is not None:
                pairs.append((at, None))
        elif pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], at)
    return pairs


def report_times(
    first_in: datetime | None,
    last_out: datetime | None,
    *,
    shift_start: datetime,
    shift_end: datetime,
    slack: timedelta,
) -> tuple[datetime, datetime]:
    """A walker's start and end for the report, from the log (rounded to 5 minutes).

    Never checked in: the planned times. Still checked in: the planned end. Times are kept
    within ``slack`` of the shift (what the report form accepts); an end that would not come
    after the start becomes the later of the planned end and start + 5 minutes.
    """
    start, end = ensure_utc(shift_start), ensure_utc(shift_end)
    if first_in is None:
        return start, end
    begin = min(max(round_to_5(first_in), start - slack), end)
    finish = round_to_5(last_out) if last_out is not None else end
    finish = min(finish, end + slack)
    if finish <= begin:
        finish = max(end, begin + ROUND_TO)
    return begin, finish
