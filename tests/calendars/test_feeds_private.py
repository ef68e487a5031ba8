"""Personal and association feeds: content, caching, rotation, isolation, query counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import event

from nattvandring import clock, stable_links, tokens
from nattvandring.accounts.models import TokenPurpose
from nattvandring.associations.models import Association
from nattvandring.booking.models import Assignment, Booking
from nattvandring.db import get_engine
from nattvandring.planning.models import Shift
from tests.calendars.conftest import (
    SECRET,
    assign,
    association_feed_path,
    events_of,
    personal_feed_path,
    personal_page_token,
    uid,
)
from tests.support.queries import count_queries
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def walks(app, db, world):
    """vol_a walks two nights (one across the October DST change), declined a third;
    vol_a2 walks another night of the same association."""
    clock.freeze(NOW)
    ids = world.ids

    def night(day: date, start: time = time(21), end: time = time(1)) -> tuple[Shift, Booking]:
        shift = make_shift(
            db,
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            day=day,
            start=start,
            end=end,
        )
        return shift, book(db, shift, ids["assoc_a"])

    first, first_booking = night(date(2026, 10, 9))
    dst, dst_booking = night(date(2026, 10, 24), time(22), time(3))
    declined, declined_booking = night(date(2026, 10, 30))
    theirs, theirs_booking = night(date(2026, 10, 31))
    assign(db, first_booking, ids["vol_a"])
    assign(db, first_booking, ids["vol_a2"], status="confirmed")
    assign(db, dst_booking, ids["vol_a"], status="confirmed")
    assign(db, declined_booking, ids["vol_a"], status="declined")
    assign(db, theirs_booking, ids["vol_a2"])
    paths = {
        "vol_a": personal_feed_path(db, ids["vol_a"]),
        "vol_a2": personal_feed_path(db, ids["vol_a2"]),
        "assoc_a": association_feed_path(db, ids["assoc_a"]),
    }
    db.commit()
    return {
        "paths": paths,
        "first": first.id,
        "dst": dst.id,
        "declined": declined.id,
        "theirs": theirs.id,
    }


def test_personal_feed_shows_own_walks_with_leader_and_page(app, client, db, world, walks):
    response = client.get(walks["paths"]["vol_a"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    ical = icalendar.Calendar.from_ical(response.data)
    assert str(ical["METHOD"]) == "PUBLISH"
    assert str(ical["X-WR-CALNAME"]) == "Nattvandring – mina pass"
    events = events_of(response.data)
    assert set(events) == {uid(walks["first"]), uid(walks["dst"])}  # not the declined one
    association = db.get(Association, world.ids["assoc_a"])
    page = f"/me/{personal_page_token(db, world.ids['vol_a'])}"
    event = events[uid(walks["first"])]
    description = str(event["DESCRIPTION"])
    assert f"Ledare: {association.contact_name}, 070-" in description
    assert "Samling: Centrum torget" in description
    # A feed link only reads: the events link the public page, never the personal one.
    assert page not in response.data.decode() and "/me/" not in response.data.decode()
    assert str(event["URL"]) == "http://localhost/kommun/h%C3%A4ssleholm"
    (alarm,) = event.walk("VALARM")
    assert alarm["TRIGGER"].dt == timedelta(minutes=-app.config["FEED_ALARM_MINUTES"])
    dst = events[uid(walks["dst"])]
    assert dst.start == datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert dst.end - dst.start == timedelta(hours=6)
    found = recurring_ical_events.of(ical).between(date(2026, 10, 20), date(2026, 10, 26))
    assert [str(e["UID"]) for e in found] == [uid(walks["dst"])]


def test_a_volunteer_token_never_shows_someone_elses_walks(client, walks):
    mine = set(events_of(client.get(walks["paths"]["vol_a"]).data))
    theirs = set(events_of(client.get(walks["paths"]["vol_a2"]).data))
    assert theirs == {uid(walks["first"]), uid(walks["theirs"])}
    assert uid(walks["theirs"]) not in mine
    assert uid(walks["dst"]) not in theirs


def test_unchanged_feed_is_byte_identical_and_answers_304(client, walks):
    path = walks["paths"]["vol_a"]
    first = client.get(path)
    second = client.get(path, headers={"Cache-Control": "no-cache"})  # rendered again
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Last-Modified"] == second.headers["Last-Modified"]
    by_tag = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert by_tag.status_code == 304
    assert by_tag.data == b""
    assert by_tag.headers["ETag"] == first.headers["ETag"]
    by_date = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status_code == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110).
    mismatch = client.get(
        path,
        headers={"If-None-Match": '"other"', "If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert mismatch.status_code == 200
    head = client.head(path)
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == first.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(first.data)


def test_a_change_moves_sequence_last_modified_and_etag(client, db, walks):
    path = walks["paths"]["vol_a"]
    before = client.get(path)
    later = NOW + timedelta(hours=2)
    clock.freeze(later)
    shift = db.get(Shift, walks["first"])
    shift.start_at += timedelta(hours=1)
    shift.sequence += 1
    shift.updated_at = later
    db.commit()
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.last_modified == later
    event = events_of(after.data)[uid(walks["first"])]
    assert event["SEQUENCE"] == 1
    assert event["LAST-MODIFIED"].dt == later
    assert event["DTSTAMP"].dt == later
    untouched = events_of(after.data)[uid(walks["dst"])]
    assert untouched["LAST-MODIFIED"].dt == NOW


def test_roster_change_shows_in_association_feed(client, db, world, walks):
    path = walks["paths"]["assoc_a"]
    before = client.get(path)
    assert "private" in before.headers["Cache-Control"]
    events = events_of(before.data)
    assert set(events) == {uid(walks[k]) for k in ("first", "dst", "declined", "theirs")}
    first = events[uid(walks["first"])]
    assert "Nattvandrare: 2" in str(first["DESCRIPTION"])
    association = db.get(Association, world.ids["assoc_a"])
    assert f"Ledare: {association.contact_name}" in str(first["DESCRIPTION"])
    assert "Nattvandrare: 0" in str(events[uid(walks["declined"])]["DESCRIPTION"])
    assert str(events_of(before.data)[uid(walks["first"])]["SUMMARY"]).endswith("(2 nattvandrare)")
    later = NOW + timedelta(hours=3)
    clock.freeze(later)
    assignment = db.exec(
        Assignment.__table__.select().where(
            Assignment.shift_id == walks["first"], Assignment.user_id == world.ids["vol_a2"]
        )
    ).first()
    row = db.get(Assignment, assignment.id)
    row.status = "declined"
    row.responded_at = later
    db.commit()
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.last_modified > before.last_modified
    event = events_of(after.data)[uid(walks["first"])]
    assert "Nattvandrare: 1" in str(event["DESCRIPTION"])
    assert event["LAST-MODIFIED"].dt >= later


def test_rotating_the_personal_link_makes_the_old_one_404(client, db, world, walks):
    old = walks["paths"]["vol_a"]
    page = personal_page_token(db, world.ids["vol_a"])
    db.commit()
    response = client.post(f"/me/{page}/calendar/rotate")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/me/{page}#kalender"
    assert client.get(old).status_code == 404
    new = personal_feed_path(db, world.ids["vol_a"])
    assert new != old
    assert set(events_of(client.get(new).data)) == {uid(walks["first"]), uid(walks["dst"])}
    # Neither a feed token nor a made-up one can rotate anything.
    feed_token = new.removeprefix("/feeds/personal/").removesuffix(".ics")
    assert client.post(f"/me/{feed_token}/calendar/rotate").status_code == 404
    assert client.post("/me/not-a-token/calendar/rotate").status_code == 404
    assert client.get(new).status_code == 200


def test_a_new_personal_page_link_changes_nothing_in_the_feed(client, db, world, walks):
    path = walks["paths"]["vol_a"]
    first = client.get(path)
    stable_links.rotate_stable_link(
        db, TokenPurpose.PERSONAL_PAGE, secret_key=SECRET, user_id=world.ids["vol_a"]
    )
    db.commit()
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_feed_tokens_only_read_their_own_calendar(client, db, world, walks):
    personal = walks["paths"]["vol_a"].removeprefix("/feeds/personal/").removesuffix(".ics")
    association = walks["paths"]["assoc_a"].removeprefix("/feeds/association/").removesuffix(".ics")
    assert tokens.resolve(db, TokenPurpose.PERSONAL_PAGE, personal, secret_key=SECRET) is None
    assert tokens.resolve(db, TokenPurpose.PERSONAL_FEED, personal, secret_key=SECRET) is not None
    assert client.get(f"/feeds/association/{personal}.ics").status_code == 404
    assert client.get(f"/feeds/personal/{association}.ics").status_code == 404
    page = personal_page_token(db, world.ids["vol_a"])
    db.commit()
    assert client.get(f"/feeds/personal/{page}.ics").status_code == 404
    assert client.get("/feeds/personal/x.ics").status_code == 404


def _add_walks(db, world, count: int) -> str:
    ids = world.ids
    for n in range(count):
        shift = make_shift(
            db,
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            day=date(2026, 10, 2) + timedelta(days=n),
        )
        assign(db, book(db, shift, ids["assoc_a"]), ids["vol_a"])
    path = personal_feed_path(db, ids["vol_a"])
    personal_page_token(db, ids["vol_a"])
    association_feed_path(db, ids["assoc_a"])
    db.commit()
    return path


@pytest.mark.parametrize("count", [5, 100])
def test_queries_are_constant_and_304_renders_nothing(app, client, db, world, count, monkeypatch):
    clock.freeze(NOW)
    path = _add_walks(db, world, count)
    with count_queries(app) as full:
        response = client.get(path)
    assert len(events_of(response.data)) == count
    # The aggregate (with the token check and the page link's nonce), then the rows.
    assert full.count == 2, full.statements
    from nattvandring.calendars import services_personal

    def no_rendering(*args, **kwargs):
        raise AssertionError("the 304 path must not build the calendar")

    monkeypatch.setattr(services_personal, "render_personal", no_rendering)
    with count_queries(app) as cached:
        not_modified = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert not_modified.status_code == 304
    # One query: the aggregate, which checks the token itself.
    assert cached.count == 1, cached.statements
    assert "FROM accesstoken" in cached.statements[0]
    # Without validators the bytes of that ETag come from the render cache: no rendering.
    with count_queries(app) as from_cache:
        again = client.get(path)
    assert (again.status_code, again.data) == (200, response.data)
    assert again.headers["ETag"] == response.headers["ETag"]
    assert from_cache.count == 1
    with count_queries(app) as by_date:
        since = client.get(path, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    assert by_date.count == 1


@pytest.mark.parametrize("count", [5, 100])
def test_other_feeds_use_constant_queries(app, client, db, world, count):
    clock.freeze(NOW)
    _add_walks(db, world, count)
    feed = association_feed_path(db, world.ids["assoc_a"])
    db.commit()
    counts = {}
    for path in (feed, "/feeds/kommun/hässleholm.ics"):
        with count_queries(app) as full:
            response = client.get(path)
        assert len(events_of(response.data)) == count
        with count_queries(app) as cached:
            assert (
                client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code
                == 304
            )
        counts[path] = (full.count, cached.count)
    # A 304: the version row (with the token). A render: also the rows (and the name).
    assert counts == {feed: (3, 1), "/feeds/kommun/hässleholm.ics": (2, 1)}


def test_erasing_a_volunteer_closes_their_feed(app, client, db, world, walks):
    from nattvandring import events

    assert client.get(walks["paths"]["vol_a"]).status_code == 200
    events.emit(db, events.PersonErased(user_id=world.ids["vol_a"]))
    db.commit()
    assert client.get(walks["paths"]["vol_a"]).status_code == 404
    assert client.get(walks["paths"]["vol_a2"]).status_code == 200


@pytest.mark.parametrize("column", ["revoked_at", "used_at", "expires_at"])
def test_a_feed_token_that_is_not_live_answers_404(client, db, world, walks, column):
    """The token is checked inside the feed's one query; every way of not being live counts."""
    from nattvandring.accounts.models import AccessToken

    assert client.get(walks["paths"]["vol_a"]).status_code == 200
    for row in db.exec(
        AccessToken.__table__.select().where(
            AccessToken.purpose == TokenPurpose.PERSONAL_FEED,
            AccessToken.user_id == world.ids["vol_a"],
        )
    ):
        token = db.get(AccessToken, row.id)
        setattr(token, column, NOW - timedelta(minutes=1))
    db.commit()
    assert client.get(walks["paths"]["vol_a"]).status_code == 404
    assert client.get(walks["paths"]["vol_a2"]).status_code == 200


def test_the_personal_feed_reads_in_one_snapshot_on_sqlite_and_sends_no_begin_on_postgresql(
    app, client, db, world
):
    """SQLite: the token's version and the walks come from one transaction. PostgreSQL (read
    committed, a snapshot per statement anyway): autocommit, so no BEGIN or ROLLBACK."""
    clock.freeze(NOW)
    path = _add_walks(db, world, 3)
    engine = get_engine(app)
    postgres = engine.dialect.name == "postgresql"
    seen: list[bool] = []
    used: list = []

    def before(conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            dbapi = conn.connection.dbapi_connection
            seen.append(dbapi.autocommit if postgres else dbapi.in_transaction)
            used.append(dbapi)

    event.listen(engine, "before_cursor_execute", before)
    try:
        first = client.get(path)
        assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert first.status_code == 200
    assert len(seen) == 3 and all(seen), seen  # the version and the walks, then the 304
    # Back in the pool, the feed's connections are in their usual mode again: whoever gets
    # one next still writes in a transaction.
    assert not postgres or not any(dbapi.autocommit for dbapi in used)
