"""Render patrol shifts as iCalendar bytes: subscription feeds and e-mailed invites.

Everything here is deterministic. Nothing reads the clock or makes a random id, so the same
input always gives the same bytes and an unchanged feed keeps its ETag:

- the calendar UID is a ``uuid5`` of host and feed name (``Calendar.new`` would pick a
  random one);
- DTSTAMP and LAST-MODIFIED both come from ``CalendarEvent.last_modified`` (``Event.new``
  would stamp the current time);
- events are sorted by ``(start, shift_id)``, whatever order the caller used.

Times are written as UTC (``...Z``), so there is no VTIMEZONE for a client to misread.
A change to a shift must raise ``sequence`` and ``last_modified``. A cancelled shift stays
in the feed with ``STATUS:CANCELLED``, the same UID and a higher SEQUENCE.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Literal

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration, vGeo, vText
from icalendar.enums import STATUS

from nattvandring.clock import ensure_utc

__all__ = [
    "CalendarEvent",
    "EventStatus",
    "InviteMethod",
    "event_uid",
    "feed_etag",
    "render_feed",
    "render_invite",
]

EventStatus = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]
InviteMethod = Literal["REQUEST", "CANCEL"]

_STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
_METHODS = frozenset({"REQUEST", "CANCEL"})
# Control characters (Cc) except tab and newline, plus a stray byte-order mark (U+FEFF, e.g.
# from a pasted CSV cell), which icalendar drops and no calendar can show.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
DEFAULT_PRODID = "-//Nattvandring//Nattvandring//SV"
# Raise this when the rendered output changes shape, so old ETags stop matching.
RENDER_VERSION = 2  # 2: special nights in SUMMARY and CATEGORIES


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One shift as it appears in a calendar. All datetimes are aware (rendered as UTC)."""

    shift_id: int
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str | None
    geo: tuple[float, float] | None
    url: str | None
    status: EventStatus
    sequence: int
    last_modified: datetime
    alarm_minutes_before: int | None = None
    categories: tuple[str, ...] = ()


def event_uid(shift_id: int, host: str) -> str:
    """The stable UID of a shift in every feed and invite: ``shift-<id>@<host>``."""
    return f"shift-{shift_id}@{host}"


def render_feed(
    *,
    name: str,
    events: Sequence[CalendarEvent],
    host: str,
    prodid: str = DEFAULT_PRODID,
    refresh: str = "PT1H",
) -> bytes:
    """Render a subscription feed (METHOD:PUBLISH) as CRLF-terminated, folded bytes."""
    interval = _parse_refresh(refresh)
    ids = [event.shift_id for event in events]
    if len(ids) != len(set(ids)):
        raise ValueError("a feed must not contain the same shift twice")
    cal = Calendar.new(
        prodid=prodid, method="PUBLISH", calscale="GREGORIAN", uid=feed_uid(name, host)
    )
    # As TEXT (escaped): Calendar.new writes the name raw, and a parser then cuts it at ",".
    title = vText(_one_line(name))
    cal.add("NAME", title)
    cal.add("X-WR-CALNAME", title)
    cal.add("REFRESH-INTERVAL", interval, parameters={"VALUE": "DURATION"})
    # A plain string: icalendar renders a timedelta here invalidly.
    cal.add("X-PUBLISHED-TTL", vDuration(interval).to_ical().decode("ascii"))
    for event in sorted(events, key=lambda e: (ensure_utc(e.start), e.shift_id)):
        cal.add_component(_build_event(event, host))
    return cal.to_ical()


def render_invite(
    *,
    method: InviteMethod,
    event: CalendarEvent,
    host: str,
    organizer_email: str,
    organizer_name: str,
    attendee_email: str,
    attendee_name: str,
) -> bytes:
    """Render an e-mail invite (iTIP, RFC 5546) for one attendee.

    ``REQUEST`` asks the attendee to add or update the shift. ``CANCEL`` removes it: the
    event gets ``STATUS:CANCELLED``, keeps its UID, and carries the caller's (higher)
    ``sequence``. A REQUEST for a cancelled event is refused; send a CANCEL instead.
    """
    if method not in _METHODS:
        raise ValueError(f"unknown invite method {method!r}")
    if method == "CANCEL":
        event = dataclasses.replace(event, status="CANCELLED", alarm_minutes_before=None)
    elif event.status == "CANCELLED":
        raise ValueError("a cancelled event is sent with method CANCEL, not REQUEST")
    organizer = vCalAddress.new(_email(organizer_email), cn=_param_text(organizer_name))
    if method == "REQUEST":
        attendee = vCalAddress.new(
            _email(attendee_email),
            cn=_param_text(attendee_name),
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=True,
        )
    else:
        attendee = vCalAddress.new(
            _email(attendee_email), cn=_param_text(attendee_name), role="REQ-PARTICIPANT"
        )
    cal = Calendar.new(prodid=DEFAULT_PRODID, method=method, calscale="GREGORIAN")
    cal.pop("UID")  # Calendar.new invents a random one; an invite needs none.
    cal.add_component(_build_event(event, host, organizer=organizer, attendees=[attendee]))
    return cal.to_ical()


def feed_etag(parts: Iterable[object]) -> str:
    """A strong ETag (quoted) from cheap inputs, so a 304 needs no rendering.

    Pass everything that decides the feed's bytes, for example the feed kind, the owner
    id, the host and name, the number of events, ``max(last_modified)`` and the token
    version. Parts may be None, bool, int, float, str, bytes, date/datetime, timedelta,
    UUID, Enum, or tuples/lists of these. Aware datetimes are compared as UTC instants.
    Sets and arbitrary objects are refused: their repr is not stable across processes.
    """
    canonical = repr((RENDER_VERSION, tuple(_canonical(part) for part in parts)))
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'


def feed_uid(name: str, host: str) -> uuid.UUID:
    """The calendar-level UID of a feed, stable for a given host and feed name."""
    return uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_DNS, host), f"nattvandring-feed:{name}")


# --- helpers ----------------------------------------------------------------------------


class _Geo(vGeo):
    """GEO with fixed-point output: ``repr(float)`` may use exponents, which RFC 5545 forbids."""

    def to_ical(self) -> str:
        return f"{self.latitude:.6f};{self.longitude:.6f}"


class _MinutesBefore(vDuration):
    """TRIGGER as ``-PT<n>M`` (icalendar would normalise 90 minutes to ``-PT1H30M``)."""

    def to_ical(self) -> bytes:
        return f"-PT{round(-self.td.total_seconds()) // 60}M".encode("ascii")


def _build_event(
    event: CalendarEvent,
    host: str,
    *,
    organizer: vCalAddress | None = None,
    attendees: list[vCalAddress] | None = None,
) -> Event:
    start = ensure_utc(event.start)
    end = ensure_utc(event.end)
    modified = ensure_utc(event.last_modified)
    if end <= start:
        raise ValueError(f"shift {event.shift_id}: end must be after start")
    if event.status not in _STATUSES:
        raise ValueError(f"shift {event.shift_id}: unknown status {event.status!r}")
    if event.sequence < 0:
        raise ValueError(f"shift {event.shift_id}: sequence must not be negative")
    vevent = Event.new(
        uid=event_uid(event.shift_id, host),
        start=start,
        end=end,
        stamp=modified,
        last_modified=modified,
        sequence=event.sequence,
        status=STATUS(event.status),
        summary=_one_line(event.summary),
        description=_text(event.description) or None,
        location=_one_line(event.location) if event.location else None,
        url=_one_line(event.url) if event.url else None,
        organizer=organizer,
        attendees=attendees,
    )
    if event.categories:
        vevent.add("CATEGORIES", [_one_line(name) for name in event.categories])
    if event.geo is not None:
        latitude, longitude = event.geo
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValueError(f"shift {event.shift_id}: GEO out of range {event.geo!r}")
        vevent.add("GEO", _Geo((latitude, longitude)))
    if event.alarm_minutes_before is not None:
        if event.alarm_minutes_before < 0:
            raise ValueError(f"shift {event.shift_id}: alarm must be before the start")
        before = timedelta(minutes=-event.alarm_minutes_before)
        alarm = Alarm.new_display(
            description=_one_line(event.summary) or "Nattvandring", trigger=before
        )
        alarm["TRIGGER"] = _MinutesBefore(before)
        vevent.add_component(alarm)
    return vevent


def _parse_refresh(refresh: str) -> timedelta:
    interval = vDuration.from_ical(refresh)
    if not isinstance(interval, timedelta) or interval <= timedelta(0):
        raise ValueError(f"refresh must be a positive ISO 8601 duration, got {refresh!r}")
    return interval


def _text(value: str) -> str:
    """Normalise line breaks to ``\\n`` and drop control characters iCalendar cannot carry."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x85", "\n")
    # Category Cc is exactly U+0000-U+001F and U+007F-U+009F; keep \t and \n.
    return _CONTROL.sub("", value)


def _one_line(value: str) -> str:
    return " ".join(_text(value).split("\n")).strip()


def _param_text(value: str) -> str:
    # RFC 6868 would encode '"' as ^' which many clients (Outlook) show literally.
    return _one_line(value).replace("\t", " ").replace('"', "'")


def _email(value: str) -> str:
    value = value.strip()
    if not value or any(char.isspace() or char in '<>"' for char in value):
        raise ValueError(f"not a usable e-mail address: {value!r}")
    return value


def _canonical(part: object) -> object:
    if part is None or isinstance(part, bool | int | float | str | bytes):
        return part
    if isinstance(part, datetime):
        return ("datetime", ensure_utc(part).isoformat() if part.tzinfo else part.isoformat())
    if isinstance(part, date | timedelta | uuid.UUID):
        return (type(part).__name__, str(part))
    if isinstance(part, Enum):
        return (type(part).__qualname__, _canonical(part.value))
    if isinstance(part, tuple | list):
        return tuple(_canonical(item) for item in part)
    raise TypeError(f"feed_etag cannot use a {type(part).__name__} part")
