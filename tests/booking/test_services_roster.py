"""Walking groups: every roster rule, answers, and the queries other areas use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring import events
from nattvandring.accounts.models import Role
from nattvandring.accounts.services import grant
from nattvandring.associations.models import Association
from nattvandring.audit.models import AuditEntry
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking import walker_queries
from nattvandring.booking.models import Assignment
from nattvandring.errors import RuleViolation
from tests.support.booking import FRIDAY_EVENING, NOW, volunteer
from tests.support.shifts import make_shift


@pytest.fixture
def booked(world, db):
    shift = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], max_walkers=3
    )
    booking = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    return shift, booking


def add(db, booking, user_id, **kw):
    return sr.add_to_roster(
        db, booking_id=booking.id, user_id=user_id, actor_id=kw.pop("actor_id", None),
        now=kw.pop("now", NOW), **kw,
    )  # fmt: skip


def code_of(call) -> str:
    with pytest.raises(RuleViolation) as excinfo:
        call()
    return excinfo.value.code


def test_add_emits_event_and_audits(world, db, booked, emitted):
    shift, booking = booked
    emitted.clear()
    assignment = add(db, booking, world.ids["vol_a"], actor_id=world.ids["leader_a"])
    assert assignment.status == "assigned" and assignment.booking_id == booking.id
    assert emitted == [
        events.AssignmentAdded(
            assignment_id=assignment.id,
            shift_id=shift.id,
            user_id=world.ids["vol_a"],
            association_id=world.ids["assoc_a"],
            actor_id=world.ids["leader_a"],
        )
    ]
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "roster.added")).one()


def test_not_twice(world, db, booked):
    _, booking = booked
    add(db, booking, world.ids["vol_a"])
    assert code_of(lambda: add(db, booking, world.ids["vol_a"])) == "already_on_shift"


def test_only_members_of_the_booking_association(world, db, booked):
    _, booking = booked
    assert code_of(lambda: add(db, booking, world.ids["vol_b"])) == "not_member"


def test_max_walkers(world, db, booked):
    _, booking = booked
    people = [volunteer(db, world.ids["assoc_a"], f"P{i}") for i in range(4)]
    for person in people[:3]:
        add(db, booking, person.id)
    assert code_of(lambda: add(db, booking, people[3].id)) == "roster_full"


def test_declined_walkers_free_their_place(world, db, booked):
    _, booking = booked
    people = [volunteer(db, world.ids["assoc_a"], f"P{i}") for i in range(4)]
    first = add(db, booking, people[0].id)
    for person in people[1:3]:
        add(db, booking, person.id)
    sr.decline_assignment(db, first, now=NOW)
    assert add(db, booking, people[3].id).status == "assigned"
    # The decliner cannot take the place back while the group is full.
    assert code_of(lambda: sr.confirm_assignment(db, first, now=NOW)) == "roster_full"


def test_minimum_age_by_birth_year(world, db, booked):
    _, booking = booked
    young = volunteer(db, world.ids["assoc_a"], "Ung", birth_year=2009)  # 17 during 2026
    just = volunteer(db, world.ids["assoc_a"], "Precis", birth_year=2008)  # 18 during 2026
    assert code_of(lambda: add(db, booking, young.id)) == "too_young"
    assert add(db, booking, just.id).status == "assigned"
    unknown = volunteer(db, world.ids["assoc_a"], "Okänd")
    unknown.birth_year = None
    db.flush()
    assert code_of(lambda: add(db, booking, unknown.id)) == "birth_year_missing"


def test_no_overlapping_walks_across_associations(world, db, booked):
    _, booking = booked
    # vol_a is also a member of assoc_b, which booked an overlapping shift in another area.
    grant(db, _user(db, world), Role.VOLUNTEER, association_id=world.ids["assoc_b"])
    from nattvandring.planning.models import PatrolArea

    other_area = PatrolArea(municipality_id=world.ids["hassleholm"], name="Väster")
    db.add(other_area)
    db.flush()
    overlapping = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=other_area.id,
        start=FRIDAY_EVENING + timedelta(hours=2),
    )
    later = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=other_area.id,
        start=FRIDAY_EVENING + timedelta(hours=4),
    )
    b2 = sb.book_shift(
        db, association_id=world.ids["assoc_b"], shift_id=overlapping.id, actor_id=None, now=NOW
    )
    b3 = sb.book_shift(
        db, association_id=world.ids["assoc_b"], shift_id=later.id, actor_id=None, now=NOW
    )
    add(db, booking, world.ids["vol_a"])
    assert code_of(lambda: add(db, b2, world.ids["vol_a"])) == "overlap"
    assert add(db, b3, world.ids["vol_a"]).status == "assigned"  # back to back is fine


def _user(db, world):
    from nattvandring.accounts.models import User

    return db.get(User, world.ids["vol_a"])


def test_not_after_start(world, db, booked):
    _, booking = booked
    assert (
        code_of(lambda: add(db, booking, world.ids["vol_a"], now=FRIDAY_EVENING)) == "shift_started"
    )


def test_self_signup_needs_association_permission(world, db, booked):
    _, booking = booked
    assert (
        code_of(lambda: add(db, booking, world.ids["vol_a"], self_signup=True))
        == "self_signup_closed"
    )
    db.get(Association, world.ids["assoc_a"]).allow_self_signup = True
    db.flush()
    assert add(db, booking, world.ids["vol_a"], self_signup=True).self_signed_up is True


def test_remove_emits_event_and_audits(world, db, booked, emitted):
    _, booking = booked
    assignment = add(db, booking, world.ids["vol_a"])
    assignment_id = assignment.id
    emitted.clear()
    sr.remove_from_roster(db, assignment_id=assignment_id, actor_id=world.ids["leader_a"], now=NOW)
    assert db.get(Assignment, assignment_id) is None
    assert [type(e) for e in emitted] == [events.AssignmentRemoved]
    assert (
        emitted[0].assignment_id == assignment_id and emitted[0].actor_id == world.ids["leader_a"]
    )
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "roster.removed")).one()


def test_remove_refused_after_start(world, db, booked):
    _, booking = booked
    assignment = add(db, booking, world.ids["vol_a"])
    assert (
        code_of(
            lambda: sr.remove_from_roster(
                db, assignment_id=assignment.id, actor_id=None, now=FRIDAY_EVENING
            )
        )
        == "shift_started"
    )


def test_confirm_and_decline_are_idempotent_and_emit_once(world, db, booked, emitted):
    _, booking = booked
    assignment = add(db, booking, world.ids["vol_a"])
    emitted.clear()
    sr.confirm_assignment(db, assignment, now=NOW)
    sr.confirm_assignment(db, assignment, now=NOW)
    assert assignment.status == "confirmed" and assignment.responded_at == NOW
    sr.decline_assignment(db, assignment, now=NOW)
    sr.decline_assignment(db, assignment, now=NOW)
    assert assignment.status == "declined"
    assert [type(e) for e in emitted] == [events.AssignmentConfirmed, events.AssignmentDeclined]
    assert emitted[1].association_id == world.ids["assoc_a"]


def test_declined_walker_can_be_added_again(world, db, booked):
    _, booking = booked
    assignment = add(db, booking, world.ids["vol_a"])
    sr.decline_assignment(db, assignment, now=NOW)
    again = add(db, booking, world.ids["vol_a"])
    assert again.id == assignment.id and again.status == "assigned"


def test_next_assignment_for_sms_replies(world, db, booked):
    shift, booking = booked
    later_shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        start=FRIDAY_EVENING + timedelta(days=7),
    )
    later = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=later_shift.id, actor_id=None, now=NOW
    )
    assert walker_queries.next_assignment(db, world.ids["vol_a"], NOW) is None
    second = add(db, later, world.ids["vol_a"])
    first = add(db, booking, world.ids["vol_a"])
    assert walker_queries.next_assignment(db, world.ids["vol_a"], NOW).id == first.id
    sr.decline_assignment(db, first, now=NOW)
    # A second "NEJ" must hit the same walk, not the next one.
    assert walker_queries.next_assignment(db, world.ids["vol_a"], NOW).id == first.id
    assert walker_queries.next_assignment(db, world.ids["vol_a"], FRIDAY_EVENING).id == second.id


def test_removing_a_member_drops_coming_walks(world, db, booked, emitted, frozen):
    from nattvandring.accounts.models import User
    from nattvandring.volunteers import services as members

    _, booking = booked
    assignment = add(db, booking, world.ids["vol_a"])
    assignment_id = assignment.id
    members.remove_member(
        db,
        db.get(User, world.ids["vol_a"]),
        association_id=world.ids["assoc_a"],
        municipality_id=world.ids["hassleholm"],
        actor_id=None,
    )
    assert db.get(Assignment, assignment_id) is None
    assert members.volunteer_membership(db, world.ids["assoc_a"], world.ids["vol_a"]) is None
