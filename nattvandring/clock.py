"""The one place the code reads the clock, so tests can freeze it.

Everything inside the application is a timezone-aware UTC ``datetime``; conversion to
Europe/Stockholm happens only at the edges (forms, templates, SMS texts, exports).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

_now_provider: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """Current instant as an aware UTC datetime (frozen in tests via ``freeze``)."""
    if _now_provider is not None:
        return _now_provider()
    return datetime.now(UTC)


def freeze(instant: datetime | None) -> None:
    """Freeze the clock at ``instant`` (aware), or unfreeze with ``None``."""
    global _now_provider
    if instant is None:
        _now_provider = None
        return
    if instant.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    frozen = instant.astimezone(UTC)
    _now_provider = lambda: frozen  # noqa: E731


def follow_file(path: str | Path | None) -> None:
    """Tests only: read the current instant from ``path`` on every call (``None`` stops).

    The file holds one ISO 8601 instant with its offset (``2026-03-16T10:00:00+01:00``), so
    an end-to-end test can move the clock of a served process between two steps. The
    ``TEST_CLOCK_FILE`` setting turns this on; production mode refuses that setting.
    """
    global _now_provider
    if path is None:
        _now_provider = None
        return
    source = Path(path)

    def read() -> datetime:
        instant = datetime.fromisoformat(source.read_text(encoding="utf-8").strip())
        if instant.tzinfo is None:
            raise ValueError(f"{source} must hold an aware instant, with its offset")
        return instant.astimezone(UTC)

    read()  # fail at start-up, not in the first request, when the file is missing or wrong
    _now_provider = read


def to_local(instant: datetime) -> datetime:
    """Convert an aware instant to Europe/Stockholm wall-clock time."""
    return ensure_utc(instant).astimezone(STOCKHOLM)


def ensure_utc(instant: datetime) -> datetime:
    """Return ``instant`` as aware UTC; naive values are rejected, never guessed."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime where an aware one is required")
    return instant.astimezone(UTC)


def local_to_utc(day: date, at: time) -> datetime:
    """Localize a Stockholm wall-clock date and time to a UTC instant.

    An ambiguous autumn time (02:00-03:00 on the last Sunday of October) takes the first,
    summer-time instant. Callers that accept user input should reject non-existent spring
    times with ``is_nonexistent_local`` first; here such a time maps one hour forward.
    """
    return datetime.combine(day, at, tzinfo=STOCKHOLM).astimezone(UTC)


def local_day_end(day: date) -> datetime:
    """The UTC instant the Stockholm ``day`` ends: the next local midnight."""
    return local_to_utc(day + timedelta(days=1), time(0))


def is_nonexistent_local(day: date, at: time) -> bool:
    """True for a wall-clock time skipped by the spring DST change (e.g. 02:30 on 2027-03-28)."""
    local = datetime.combine(day, at, tzinfo=STOCKHOLM)
    round_trip = local.astimezone(UTC).astimezone(STOCKHOLM)
    return round_trip.replace(tzinfo=None) != local.replace(tzinfo=None)
