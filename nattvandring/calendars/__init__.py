"""Calendar output: iCalendar feeds (METHOD:PUBLISH) and e-mailed invites (REQUEST/CANCEL).

``ical`` is pure rendering (no database, no Flask): it turns plain ``CalendarEvent`` values
into deterministic RFC 5545 bytes, so an unchanged feed is byte-identical and cacheable.
"""
