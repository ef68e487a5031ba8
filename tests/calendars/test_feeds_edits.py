"""Edits of what feeds show beside the shift (area, association) and of its booking state
move SEQUENCE, LAST-MODIFIED, Last-Modified and the ETag."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.associations.services import AssociationInput, update_profile
from nattvandring.booking import services_booking
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.planning.services_areas import AreaInput, update_area
from tests.calendars.conftest import (
    assign,
    association_feed_path,
    events_of,
    personal_feed_path,
    personal_page_token,
    uid,
)
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
EDITED_AT = NOW + timedelta(hours=2)
PUBLIC = "/feeds/kommun/hässleholm.ics"


@pytest.fixture
def walks(app, db, world):  # type: ignore[no-untyped-def]
    """vol_a walks an upcoming night with IFK; a past night of the same area also exists."""
    clock.freeze(NOW)
    ids = world.ids
    upcoming = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 9)
    )
    past = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 9, 25)
    )
    assign(db, book(db, upcoming, ids["assoc_a"]), ids["vol_a"])
    paths = {
        "personal": personal_feed_path(db, ids["vol_a"]),
        "association": association_feed_path(db, ids["assoc_a"]),
        "public": PUBLIC,
    }
    personal_page_token(db, ids["vol_a"])
    db.commit()
    return {"upcoming": upcoming.id, "past": past.id, "paths": paths}


def _area_input(area: PatrolArea, **changes) -> AreaInput:  # type: ignore[no-untyped-def]
    current = AreaInput(
        name=area.name,
        meeting_point=area.meeting_point,
        latitude=area.latitude,
        longitude=area.longitude,
        description=area.description,
        default_start=area.default_start,
        default_end=area.default_end,
        default_min_walkers=area.default_min_walkers,
        default_max_walkers=area.default_max_walkers,
        min_age=area.min_age,
        active=area.active,
    )
    return replace(current, **changes)


def _edit_area(db, world, **changes) -> None:  # type: ignore[no-untyped-def]
    clock.freeze(EDITED_AT)
    area = db.get(PatrolArea, world.ids["area_h"])
    update_area(db, area, data=_area_input(area, **changes), actor_id=world.ids["coord_h"])
    db.commit()


def test_a_new_meeting_point_reaches_every_feed_and_the_walkers(client, db, world, walks):
    before = {name: client.get(path) for name, path in walks["paths"].items()}
    sequence = db.get(Shift, walks["upcoming"]).sequence
    _edit_area(db, world, meeting_point="Stationen, södra entrén")
    assert db.get(Shift, walks["upcoming"]).sequence == sequence + 1
    assert db.get(Shift, walks["past"]).sequence == 0  # history is not rewritten
    for name, path in walks["paths"].items():
        etag = before[name].headers["ETag"]
        after = client.get(path, headers={"If-None-Match": etag})
        assert after.status_code == 200, name
        assert after.headers["ETag"] != etag, name
        assert after.last_modified > before[name].last_modified, name
        event = events_of(after.data)[uid(walks["upcoming"])]
        assert str(event["LOCATION"]) == "Stationen, södra entrén, Hässleholm", name
        assert event["SEQUENCE"] > events_of(before[name].data)[uid(walks["upcoming"])]["SEQUENCE"]
        assert event["LAST-MODIFIED"].dt >= EDITED_AT, name
    # The walker is told by SMS, with the new meeting point.
    (notice,) = db.exec(select(SmsMessage).where(SmsMessage.kind == "change")).all()
    assert notice.user_id == world.ids["vol_a"]
    assert "Samling: Stationen, södra entrén" in notice.body


def test_an_area_edit_that_moves_nothing_bumps_no_sequence_and_sends_nothing(db, world, walks):
    _edit_area(db, world, description="Ta med reflexväst.", default_min_walkers=4)
    assert db.get(Shift, walks["upcoming"]).sequence == 0
    assert db.exec(select(SmsMessage).where(SmsMessage.kind == "change")).all() == []


def test_a_new_leader_phone_moves_the_personal_feed(client, db, world, walks):
    path = walks["paths"]["personal"]
    before = client.get(path)
    clock.freeze(EDITED_AT)
    association = db.get(Association, world.ids["assoc_a"])
    data = AssociationInput(
        name=association.name,
        org_number=association.org_number,
        account_type=association.account_type,
        account_number=association.account_number,
        contact_name="Karin Lindqvist",
        contact_email=association.contact_email,
        contact_phone="0701234567",
    )
    update_profile(db, association, data, allow_self_signup=False, actor_id=world.ids["leader_a"])
    db.commit()
    after = client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert after.last_modified == EDITED_AT
    event = events_of(after.data)[uid(walks["upcoming"])]
    assert "Ledare: Karin Lindqvist, 070-123 45 67" in str(event["DESCRIPTION"])
    assert event["LAST-MODIFIED"].dt == EDITED_AT


def test_booking_and_unbooking_move_the_public_event(client, db, world):
    clock.freeze(NOW)
    ids = world.ids
    shift = make_shift(
        db,
        municipality_id=ids["hassleholm"],
        area_id=ids["area_h"],
        day=date(2026, 10, 10),
        start=time(20),
        end=time(0),
    )
    db.commit()
    key = uid(shift.id)

    def public() -> icalendar.Event:
        return events_of(client.get(PUBLIC).data)[key]

    def walk_ics() -> icalendar.Event:
        return events_of(client.get(f"/walks/{shift.id}.ics").data)[key]

    assert (str(public()["STATUS"]), public()["SEQUENCE"]) == ("TENTATIVE", 0)
    clock.freeze(NOW + timedelta(hours=1))
    booking = services_booking.book_shift(
        db, association_id=ids["assoc_a"], shift_id=shift.id, actor_id=ids["leader_a"]
    )
    db.commit()
    booked = public()["SEQUENCE"]
    assert (str(public()["STATUS"]), booked > 0) == ("CONFIRMED", True)
    assert walk_ics()["SEQUENCE"] == booked
    clock.freeze(NOW + timedelta(hours=2))
    services_booking.cancel_booking(
        db, booking_id=booking.id, actor_id=ids["leader_a"], as_coordinator=False
    )
    db.commit()
    event = public()
    assert (str(event["STATUS"]), event["SEQUENCE"] > booked) == ("TENTATIVE", True)
    assert event["LAST-MODIFIED"].dt >= NOW + timedelta(hours=2)
    assert walk_ics()["SEQUENCE"] == event["SEQUENCE"]
