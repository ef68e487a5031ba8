"""Public feeds (municipality, area) and the one-walk .ics, through HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
import vobject

from nattvandring import clock
from nattvandring.accounts.models import User
from nattvandring.associations.models import Association
from nattvandring.calendars.feeds import advance_window
from nattvandring.calendars.services_public import walk_file_names
from nattvandring.planning.models import PatrolArea, Shift
from tests.calendars.conftest import assign
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    clock.freeze(NOW)
    return NOW


def _parse(raw: bytes):
    ical = icalendar.Calendar.from_ical(raw)
    vcal = vobject.readOne(raw.decode("utf-8"))
    return ical, vcal


def _events_by_uid(ical) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in ical.events}


@pytest.fixture
def nights(app, db, world, frozen):
    """A planned night, a booked night with a volunteer, and one in Bjuv."""
    ids = world.ids
    planned = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 9)
    )
    booked = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 10)
    )
    booking = book(db, booked, ids["assoc_a"])
    volunteer = db.get(User, ids["vol_a"])
    volunteer.email = "vol.a@example.org"
    assign(db, booking, ids["vol_a"])
    other = make_shift(
        db, municipality_id=ids["bjuv"], area_id=ids["area_b"], day=date(2026, 10, 10)
    )
    db.commit()
    return {"planned": planned.id, "booked": booked.id, "other": other.id}


def test_municipality_feed_lists_planned_and_booked_nights(client, world, nights):
    response = client.get("/feeds/kommun/hässleholm.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Referrer-Policy"] == "same-origin"
    ical, vcal = _parse(response.data)
    assert str(ical["METHOD"]) == "PUBLISH"
    assert str(ical["X-WR-CALNAME"]) == "Nattvandring Hässleholm"
    assert ical["X-PUBLISHED-TTL"] == "PT1H"
    events = _events_by_uid(ical)
    assert set(events) == {
        f"shift-{nights['planned']}@nattvandring.local",
        f"shift-{nights['booked']}@nattvandring.local",
    }
    booked = events[f"shift-{nights['booked']}@nattvandring.local"]
    assert str(booked["STATUS"]) == "CONFIRMED"
    assert "Förening: IFK Hässleholm" in str(booked["DESCRIPTION"])
    assert "Samling: Centrum torget" in str(booked["DESCRIPTION"])
    assert str(booked["LOCATION"]) == "Centrum torget, Hässleholm"
    assert str(booked["URL"]) == "http://localhost/kommun/h%C3%A4ssleholm"
    planned = events[f"shift-{nights['planned']}@nattvandring.local"]
    assert str(planned["STATUS"]) == "TENTATIVE"
    assert "söker förening" in str(planned["SUMMARY"])
    assert len(vcal.contents["vevent"]) == 2


def test_public_feed_bytes_hold_no_personal_data(app, client, db, world, nights):
    raw = client.get("/feeds/kommun/hässleholm.ics").data
    raw += client.get(f"/feeds/kommun/hässleholm/{world.ids['area_h']}.ics").data
    raw += client.get(f"/walks/{nights['booked']}.ics").data
    unfolded = raw.replace(b"\r\n ", b"").decode("utf-8")
    people = [db.get(User, user_id) for key, user_id in world.ids.items() if key.startswith("vol")]
    association = db.get(Association, world.ids["assoc_a"])
    for person in people:
        assert person.name not in unfolded
        assert person.phone_e164 not in unfolded
        assert person.phone_e164[3:] not in unfolded  # national digits
    assert "vol.a@example.org" not in unfolded
    assert association.contact_name not in unfolded
    assert association.contact_email not in unfolded
    assert association.contact_phone[3:] not in unfolded
    assert "@example.org" not in unfolded
    assert "mailto:" not in unfolded.lower()


def test_area_feed_has_only_that_area_and_checks_municipality(client, db, world, nights):
    ids = world.ids
    second = PatrolArea(municipality_id=ids["hassleholm"], name="Norr", meeting_point="Norrtorg")
    db.add(second)
    db.flush()
    north = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=second.id, day=date(2026, 10, 16)
    )
    db.commit()
    response = client.get(f"/feeds/kommun/hässleholm/{ids['area_h']}.ics")
    assert response.status_code == 200
    uids = set(_events_by_uid(icalendar.Calendar.from_ical(response.data)))
    assert f"shift-{north.id}@nattvandring.local" not in uids
    assert len(uids) == 2
    north_feed = client.get(f"/feeds/kommun/hässleholm/{second.id}.ics")
    assert set(_events_by_uid(icalendar.Calendar.from_ical(north_feed.data))) == {
        f"shift-{north.id}@nattvandring.local"
    }
    # An area of another municipality, or an unknown one, is 404 (as text).
    assert client.get(f"/feeds/kommun/hässleholm/{ids['area_b']}.ics").status_code == 404
    assert client.get("/feeds/kommun/nowhere.ics").status_code == 404
    missing = client.get("/feeds/kommun/hässleholm/99999.ics")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("text/plain")


def test_cancelled_walk_stays_for_the_configured_days(app, client, db, world, nights):
    shift = db.get(Shift, nights["planned"])
    shift.status = "cancelled"
    shift.cancelled_at = NOW
    shift.sequence += 1
    shift.updated_at = NOW
    db.commit()
    uid = f"shift-{shift.id}@nattvandring.local"
    event = _events_by_uid(
        icalendar.Calendar.from_ical(client.get("/feeds/kommun/hässleholm.ics").data)
    )[uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]).startswith("Inställd:")
    days = app.config["FEED_CANCELLED_VISIBLE_DAYS"]
    advance_window(db, config=app.config, today=NOW.date() + timedelta(days=days))
    db.commit()
    before = client.get("/feeds/kommun/hässleholm.ics")
    assert uid in _events_by_uid(icalendar.Calendar.from_ical(before.data))
    clock.freeze(NOW + timedelta(days=days + 1))
    advance_window(db, config=app.config, today=NOW.date() + timedelta(days=days + 1))
    db.commit()
    after = client.get("/feeds/kommun/hässleholm.ics")
    assert uid not in _events_by_uid(icalendar.Calendar.from_ical(after.data))
    assert after.headers["ETag"] != before.headers["ETag"]
    # Last-Modified moves when the walk drops out, so If-Modified-Since stays truthful.
    assert after.last_modified > before.last_modified
    stale = client.get(
        "/feeds/kommun/hässleholm.ics",
        headers={"If-Modified-Since": before.headers["Last-Modified"]},
    )
    assert stale.status_code == 200


@pytest.mark.parametrize(
    ("day", "utc_start", "hours"),
    [
        (date(2027, 3, 27), datetime(2027, 3, 27, 21, 0, tzinfo=UTC), 4),
        (date(2026, 10, 24), datetime(2026, 10, 24, 20, 0, tzinfo=UTC), 6),
    ],
)
def test_dst_walks_have_right_instants_through_http(
    client, db, world, frozen, day, utc_start, hours
):
    clock.freeze(datetime.combine(day - timedelta(days=20), time(12), tzinfo=UTC))
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=day,
        start=time(22),
        end=time(3),
    )
    db.commit()
    for path in ("/feeds/kommun/hässleholm.ics", f"/walks/{shift.id}.ics"):
        raw = client.get(path).data
        assert f"DTSTART:{utc_start:%Y%m%dT%H%M%SZ}".encode() in raw
        ical, vcal = _parse(raw)
        (event,) = ical.events
        assert event.start == utc_start
        assert event.end - event.start == timedelta(hours=hours)
        (vevent,) = vcal.contents["vevent"]
        assert vevent.dtstart.value == utc_start
        assert vevent.dtend.value - vevent.dtstart.value == timedelta(hours=hours)
        (occurrence,) = recurring_ical_events.of(ical).between(day, day + timedelta(days=2))
        assert occurrence.start == utc_start
        assert occurrence.start.astimezone(clock.STOCKHOLM).hour == 22
        assert occurrence.end.astimezone(clock.STOCKHOLM).hour == 3


def test_recurring_ical_events_finds_the_walks_in_a_range(client, db, world, frozen):
    ids = world.ids
    fridays = [date(2026, 10, 2) + timedelta(weeks=n) for n in range(6)]
    shifts = [
        make_shift(db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=day)
        for day in fridays
    ]
    db.commit()
    ical = icalendar.Calendar.from_ical(client.get("/feeds/kommun/hässleholm.ics").data)
    found = recurring_ical_events.of(ical).between(date(2026, 10, 8), date(2026, 10, 24))
    assert sorted(str(e["UID"]) for e in found) == sorted(
        f"shift-{s.id}@nattvandring.local" for s in shifts[1:4]
    )


def test_awkward_text_round_trips_through_the_feed(client, db, world, frozen):
    awkward = "Ö-torget 🚶, vid kiosken; bakom \\ stationen\nandra raden"
    area = PatrolArea(
        municipality_id=world.ids["hassleholm"],
        name="Åsen; väst, öst 🌙",
        meeting_point=(awkward + " ") * 3 + "x" * 80,
    )
    db.add(area)
    db.flush()
    association = db.get(Association, world.ids["assoc_a"])
    association.name = 'Föreningen "Trygga"; vuxna, i Hässleholm – ' + "å" * 100
    shift = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=area.id, day=date(2026, 10, 9)
    )
    book(db, shift, association.id)
    db.commit()
    raw = client.get(f"/feeds/kommun/hässleholm/{area.id}.ics").data
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75
    ical, vcal = _parse(raw)
    (event,) = ical.events
    (vevent,) = vcal.contents["vevent"]
    one_line = " ".join(area.meeting_point.split("\n")).strip()
    assert str(event["LOCATION"]) == f"{one_line}, Hässleholm"
    assert vevent.location.value == f"{one_line}, Hässleholm"
    description = str(event["DESCRIPTION"])
    assert f"Samling: {area.meeting_point}" in description  # newlines kept in DESCRIPTION
    assert f"Förening: {association.name}" in description
    assert vevent.description.value == description
    assert str(event["SUMMARY"]) == f"Nattvandring {area.name}"


def test_walk_ics_is_a_public_download(client, db, world, nights):
    response = client.get(f"/walks/{nights['booked']}.ics")
    assert response.status_code == 200
    name = "nattvandring-2026-10-10-centrum.ics"  # by the walk's local date and area
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )
    assert "Nattvandring 2026-10-10 Centrum" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=300"
    (event,) = icalendar.Calendar.from_ical(response.data).events
    assert str(event["UID"]) == f"shift-{nights['booked']}@nattvandring.local"
    assert str(event["LOCATION"]) == "Centrum torget, Hässleholm"
    again = client.get(
        f"/walks/{nights['booked']}.ics", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/walks/999999.ics").status_code == 404


def test_walk_file_names_are_ascii_and_use_the_local_date():
    # 23:30 UTC on 10 Oct is 01:30 on 11 Oct in Stockholm.
    late = datetime(2026, 10, 10, 23, 30, tzinfo=UTC)
    assert walk_file_names(late, "Södra Ängen/Öster") == (
        "Nattvandring 2026-10-11 Södra Ängen/Öster",
        "nattvandring-2026-10-11-sodra-angen-oster.ics",
    )
    assert walk_file_names(late, "«»")[1] == "nattvandring-2026-10-11.ics"
    assert walk_file_names(late, "x" * 200)[1] == f"nattvandring-2026-10-11-{'x' * 60}.ics"
