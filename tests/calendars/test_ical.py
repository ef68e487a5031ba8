"""Pure iCalendar rendering, checked with icalendar, vobject and recurring_ical_events."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st

from nattvandring.calendars.ical import (
    CalendarEvent,
    event_uid,
    feed_etag,
    render_feed,
    render_invite,
)
from nattvandring.clock import STOCKHOLM, local_to_utc

HOST = "nattvandring.example"
CHANGED = datetime(2026, 9, 1, 12, 30, tzinfo=UTC)


def make_event(shift_id: int = 1, start: datetime | None = None, **changes) -> CalendarEvent:
    start = start or datetime(2026, 9, 4, 19, 0, tzinfo=UTC)
    values = dict(shift_id=shift_id, start=start, end=start + timedelta(hours=4))
    values.update(summary=f"Nattvandring {shift_id}", description="Samling vid stationen.")
    values.update(location="Stationen, Hässleholm", geo=(56.158, 13.766), status="CONFIRMED")
    values.update(url=f"https://{HOST}/shifts/{shift_id}", sequence=0, last_modified=CHANGED)
    return CalendarEvent(**(values | changes))


def feed(*events: CalendarEvent, name: str = "Mina pass") -> bytes:
    return render_feed(name=name, events=list(events), host=HOST)


PEOPLE = {
    "organizer_email": "samordnare@kommun.example",
    "organizer_name": "Brå-samordnare, Hässleholm",
    "attendee_email": "anna@example.org",
    "attendee_name": "Anna Ödmark",
}


def invite(method: str, event: CalendarEvent, **people: str) -> bytes:
    return render_invite(method=method, event=event, host=HOST, **(PEOPLE | people))


def lines(raw: bytes) -> list[bytes]:
    assert raw.endswith(b"\r\n")
    physical = raw[:-2].split(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"") and b"\r" not in raw.replace(b"\r\n", b"")
    for line in physical:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a UTF-8 character
    return physical


def prop_lines(raw: bytes, name: bytes) -> list[bytes]:
    return [line for line in lines(raw) if line.split(b":")[0].split(b";")[0] == name]


def parse_all(raw: bytes) -> tuple[icalendar.Calendar, vobject.base.Component]:
    lines(raw)
    return icalendar.Calendar.from_ical(raw), vobject.readOne(raw.decode("utf-8"))


def vevents(vcal) -> list:
    return vcal.contents.get("vevent", [])


# --- daylight saving time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "utc_start", "hours"),
    [
        (date(2027, 3, 27), datetime(2027, 3, 27, 21, 0, tzinfo=UTC), 4),  # spring forward
        (date(2026, 10, 24), datetime(2026, 10, 24, 20, 0, tzinfo=UTC), 6),  # fall back
    ],
)
def test_walk_across_dst_change_has_right_instants_in_all_parsers(first_day, utc_start, hours):
    start = local_to_utc(first_day, time(22, 0))
    end = local_to_utc(first_day + timedelta(days=1), time(3, 0))
    assert (start, end - start) == (utc_start, timedelta(hours=hours))
    raw = feed(make_event(5, start=start, end=end))

    (dtstart,) = prop_lines(raw, b"DTSTART")
    (dtend,) = prop_lines(raw, b"DTEND")
    assert dtstart == b"DTSTART:" + utc_start.strftime("%Y%m%dT%H%M%SZ").encode()
    assert dtstart.endswith(b"Z") and dtend.endswith(b"Z")

    ical, vcal = parse_all(raw)
    (event,) = ical.events
    assert (event.start, event.end - event.start) == (utc_start, timedelta(hours=hours))
    assert event.start.astimezone(STOCKHOLM).hour == 22
    assert event.end.astimezone(STOCKHOLM).hour == 3
    (vevent,) = vevents(vcal)
    assert vevent.dtstart.value == utc_start
    assert vevent.dtend.value - vevent.dtstart.value == timedelta(hours=hours)
    night = datetime.combine(first_day, time(12), tzinfo=STOCKHOLM)
    (occurrence,) = recurring_ical_events.of(ical).between(night, night + timedelta(days=1))
    assert occurrence.start == utc_start
    assert occurrence.end - occurrence.start == timedelta(hours=hours)


def test_recurring_ical_events_returns_exactly_the_walks_in_range():
    fridays = [datetime(2026, 9, 4, 19, tzinfo=UTC) + timedelta(weeks=n) for n in range(6)]
    events = [make_event(100 + n, start=start) for n, start in enumerate(fridays)]
    ical, vcal = parse_all(feed(*events))
    found = recurring_ical_events.of(ical).between(date(2026, 9, 10), date(2026, 9, 26))
    assert sorted(str(event["UID"]) for event in found) == [
        event_uid(101, HOST),
        event_uid(102, HOST),
        event_uid(103, HOST),
    ]
    # An ongoing walk overlaps the range; one starting exactly at its end does not.
    ongoing = recurring_ical_events.of(ical).between(
        datetime(2026, 9, 4, 22, tzinfo=UTC), datetime(2026, 9, 11, 19, tzinfo=UTC)
    )
    assert [str(event["UID"]) for event in ongoing] == [event_uid(100, HOST)]
    assert len(vevents(vcal)) == 6


# --- text, folding, line endings --------------------------------------------------------

AWKWARD = 'Å ä ö ÅÄÖ 🚶 walk, with; semi\\colons "quoted" and\nnew lines\r\nCRLF too'


def test_awkward_text_and_long_description_round_trip_in_both_parsers():
    description = (AWKWARD + " ") * 20 + "x" * (2000 - 20 * (len(AWKWARD) + 1))
    assert len(description) == 2000
    event = make_event(
        9,
        summary="Nattvandring 🚶 Hässleholm, centrum; väst\\öst",
        description=description,
        location="Café Ö, Storgatan 1; 🚶",
    )
    raw = feed(event, name="Förening Åkarp 🚶")
    physical = lines(raw)
    assert any(line.startswith(b" ") for line in physical)  # long values really were folded
    expected_description = description.replace("\r\n", "\n")
    ical, vcal = parse_all(raw)
    (parsed,) = ical.events
    (vevent,) = vevents(vcal)
    for summary, desc, location in [
        (str(parsed["SUMMARY"]), str(parsed["DESCRIPTION"]), str(parsed["LOCATION"])),
        (vevent.summary.value, vevent.description.value, vevent.location.value),
    ]:
        assert summary == "Nattvandring 🚶 Hässleholm, centrum; väst\\öst"
        assert desc == expected_description
        assert location == "Café Ö, Storgatan 1; 🚶"
    assert ical.calendar_name == "Förening Åkarp 🚶"


def test_control_characters_are_dropped_and_single_line_fields_flattened():
    event = make_event(summary="Pass\nett\x00två\x07", description="a\x0bb\rc")
    ical, _ = parse_all(feed(event))
    (parsed,) = ical.events
    assert str(parsed["SUMMARY"]) == "Pass etttvå"
    assert str(parsed["DESCRIPTION"]) == "ab\nc"


TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from('\n,;\\:"^'),
    max_size=300,
)


@settings(max_examples=60, deadline=None)
@given(description=TEXT.filter(bool), location=TEXT.map(lambda s: " ".join(s.split())))
def test_any_printable_text_survives_both_parsers(description, location):
    raw = feed(make_event(description=description, location=location or None))
    ical, vcal = parse_all(raw)
    assert str(ical.events[0]["DESCRIPTION"]) == description
    assert vevents(vcal)[0].description.value == description
    if location:
        assert str(ical.events[0]["LOCATION"]) == location
        assert vevents(vcal)[0].location.value == location


# --- feed shape and determinism ---------------------------------------------------------


def test_feed_header_and_event_properties():
    event = make_event(3, alarm_minutes_before=90, sequence=2)
    raw = feed(event)
    physical = lines(raw)
    expected_lines = (
        b"METHOD:PUBLISH|NAME:Mina pass|X-WR-CALNAME:Mina pass|X-PUBLISHED-TTL:PT1H|"
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H|PRODID:-//Nattvandring//Nattvandring//SV|"
        b"UID:shift-3@nattvandring.example|SEQUENCE:2|STATUS:CONFIRMED|"
        b"DTSTAMP:20260901T123000Z|LAST-MODIFIED:20260901T123000Z|GEO:56.158000;13.766000|"
        b"URL:https://nattvandring.example/shifts/3|ACTION:DISPLAY|TRIGGER:-PT90M"
    )
    for expected in expected_lines.split(b"|"):
        assert expected in physical, expected
    ical, vcal = parse_all(raw)
    (parsed,) = ical.events
    assert parsed["GEO"].latitude == pytest.approx(56.158)
    (alarm,) = parsed.subcomponents
    assert alarm["TRIGGER"].dt == timedelta(minutes=-90)
    assert vevents(vcal)[0].valarm.trigger.value == timedelta(minutes=-90)
    assert vcal.method.value == "PUBLISH"
    assert event_uid(3, HOST) == "shift-3@nattvandring.example"


def test_optional_fields_are_left_out():
    raw = feed(make_event(location=None, geo=None, url=None, description=""))
    for name in (b"LOCATION", b"GEO", b"URL", b"DESCRIPTION", b"BEGIN:VALARM"):
        assert prop_lines(raw, name) == []
    assert len(prop_lines(raw, b"DTSTART")) == 1


def test_calendar_uid_is_stable_and_specific():
    (uid,) = prop_lines(feed(make_event()), b"UID")[:1]
    assert uid == prop_lines(feed(), b"UID")[0]
    uuid.UUID(uid.split(b":", 1)[1].decode())
    assert uid != prop_lines(feed(name="Annan"), b"UID")[0]
    other_host = render_feed(name="Mina pass", events=[], host="other.example")
    assert uid != prop_lines(other_host, b"UID")[0]
    ical, vcal = parse_all(feed())  # an empty feed is still a valid calendar
    assert ical.events == [] and vevents(vcal) == []


def test_same_input_gives_same_bytes_in_any_order():
    events = [
        make_event(n, start=datetime(2026, 9, 4, 19, tzinfo=UTC) + timedelta(days=n % 3))
        for n in range(1, 10)
    ]
    first = feed(*events)
    assert feed(*events) == first
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    assert feed(*shuffled) == first
    ical, _ = parse_all(first)
    keys = [(event.start, int(str(event["UID"]).split("@")[0][6:])) for event in ical.events]
    assert keys == sorted(keys)


def test_change_bumps_sequence_and_last_modified_lines():
    before = feed(make_event())
    later = CHANGED + timedelta(hours=2)
    after = feed(make_event(sequence=1, last_modified=later, start=CHANGED + timedelta(days=3)))
    assert after != before
    assert prop_lines(before, b"SEQUENCE") == [b"SEQUENCE:0"]
    assert prop_lines(after, b"SEQUENCE") == [b"SEQUENCE:1"]
    assert prop_lines(after, b"LAST-MODIFIED") == [b"LAST-MODIFIED:20260901T143000Z"]
    assert prop_lines(after, b"DTSTAMP") == [b"DTSTAMP:20260901T143000Z"]
    assert prop_lines(after, b"UID")[1] == prop_lines(before, b"UID")[1]


def test_cancelled_event_stays_in_feed_with_status():
    raw = feed(make_event(1), make_event(2, status="CANCELLED", sequence=4))
    assert prop_lines(raw, b"STATUS") == [b"STATUS:CONFIRMED", b"STATUS:CANCELLED"]
    ical, vcal = parse_all(raw)
    assert [str(event["STATUS"]) for event in ical.events] == ["CONFIRMED", "CANCELLED"]
    assert [vevent.status.value for vevent in vevents(vcal)] == ["CONFIRMED", "CANCELLED"]


@pytest.mark.parametrize(
    "bad",
    [
        {"start": datetime(2026, 9, 4, 19)},  # naive
        {"last_modified": datetime(2026, 9, 4, 19)},  # naive
        {"end": datetime(2026, 9, 4, 19, tzinfo=UTC)},  # end == start
        {"status": "MAYBE"},
        {"sequence": -1},
        {"alarm_minutes_before": -5},
        {"geo": (91.0, 13.0)},
    ],
)
def test_invalid_events_are_refused(bad):
    with pytest.raises(ValueError):
        feed(make_event(**bad))


def test_duplicate_shift_and_bad_refresh_are_refused():
    with pytest.raises(ValueError):
        feed(make_event(1), make_event(1))
    with pytest.raises(ValueError):
        render_feed(name="x", events=[], host=HOST, refresh="-PT1H")


# --- invites ----------------------------------------------------------------------------


def test_request_invite():
    raw = invite("REQUEST", make_event(8, sequence=1, alarm_minutes_before=60))
    joined = b"".join(line.removeprefix(b" ") for line in lines(raw))
    assert b"METHOD:REQUEST" in joined
    assert b'ORGANIZER;CN="Br\xc3\xa5-samordnare, H\xc3\xa4ssleholm":mailto:samordnare@' in joined
    assert (
        b'ATTENDEE;CN="Anna \xc3\x96dmark";PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;'
        b"RSVP=TRUE:mailto:anna@example.org"
    ) in joined
    ical, vcal = parse_all(raw)
    assert str(ical["METHOD"]) == "REQUEST" and vcal.method.value == "REQUEST"
    (event,) = ical.events
    assert event.organizer.name == "Brå-samordnare, Hässleholm"
    assert [str(a) for a in event.attendees] == ["mailto:anna@example.org"]
    vevent = vevents(vcal)[0]
    assert vevent.organizer.value == "mailto:samordnare@kommun.example"
    assert vevent.attendee.params["RSVP"] == ["TRUE"]
    assert "UID" not in ical  # no calendar-level UID (Calendar.new would invent one)
    assert invite("REQUEST", make_event(8, sequence=1, alarm_minutes_before=60)) == raw


def test_cancel_invite_keeps_uid_and_raises_sequence():
    request = invite("REQUEST", make_event(8, sequence=1))
    cancel = invite("CANCEL", make_event(8, sequence=2, last_modified=CHANGED + timedelta(1)))
    assert prop_lines(cancel, b"METHOD") == [b"METHOD:CANCEL"]
    assert prop_lines(cancel, b"STATUS") == [b"STATUS:CANCELLED"]
    assert prop_lines(cancel, b"SEQUENCE") == [b"SEQUENCE:2"]
    assert prop_lines(cancel, b"UID") == prop_lines(request, b"UID")
    ical, vcal = parse_all(cancel)
    (event,) = ical.events
    assert (str(event["UID"]), event["SEQUENCE"]) == (event_uid(8, HOST), 2)
    assert "ORGANIZER" in event and "ATTENDEE" in event
    assert vevents(vcal)[0].status.value == "CANCELLED"
    assert b"RSVP" not in cancel and b"VALARM" not in cancel


def test_invite_refuses_request_for_cancelled_and_bad_input():
    with pytest.raises(ValueError):
        invite("REQUEST", make_event(status="CANCELLED"))
    with pytest.raises(ValueError):
        invite("PUBLISH", make_event())
    with pytest.raises(ValueError):
        invite("REQUEST", make_event(), organizer_email="a b@x")


# --- ETag -------------------------------------------------------------------------------

ETAG_PARTS = ("user", 42, HOST, "Mina pass", 7, CHANGED, 3, None, 1.5, date(2026, 1, 1))
LATER = CHANGED + timedelta(microseconds=1)
OTHER_PARTS = ("org", 43, "b.example", "Andra", 8, LATER, 4, 0, 2.5, date(2026, 1, 2))


def test_feed_etag_is_stable_and_quoted():
    etag = feed_etag(ETAG_PARTS)
    assert etag == feed_etag(list(ETAG_PARTS)) == feed_etag(iter(ETAG_PARTS))
    assert len(etag) == 34 and etag[0] == etag[-1] == '"'
    int(etag[1:-1], 16)
    same_instant = CHANGED.astimezone(STOCKHOLM)
    assert feed_etag(ETAG_PARTS[:5] + (same_instant,) + ETAG_PARTS[6:]) == etag


@pytest.mark.parametrize("index", range(len(ETAG_PARTS)))
def test_feed_etag_changes_with_any_part(index):
    parts = list(ETAG_PARTS)
    parts[index] = OTHER_PARTS[index]
    assert feed_etag(parts) != feed_etag(ETAG_PARTS)


def test_feed_etag_distinguishes_shape_and_refuses_unstable_parts():
    assert feed_etag([1, 2]) != feed_etag([(1, 2)]) != feed_etag([12])
    assert feed_etag(["1"]) != feed_etag([1]) != feed_etag([True])
    with pytest.raises(TypeError):
        feed_etag([{"a", "b"}])
    with pytest.raises(TypeError):
        feed_etag([object()])


def test_the_calendar_name_is_escaped_text():
    from nattvandring.calendars.ical import render_feed

    name = "Nattvandring Hässleholm – Centrum, norr; väst"
    raw = render_feed(name=name, events=[], host="h")
    assert b"X-WR-CALNAME:Nattvandring H\xc3\xa4ssleholm \xe2\x80\x93 Centrum\\, norr\\; v" in raw
    parsed = vobject.readOne(raw.decode("utf-8"))
    assert (
        parsed.contents["x-wr-calname"][0].value == "Nattvandring Hässleholm – Centrum, norr; väst"
    )
    # icalendar reads NAME as an unknown type and keeps the escapes: the bytes are right.
    assert b"\r\nNAME:Nattvandring H\xc3\xa4ssleholm \xe2\x80\x93 Centrum\\, norr\\; v" in raw
