"""Pure: a typed time of day ("2330", "23.30", "23,30", "23:30", "23") to a ``time``.

Every time field of the app parses through ``parse_clock_text`` (by way of
``web.fields.ClockField``), so a time typed on any phone keyboard means the same everywhere:

- an iPhone's number pad has digits only: "2330", "930", "23" and "9" are read as 23:30,
  09:30, 23:00 and 09:00;
- a decimal pad adds the locale's separator, "," in Swedish and "." in English;
- a full keyboard or a desktop browser gives "23:30" (the seconds of "23:30:00" are ignored).

The function needs no Flask; its errors carry a stable ``code`` and a lazily translated
``message`` to show next to the field.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from .i18n import _l

#: The help text every time field shows (and the error repeats).
FORMAT_HINT = _l("Skriv tiden som 2230, 22.30 eller 22:30.")

_SEPARATED = re.compile(r"^(\d{1,2})\s*[:.,h ]\s*(\d{2})(?:[:.]\d{2})?$")
_DIGITS = re.compile(r"^\d{1,4}$")
#: Nobody types more; longer input is refused before the regular expressions see it.
MAX_LENGTH = 16


class ClockTextError(ValueError):
    """The text is not a time of day; ``code`` says why, ``message`` says it to the user."""

    def __init__(self, code: str, message: Any) -> None:
        super().__init__(str(code))
        self.code = code
        self.message = message


def _format_error() -> ClockTextError:
    return ClockTextError("format", _l("Det är ingen tid. Skriv den som 2230, 22.30 eller 22:30."))


def parse_clock_text(text: str | None) -> time:
    """The time of day in ``text``; raises ``ClockTextError`` (code "empty", "format",
    "hour" or "minute") when there is none."""
    raw = (text or "").strip().replace("\u00a0", " ")
    if not raw:
        raise ClockTextError("empty", _l("Skriv en tid, till exempel 22.30."))
    if len(raw) > MAX_LENGTH or not raw.isascii():
        raise _format_error()
    separated = _SEPARATED.match(raw)
    if separated:
        hours, minutes = int(separated.group(1)), int(separated.group(2))
    elif _DIGITS.match(raw):
        # "23" and "9" are whole hours; "930" and "2330" end with two digits of minutes.
        hours, minutes = (int(raw), 0) if len(raw) <= 2 else (int(raw[:-2]), int(raw[-2:]))
    else:
        raise _format_error()
    if hours > 23:
        raise ClockTextError("hour", _l("Timmen måste vara 00–23."))
    if minutes > 59:
        raise ClockTextError("minute", _l("Minuterna måste vara 00–59."))
    return time(hours, minutes)


def clock_text(value: time | None) -> str:
    """How a time is shown back in a field: "22:30"."""
    return value.strftime("%H:%M") if value is not None else ""
