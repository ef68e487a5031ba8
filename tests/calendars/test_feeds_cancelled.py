"""A cancelled booking stays in its walkers' personal feeds, marked cancelled, for a while."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events
from sqlmodel import select

from nattvandring import clock, events
from nattvandring.booking import services_booking, services_roster
from nattvandring.booking.models import Assignment
from nattvandring.calendars.feeds import advance_window
from nattvandring.calendars.models import CancelledWalk
from nattvandring.calendars.services_cancelled import purge_old
from tests.calendars.conftest import assign, events_of, personal_feed_path, personal_page_token, uid
from tests.factories import login
from tests.support.queries import count_queries
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
CANCELLED_AT = NOW + timedelta(hours=1)


@pytest.fixture
def walk(app, db, world):  # type: ignore[no-untyped-def]
    """IFK's booking of Friday 9 October: vol_a assigned, vol_a2 declined; and a second
    walk of vol_a's that nobody cancels."""
    clock.freeze(NOW)
    ids = world.ids
    shift = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 9)
    )
    booking = services_booking.book_shift(
        db, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=ids["leader_a"]
    )
    for user_id in (ids["vol_a"], ids["vol_a2"]):
        services_roster.add_to_roster(
            db, booking_id=booking.id, user_id=user_id, actor_id=ids["leader_a"]
        )
    declined = db.exec(select(Assignment).where(Assignment.user_id == ids["vol_a2"])).one()
    services_roster.decline_assignment(db, declined)
    other = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 16)
    )
    assign(db, book(db, other, ids["assoc_a"]), ids["vol_a"])
    paths = {key: personal_feed_path(db, ids[key]) for key in ("vol_a", "vol_a2")}
    personal_page_token(db, ids["vol_a"])
    db.commit()
    return {"shift": shift.id, "booking": booking.id, "other": other.id, "paths": paths}


def cancel(db, walk, world, *, at: datetime = CANCELLED_AT) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(at)
    services_booking.cancel_booking(
        db, booking_id=walk["booking"], actor_id=world.ids["leader_a"], as_coordinator=False
    )
    db.commit()


def test_the_leaders_cancellation_marks_the_walk_cancelled_in_the_feed(client, db, world, walk):
    path = walk["paths"]["vol_a"]
    before = client.get(path)
    assert str(events_of(before.data)[uid(walk["shift"])]["STATUS"]) == "CONFIRMED"
    clock.freeze(CANCELLED_AT)
    login(client, world.emails["leader_a"])
    response = client.post(f"/booking/bookings/{walk['booking']}/cancel", data={"reason": ""})
    assert response.status_code == 302
    # The roster forgets the group; the calendar does not.
    assert db.exec(select(Assignment).where(Assignment.shift_id == walk["shift"])).all() == []
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.last_modified > before.last_modified
    event = events_of(after.data)[uid(walk["shift"])]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Inställd: Nattvandring Centrum")
    assert "Passet är inställt." in str(event["DESCRIPTION"])
    assert event["SEQUENCE"] > events_of(before.data)[uid(walk["shift"])]["SEQUENCE"]
    assert event["LAST-MODIFIED"].dt >= CANCELLED_AT
    assert not event.walk("VALARM")
    # Still at the right instants, for a parser that expands the calendar too.
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(after.data)).between(
        date(2026, 10, 9), date(2026, 10, 11)
    )
    assert [(str(e["UID"]), str(e["STATUS"])) for e in found] == [(uid(walk["shift"]), "CANCELLED")]
    untouched = events_of(after.data)[uid(walk["other"])]
    assert str(untouched["STATUS"]) == "CONFIRMED"


def test_a_declined_walker_gets_no_cancelled_walk_back(client, db, world, walk):
    assert events_of(client.get(walk["paths"]["vol_a2"]).data) == {}
    cancel(db, walk, world)
    assert events_of(client.get(walk["paths"]["vol_a2"]).data) == {}
    rows = db.exec(select(CancelledWalk)).all()
    assert [row.user_id for row in rows] == [world.ids["vol_a"]]


def test_the_cancelled_walk_leaves_the_feed_after_the_visible_days(app, client, db, world, walk):
    """The window moves by whole days, in the job that also moves the dropped-from feeds."""
    cancel(db, walk, world)
    days = app.config["FEED_CANCELLED_VISIBLE_DAYS"]
    last_day = CANCELLED_AT.date() + timedelta(days=days)
    clock.freeze(CANCELLED_AT + timedelta(days=days))
    advance_window(db, config=app.config, today=last_day)
    db.commit()
    path = walk["paths"]["vol_a"]
    before = client.get(path)
    assert uid(walk["shift"]) in events_of(before.data)
    clock.freeze(CANCELLED_AT + timedelta(days=days + 1))
    advance_window(db, config=app.config, today=last_day + timedelta(days=1))
    db.commit()
    gone = client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert gone.status_code == 200
    assert uid(walk["shift"]) not in events_of(gone.data)
    assert gone.headers["ETag"] != before.headers["ETag"]
    assert gone.last_modified > before.last_modified
    # Another day without a change moves nothing.
    advance_window(db, config=app.config, today=last_day + timedelta(days=2))
    db.commit()
    assert client.get(path, headers={"If-None-Match": gone.headers["ETag"]}).status_code == 304


def test_put_on_the_shift_again_the_walk_is_one_live_event(client, db, world, walk):
    cancel(db, walk, world)
    clock.freeze(CANCELLED_AT + timedelta(hours=1))
    again = services_booking.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=walk["shift"], actor_id=None
    )
    services_roster.add_to_roster(
        db, booking_id=again.id, user_id=world.ids["vol_a"], actor_id=None
    )
    db.commit()
    assert db.exec(select(CancelledWalk)).all() == []
    raw = client.get(walk["paths"]["vol_a"]).data
    assert raw.count(uid(walk["shift"]).encode()) == 1
    assert str(events_of(raw)[uid(walk["shift"])]["STATUS"]) == "CONFIRMED"


def test_erasing_the_volunteer_drops_their_cancelled_walks(db, world, walk):
    cancel(db, walk, world)
    assert len(db.exec(select(CancelledWalk)).all()) == 1
    events.emit(db, events.PersonErased(user_id=world.ids["vol_a"]))
    db.commit()
    assert db.exec(select(CancelledWalk)).all() == []


def test_records_too_old_for_any_feed_are_purged(db, world, walk):
    cancel(db, walk, world)
    assert purge_old(db, now=CANCELLED_AT + timedelta(days=60)) == 0
    assert purge_old(db, now=CANCELLED_AT + timedelta(days=200)) == 1
    db.commit()
    assert db.exec(select(CancelledWalk)).all() == []


@pytest.mark.parametrize("count", [3, 60])
def test_queries_stay_constant_with_cancelled_walks(app, client, db, world, count):
    clock.freeze(NOW)
    ids = world.ids
    for n in range(count):
        shift = make_shift(
            db,
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            day=date(2026, 10, 2) + timedelta(days=n),
        )
        booking = book(db, shift, ids["assoc_a"])
        assign(db, booking, ids["vol_a"])
        if n % 2:
            services_booking.cancel_booking(
                db, booking_id=booking.id, actor_id=None, as_coordinator=True, reason="Regn"
            )
    path = personal_feed_path(db, ids["vol_a"])
    personal_page_token(db, ids["vol_a"])
    db.commit()
    with count_queries(app) as full:
        response = client.get(path)
    found = events_of(response.data)
    assert len(found) == count
    assert sum(str(e["STATUS"]) == "CANCELLED" for e in found.values()) == count // 2
    assert full.count == 2, full.statements
    with count_queries(app) as cached:
        assert (
            client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
        )
    assert cached.count == 1
