"""Shared shifts add up: the shift's maximum is shared by the groups booked on it, each group
is promised room for its minimum, and a group's status tells the truth."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from nattvandring.booking import capacity
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment, AssignmentStatus
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from tests import factories
from tests.support.booking import FRIDAY_EVENING, NOW, volunteer
from tests.support.shifts import make_shift

# --- pure rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [([], True), ([0], True), ([2], True), ([3], False), ([4], False), ([1, 0], False)],
)
def test_a_group_books_only_when_its_minimum_fits(app, groups, allowed):
    with app.test_request_context():
        if allowed:
            capacity.check_room_to_book(max_walkers=4, min_walkers=2, groups=groups)
        else:
            with pytest.raises(RuleViolation) as refused:
                capacity.check_room_to_book(max_walkers=4, min_walkers=2, groups=groups)
            assert refused.value.code == "no_room_for_group"


def test_room_counts_other_groups_at_least_at_their_minimum():
    assert capacity.room_for_group(max_walkers=4, min_walkers=2, own=0, others=[0]) == 2
    assert capacity.room_for_group(max_walkers=4, min_walkers=2, own=1, others=[3]) == 0
    assert capacity.room_for_group(max_walkers=None, min_walkers=2, own=9, others=[9]) is None


@pytest.mark.parametrize(
    ("confirmed", "waiting", "state", "missing"),
    [
        (1, 3, "below_minimum", 0),  # four on the list, one confirmed: not staffed
        (0, 0, "below_minimum", 2),
        (2, 0, "staffed", 0),
        (3, 1, "staffed", 0),  # the maximum is reached only with confirmed walkers
        (4, 0, "fully_staffed", 0),
    ],
)
def test_group_status(confirmed, waiting, state, missing):
    status = capacity.group_status(
        confirmed=confirmed, waiting=waiting, min_walkers=2, max_walkers=4
    )
    assert (status.state, status.missing) == (state, missing)


# --- through the services ---------------------------------------------------------------


@pytest.fixture
def shared(world, db):
    """Two associations per pass; a shift of at least 2 and at most 4 walkers."""
    db.get(Municipality, world.ids["hassleholm"]).max_associations_per_shift = 2
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        min_walkers=2,
        max_walkers=4,
    )
    people = {
        key: [volunteer(db, world.ids[key], f"{key} {n}").id for n in range(4)]
        for key in ("assoc_a", "assoc_b")
    }
    db.commit()
    return shift, people


def _book(db, world, shift, key):
    return sb.book_shift(
        db, association_id=world.ids[key], shift_id=shift.id, actor_id=None, now=NOW
    )


def _add(db, booking, user_id):
    return sr.add_to_roster(db, booking_id=booking.id, user_id=user_id, actor_id=None, now=NOW)


def test_a_full_shift_cannot_be_booked_by_a_second_association(world, db, shared):
    shift, people = shared
    a = _book(db, world, shift, "assoc_a")
    for uid in people["assoc_a"]:
        _add(db, a, uid)
    with pytest.raises(RuleViolation) as refused:
        _book(db, world, shift, "assoc_b")
    assert refused.value.code == "no_room_for_group"


def test_at_the_boundary_two_groups_share_the_shift(world, db, shared):
    shift, people = shared
    a = _book(db, world, shift, "assoc_a")
    _add(db, a, people["assoc_a"][0])
    # A has one walker but holds its minimum of two; two places are left: B may book.
    b = _book(db, world, shift, "assoc_b")
    _add(db, b, people["assoc_b"][0])
    _add(db, b, people["assoc_b"][1])
    with pytest.raises(RuleViolation) as refused:
        _add(db, b, people["assoc_b"][2])  # the last place is A's (its minimum)
    assert refused.value.code == "roster_full"
    _add(db, a, people["assoc_a"][1])
    with pytest.raises(RuleViolation) as refused:
        _add(db, a, people["assoc_a"][2])
    assert refused.value.code == "roster_full"
    walkers = db.exec(select(Assignment).where(Assignment.shift_id == shift.id)).all()
    assert len(walkers) == 4


def test_the_group_page_shows_the_room_left_and_the_refusal(client, world, db, shared, frozen):
    shift, people = shared
    a = _book(db, world, shift, "assoc_a")
    _add(db, a, people["assoc_a"][0])
    _add(db, a, people["assoc_a"][1])
    b = _book(db, world, shift, "assoc_b")
    _add(db, b, people["assoc_b"][0])
    _add(db, b, people["assoc_b"][1])
    db.commit()
    factories.login(client, world.emails["leader_b"])
    page = client.get(f"/booking/bookings/{b.id}/roster").get_data(as_text=True)
    assert "0 till i er grupp" in page
    assert "0 bekräftade, 2 väntar på svar; minst 2, högst 2" in page
    assert "Under minimum:" in page and "Gruppen är fullt bemannad" not in page
    refused = client.post(
        f"/booking/bookings/{b.id}/roster", data={"user_id": people["assoc_b"][2]}
    )
    assert refused.status_code == 422
    assert "Passet är fullt (högst 4 nattvandrare)." in refused.get_data(as_text=True)


def test_only_confirmed_walkers_staff_a_group(client, world, db, shared, frozen):
    shift, people = shared
    a = _book(db, world, shift, "assoc_a")
    rows = [_add(db, a, uid) for uid in people["assoc_a"]]
    rows[0].status = AssignmentStatus.CONFIRMED
    db.commit()
    factories.login(client, world.emails["leader_a"])
    page = client.get(f"/booking/bookings/{a.id}/roster").get_data(as_text=True)
    assert "Under minimum:" in page and "fullt bemannad" not in page
    ours = client.get(f"/booking/{world.ids['assoc_a']}/bookings").get_data(as_text=True)
    assert "Under minimum" in ours and "Fullt bemanna" not in ours
    for row in rows:
        row.status = AssignmentStatus.CONFIRMED
    db.commit()
    page = client.get(f"/booking/bookings/{a.id}/roster").get_data(as_text=True)
    assert "Gruppen är fullt bemannad." in page
    ours = client.get(f"/booking/{world.ids['assoc_a']}/bookings").get_data(as_text=True)
    assert "Fullt bemannad" in ours


def _calendar(client, world, key) -> str:
    factories.login(client, world.emails[f"leader_{key[-1]}"])
    html = client.get(f"/booking/{world.ids[key]}/calendar?month=2026-11").get_data(as_text=True)
    client.post("/logout")
    return html


def test_the_calendar_shows_our_group_as_its_page_does(client, world, db, shared, frozen):
    """Two walkers asked, none confirmed: the group is under its minimum in the calendar too,
    and each group's button counts its own walkers, not the whole shift's."""
    shift, people = shared
    a = _book(db, world, shift, "assoc_a")
    for uid in people["assoc_a"][:2]:
        _add(db, a, uid)
    b = _book(db, world, shift, "assoc_b")
    db.commit()
    for key in ("assoc_a", "assoc_b"):
        html = _calendar(client, world, key)
        assert "Bokat av er" in html and "Under minimum" in html
    assert "Gruppen (0)" in _calendar(client, world, "assoc_b")
    for row in db.exec(select(Assignment).where(Assignment.booking_id == a.id)):
        row.status = AssignmentStatus.CONFIRMED
    db.commit()
    html = _calendar(client, world, "assoc_a")
    assert "Under minimum" not in html and "Gruppen (2)" in html
    assert "Under minimum" in _calendar(client, world, "assoc_b")
    assert b.id is not None


def test_a_shift_without_room_for_a_group_offers_no_booking(client, world, db, shared, frozen):
    shift, people = shared
    a = _book(db, world, shift, "assoc_a")
    for uid in people["assoc_a"]:
        _add(db, a, uid)
    db.commit()
    html = _calendar(client, world, "assoc_b")
    assert "Bokat av" in html
    assert f"/shifts/{shift.id}/book" not in html
    factories.login(client, world.emails["leader_b"])
    home = client.get("/").get_data(as_text=True)
    assert f"/shifts/{shift.id}" not in home


def test_an_offer_from_the_reserve_list_holds_a_groups_room(world, db, shared):
    """B lets its place on a shared shift go; the reserve list's first association is offered
    it, and while the offer runs A's group cannot fill the room that group would need."""
    from nattvandring.booking import services_reserve as reserve

    shift, people = shared
    municipality = db.get(Municipality, world.ids["hassleholm"])
    third = factories.association(db, municipality, "Tredje föreningen")
    a = _book(db, world, shift, "assoc_a")
    b = _book(db, world, shift, "assoc_b")
    for uid in people["assoc_a"][:2]:
        _add(db, a, uid)
    reserve.join_reserve(db, association_id=third.id, shift_id=shift.id, actor_id=None, now=NOW)
    sb.cancel_booking(db, booking_id=b.id, actor_id=None, as_coordinator=False, now=NOW)
    assert [o.association_id for o in reserve.open_offers(db, shift.id)] == [third.id]
    with pytest.raises(RuleViolation) as refused:
        _add(db, a, people["assoc_a"][2])
    assert refused.value.code == "roster_full"
    booked = sb.book_shift(db, association_id=third.id, shift_id=shift.id, actor_id=None, now=NOW)
    assert booked.status == "active"


# --- random histories -------------------------------------------------------------------

_starts = itertools.count()

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["book", "add", "decline", "remove", "cancel"]),
        st.integers(min_value=0, max_value=2),  # association
        st.integers(min_value=0, max_value=5),  # volunteer of it
    ),
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=ACTIONS, limits=st.sampled_from([(2, 4), (2, 5), (3, 6), (1, 2)]))
def test_random_histories_never_overbook_a_shared_shift(world, db, history, limits):
    min_walkers, max_walkers = limits
    municipality = db.get(Municipality, world.ids["hassleholm"])
    municipality.max_associations_per_shift = 3
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        start=FRIDAY_EVENING + timedelta(days=7 * next(_starts)),
        min_walkers=min_walkers,
        max_walkers=max_walkers,
    )
    associations = []
    for n in range(3):
        association = factories.association(db, municipality, f"F{shift.id}-{n}")
        people = [volunteer(db, association.id, f"V{shift.id}-{n}-{v}").id for v in range(6)]
        associations.append((association.id, people))
    bookings: dict[int, int] = {}
    for action, which, person in history:
        aid, people = associations[which]
        try:
            if action == "book":
                bookings[which] = sb.book_shift(
                    db, association_id=aid, shift_id=shift.id, actor_id=None, now=NOW
                ).id
            elif action == "add" and which in bookings:
                _add(db, type("B", (), {"id": bookings[which]}), people[person])
            elif action in ("decline", "remove") and which in bookings:
                row = db.exec(
                    select(Assignment).where(
                        Assignment.booking_id == bookings[which],
                        Assignment.user_id == people[person],
                    )
                ).first()
                if row is not None and action == "decline":
                    row.status = AssignmentStatus.DECLINED
                    db.add(row)
                    db.flush()
                elif row is not None:
                    sr.remove_from_roster(db, assignment_id=row.id, actor_id=None, now=NOW)
            elif action == "cancel" and which in bookings:
                sb.cancel_booking(
                    db,
                    booking_id=bookings.pop(which),
                    actor_id=None,
                    as_coordinator=True,
                    reason="test",
                    now=NOW,
                )
        except RuleViolation:
            pass
        groups = list(sb.walkers_by_booking(db, shift.id).values())
        assert sum(groups) <= max_walkers
        # Every booked group can still reach its minimum.
        assert sum(capacity.held(w, min_walkers) for w in groups) <= max_walkers
    db.rollback()
