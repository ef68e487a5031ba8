"""An open offer from the reserve list holds a group's room on a shared shift, and every page
that shows a group's maximum or a shift's room counts it the same way: the group page, the
calendar, "Våra pass" and the leader's home. An offer whose window has ended holds nothing,
even before the sweep has passed it on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.associations.models import Association
from nattvandring.booking import queries
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_reserve as reserve
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment, AssignmentStatus, ReserveStatus
from nattvandring.municipalities.models import Municipality
from tests import factories
from tests.support.booking import NOW, volunteer
from tests.support.shifts import make_shift

MONTH = (NOW - timedelta(days=1), NOW + timedelta(days=28))


@pytest.fixture
def offered(world, db, frozen):
    """Two associations per pass, a shift of 2 to 4 walkers. A's group has two confirmed
    walkers; B cancels and the reserve list's first association (C) is offered B's place for
    24 hours. D is another association of the municipality, on no list."""
    municipality = db.get(Municipality, world.ids["hassleholm"])
    municipality.max_associations_per_shift = 2
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        min_walkers=2,
        max_walkers=4,
    )
    people = [volunteer(db, world.ids["assoc_a"], f"A {n}").id for n in range(3)]
    third = factories.association(db, municipality, "Tredje föreningen")
    fourth = factories.association(db, municipality, "Fjärde föreningen")
    a = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    for uid in people[:2]:
        sr.add_to_roster(db, booking_id=a.id, user_id=uid, actor_id=None, now=NOW)
    for row in db.exec(select(Assignment).where(Assignment.booking_id == a.id)):
        row.status = AssignmentStatus.CONFIRMED
        db.add(row)
    b = sb.book_shift(
        db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
    )
    reserve.join_reserve(db, association_id=third.id, shift_id=shift.id, actor_id=None, now=NOW)
    sb.cancel_booking(db, booking_id=b.id, actor_id=None, as_coordinator=False, now=NOW)
    (entry,) = reserve.open_offers(db, shift.id)
    assert entry.association_id == third.id and entry.status == ReserveStatus.OFFERED
    assert entry.offer_expires_at == NOW + timedelta(hours=24)
    db.commit()
    return shift, a, people, third, fourth, entry


def _row(db, association_id, shift) -> queries.ShiftRow:
    association = db.get(Association, association_id)
    rows = queries.calendar_rows(
        db, association=association, start=MONTH[0], end=MONTH[1], max_associations=2
    )
    return next(r for r in rows if r.shift.id == shift.id)


def _ours(db, world, shift) -> queries.OurBooking:
    rows = queries.association_bookings(db, world.ids["assoc_a"], start=MONTH[0], end=MONTH[1])
    return next(r for r in rows if r.shift.id == shift.id)


def _next_walk(html: str, world) -> str:
    """The leader home's "Nästa pass" section of association A."""
    start = html.index(f'id="lead-{world.ids["assoc_a"]}-next"')
    return html[start : html.index("</section>", start)]


def test_during_an_offer_every_page_gives_the_group_the_same_maximum(client, world, db, offered):
    """A's group holds 2 of 4 places and C's offer the other 2: A's group is full at 2, on
    its page, in the calendar, in "Våra pass" and on the home page alike."""
    shift, a, _people, third, fourth, _entry = offered
    assert sr.places_taken_for(db, shift, a.id, now=NOW) == 4
    row, ours = _row(db, world.ids["assoc_a"], shift), _ours(db, world, shift)
    for status in (row.status, ours.status):
        assert (status.max_walkers, status.state) == (2, "fully_staffed")
    factories.login(client, world.emails["leader_a"])
    page = client.get(f"/booking/bookings/{a.id}/roster").get_data(as_text=True)
    assert "2 bekräftade, 0 väntar på svar; minst 2, högst 2" in page
    assert "Gruppen är fullt bemannad." in page and "0 till i er grupp" in page
    listed = client.get(f"/booking/{world.ids['assoc_a']}/bookings").get_data(as_text=True)
    assert "Fullt bemannad" in listed and "Bemannad<" not in listed
    home = _next_walk(client.get("/").get_data(as_text=True), world)
    assert "Fullt bemannad" in home
    # Nobody else's group fits beside A's and the offered one; the offered association's own
    # offer is the room it would book, so the shift still has room for its group.
    assert not _row(db, fourth.id, shift).room_for_a_group
    assert not sb.room_for_another_group(db, shift, now=NOW)
    offered_row = _row(db, third.id, shift)
    assert offered_row.reserve_status == ReserveStatus.OFFERED and offered_row.room_for_a_group
    assert sb.room_for_another_group(db, shift, now=NOW, besides_association=third.id)


def test_the_offered_association_sees_room_to_book(client, world, db, offered):
    shift, _a, _people, third, _fourth, _entry = offered
    leader = factories.user(db, "Ledare C", email="ledare.c@example.org")
    grant(db, leader, Role.LEADER, association_id=third.id)
    db.commit()
    factories.login(client, "ledare.c@example.org")
    page = client.get(f"/booking/{third.id}/shifts/{shift.id}").get_data(as_text=True)
    assert f"/shifts/{shift.id}/book" in page


def test_an_expired_offer_the_sweep_has_not_passed_on_holds_nothing(client, world, db, offered):
    shift, a, people, third, fourth, entry = offered
    later = NOW + timedelta(hours=25)
    clock.freeze(later)
    assert entry.status == ReserveStatus.OFFERED  # the sweep has not run
    assert sb.offered_groups(db, shift.id, now=later) == 0
    assert sr.places_taken_for(db, shift, a.id, now=later) == 2
    for status in (_row(db, world.ids["assoc_a"], shift).status, _ours(db, world, shift).status):
        assert (status.max_walkers, status.state) == (4, "staffed")
    assert _row(db, fourth.id, shift).room_for_a_group
    # Still nobody else may book until the sweep passes it on (``check_offer_allows``).
    assert _row(db, fourth.id, shift).offered_to_other
    factories.login(client, world.emails["leader_a"])
    page = client.get(f"/booking/bookings/{a.id}/roster").get_data(as_text=True)
    assert "minst 2, högst 4" in page and "2 till i er grupp" in page
    listed = client.get(f"/booking/{world.ids['assoc_a']}/bookings").get_data(as_text=True)
    assert "Bemannad<" in listed and "Fullt bemannad" not in listed
    db.rollback()  # a fresh snapshot after the requests' writes (SQLite)
    added = sr.add_to_roster(db, booking_id=a.id, user_id=people[2], actor_id=None, now=later)
    assert added.status == AssignmentStatus.ASSIGNED
