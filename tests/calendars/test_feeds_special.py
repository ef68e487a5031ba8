"""Special nights in the feeds: the name in SUMMARY and CATEGORIES of every feed, and marking
a night special moves the feeds' validators (ETag, Last-Modified) and the event's version."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nattvandring import clock
from nattvandring.municipalities.models import Municipality
from nattvandring.planning import special_nights as specials
from nattvandring.planning.models import Shift
from nattvandring.planning.services_special import add_special_night
from tests.calendars.conftest import (
    assign,
    association_feed_path,
    events_of,
    personal_feed_path,
    uid,
)
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
HALLOWEEN = date(2026, 10, 31)
PUBLIC = "/feeds/kommun/hässleholm.ics"


@pytest.fixture
def halloween(app, db, world):
    """vol_a walks Halloween night with IFK; the night is not marked special yet."""
    clock.freeze(NOW)
    ids = world.ids
    shift = make_shift(db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=HALLOWEEN)
    assign(db, book(db, shift, ids["assoc_a"]), ids["vol_a"])
    paths = {
        "personal": personal_feed_path(db, ids["vol_a"]),
        "association": association_feed_path(db, ids["assoc_a"]),
        "public": PUBLIC,
        "area": f"/feeds/kommun/hässleholm/{ids['area_h']}.ics",
    }
    db.commit()
    return shift.id, paths


def test_marking_a_night_special_names_it_in_every_feed_and_moves_the_validators(
    client, db, world, halloween
):
    shift_id, paths = halloween
    before = {name: client.get(path) for name, path in paths.items()}
    for name, response in before.items():
        assert response.status_code == 200, name
        event = events_of(response.data)[uid(shift_id)]
        assert "Halloween" not in str(event["SUMMARY"]), name
        assert "CATEGORIES" not in event, name

    clock.freeze(NOW + timedelta(hours=1))
    municipality = db.get(Municipality, world.ids["hassleholm"])
    result = add_special_night(
        db,
        municipality=municipality,
        day=HALLOWEEN,
        key=specials.HALLOWEEN,
        area_ids=[world.ids["area_h"]],
        actor_id=world.ids["coord_h"],
    )
    db.commit()
    assert (result.created, result.skipped) == ([], 1)
    assert db.get(Shift, shift_id).special_key == specials.HALLOWEEN

    for name, path in paths.items():
        etag = before[name].headers["ETag"]
        after = client.get(path, headers={"If-None-Match": etag})
        assert after.status_code == 200, name  # not a 304: the content changed
        assert after.headers["ETag"] != etag, name
        assert after.last_modified > before[name].last_modified, name
        event = events_of(after.data)[uid(shift_id)]
        assert str(event["SUMMARY"]).endswith(" – Halloween"), (name, event["SUMMARY"])
        assert [str(c) for c in event["CATEGORIES"].cats] == ["Halloween"], name
        old = events_of(before[name].data)[uid(shift_id)]
        assert event["LAST-MODIFIED"].dt > old["LAST-MODIFIED"].dt, name


def test_a_public_holiday_is_named_in_swedish_even_for_an_english_client(client, db, world):
    clock.freeze(datetime(2026, 12, 1, 10, tzinfo=UTC))
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 12, 25),
        special_key=specials.PUBLIC_HOLIDAY,
    )
    db.commit()
    response = client.get(PUBLIC, headers={"Accept-Language": "en"})
    event = events_of(response.data)[uid(shift.id)]
    assert str(event["SUMMARY"]).endswith(" – Juldagen")
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Juldagen"]


def test_a_shift_edit_that_keeps_the_mark_keeps_the_feed(client, db, world, halloween):
    shift_id, paths = halloween
    shift = db.get(Shift, shift_id)
    shift.special_key = specials.HALLOWEEN
    db.add(shift)
    db.commit()
    before = client.get(PUBLIC)
    clock.freeze(NOW + timedelta(hours=2))
    shift = db.get(Shift, shift_id)
    shift.notes = "Ta med reflexväst."  # notes are not shown in any feed
    db.add(shift)
    db.commit()
    assert client.get(PUBLIC, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304
