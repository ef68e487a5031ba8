"""The booking service: every rule, configured per municipality, and what it stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from nattvandring import events
from nattvandring.associations.models import Association
from nattvandring.audit.models import AuditEntry
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_reserve as sr_
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import Assignment, Booking, ReserveEntry
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import Shift
from tests.support.booking import FRIDAY_EVENING, NOW
from tests.support.shifts import make_shift


@pytest.fixture
def shift(world, db):  # type: ignore[no-untyped-def]
    row = make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"])
    db.commit()
    return row


def book(db, world, shift, key="assoc_a", **kw):  # type: ignore[no-untyped-def]
    return sb.book_shift(
        db, association_id=world.ids[key], shift_id=shift.id, actor_id=world.ids["leader_a"],
        now=kw.pop("now", NOW), **kw,
    )  # fmt: skip


def codes(excinfo) -> str:  # type: ignore[no-untyped-def]
    return excinfo.value.code


def test_booking_marks_shift_booked_bumps_updated_at_not_sequence(world, db, shift, emitted):
    before = shift.sequence
    booking = book(db, world, shift)
    db.commit()
    stored = db.get(Shift, shift.id)
    assert stored.status == "booked"
    assert stored.updated_at == NOW
    assert stored.sequence == before
    assert booking.status == "active" and booking.booked_by_id == world.ids["leader_a"]
    assert emitted == [
        events.BookingCreated(
            booking_id=booking.id,
            shift_id=shift.id,
            association_id=world.ids["assoc_a"],
            actor_id=world.ids["leader_a"],
        )
    ]
    audit = db.exec(select(AuditEntry).where(AuditEntry.action == "booking.created")).one()
    assert audit.object_id == booking.id and audit.association_id == world.ids["assoc_a"]


def test_one_association_per_shift_by_default(world, db, shift, ctx):
    book(db, world, shift)
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, shift, "assoc_b")
    assert codes(excinfo) == "shift_taken"
    assert "redan bokat" in str(excinfo.value)


def test_same_association_cannot_book_twice(world, db, shift):
    book(db, world, shift)
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, shift)
    assert codes(excinfo) == "already_booked"


def test_municipality_may_allow_two_associations(world, db, shift):
    db.get(Municipality, world.ids["hassleholm"]).max_associations_per_shift = 2
    db.flush()
    book(db, world, shift)
    book(db, world, shift, "assoc_b")
    active = db.exec(select(Booking).where(Booking.shift_id == shift.id)).all()
    assert len(active) == 2


def test_not_after_start(world, db, shift):
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, shift, now=FRIDAY_EVENING)
    assert codes(excinfo) == "shift_started"


def test_pending_association_cannot_book(world, db, shift):
    db.get(Association, world.ids["assoc_a"]).status = "pending"
    db.flush()
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, shift)
    assert codes(excinfo) == "association_not_approved"


def test_cancelled_shift_cannot_be_booked(world, db, shift):
    db.get(Shift, shift.id).status = "cancelled"
    db.flush()
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, shift)
    assert codes(excinfo) == "shift_cancelled"


def test_other_municipality_refused(world, db, shift):
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, shift, "assoc_c")
    assert codes(excinfo) == "wrong_municipality"


def test_monthly_cap_counts_local_calendar_month(world, db):
    db.get(Municipality, world.ids["hassleholm"]).monthly_booking_cap = 1
    h, area = world.ids["hassleholm"], world.ids["area_h"]
    november = make_shift(db, municipality_id=h, area_id=area)
    also_november = make_shift(
        db, municipality_id=h, area_id=area, start=FRIDAY_EVENING + timedelta(days=1)
    )
    # 23:30 UTC on 30 November is 00:30 on 1 December in Stockholm: December's quota.
    december = make_shift(
        db, municipality_id=h, area_id=area, start=datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    )
    book(db, world, november)
    with pytest.raises(RuleViolation) as excinfo:
        book(db, world, also_november)
    assert codes(excinfo) == "monthly_cap"
    assert book(db, world, december).status == "active"


def test_cancelled_bookings_do_not_count_against_the_cap(world, db):
    db.get(Municipality, world.ids["hassleholm"]).monthly_booking_cap = 1
    h, area = world.ids["hassleholm"], world.ids["area_h"]
    first = make_shift(db, municipality_id=h, area_id=area)
    second = make_shift(
        db, municipality_id=h, area_id=area, start=FRIDAY_EVENING + timedelta(days=1)
    )
    booking = book(db, world, first)
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW)
    assert book(db, world, second).status == "active"


def test_leader_cancels_before_deadline(world, db, shift, emitted):
    booking = book(db, world, shift)
    walker = sr.add_to_roster(
        db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW
    )
    walker_id = walker.id
    emitted.clear()
    sb.cancel_booking(
        db,
        booking_id=booking.id,
        actor_id=world.ids["leader_a"],
        as_coordinator=False,
        reason="Sjukdom",
        now=NOW,
    )
    db.commit()
    stored = db.get(Booking, booking.id)
    assert stored.status == "cancelled" and stored.active_key is None
    assert stored.cancel_reason == "Sjukdom" and stored.cancelled_by_id == world.ids["leader_a"]
    assert db.get(Shift, shift.id).status == "planned"
    assert db.get(Assignment, walker_id) is None
    assert [type(e) for e in emitted] == [events.BookingCancelled]
    assert emitted[0].reason == "Sjukdom"
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "booking.cancelled")).one()
    # The shift can be booked again.
    assert book(db, world, shift, "assoc_b").status == "active"


def test_leader_deadline_default_72_hours(world, db, shift):
    booking = book(db, world, shift)
    at_deadline = FRIDAY_EVENING - timedelta(hours=72)
    sb.cancel_booking(
        db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=at_deadline
    )
    again = book(db, world, shift, "assoc_b", now=at_deadline)
    with pytest.raises(RuleViolation) as excinfo:
        sb.cancel_booking(
            db,
            booking_id=again.id,
            actor_id=None,
            as_coordinator=False,
            now=at_deadline + timedelta(seconds=1),
        )
    assert codes(excinfo) == "cancel_deadline_passed"


def test_deadline_is_configured_per_municipality(world, db, shift):
    db.get(Municipality, world.ids["hassleholm"]).cancel_deadline_hours = 24
    booking = book(db, world, shift)
    sb.cancel_booking(
        db,
        booking_id=booking.id,
        actor_id=None,
        as_coordinator=False,
        now=FRIDAY_EVENING - timedelta(hours=30),
    )
    assert db.get(Booking, booking.id).status == "cancelled"


def test_after_deadline_only_coordinator_with_reason(world, db, shift):
    booking = book(db, world, shift)
    late = FRIDAY_EVENING - timedelta(hours=2)
    with pytest.raises(RuleViolation) as excinfo:
        sb.cancel_booking(
            db,
            booking_id=booking.id,
            actor_id=world.ids["coord_h"],
            as_coordinator=True,
            reason="  ",
            now=late,
        )
    assert codes(excinfo) == "reason_required"
    sb.cancel_booking(
        db,
        booking_id=booking.id,
        actor_id=world.ids["coord_h"],
        as_coordinator=True,
        reason="Föreningen kan inte",
        now=late,
    )
    stored = db.get(Booking, booking.id)
    assert stored.cancel_reason == "Föreningen kan inte"
    audit = db.exec(
        select(AuditEntry).where(AuditEntry.action == "booking.cancelled_by_coordinator")
    ).one()
    assert "Föreningen kan inte" in audit.details and audit.actor_user_id == world.ids["coord_h"]


def test_cancelling_twice_is_refused(world, db, shift):
    booking = book(db, world, shift)
    sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW)
    with pytest.raises(RuleViolation) as excinfo:
        sb.cancel_booking(db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW)
    assert codes(excinfo) == "booking_not_active"


# --- reserve list ---------------------------------------------------------------------


def test_reserve_list_offer_on_cancellation(world, db, shift, emitted):
    booking = book(db, world, shift)
    third = Association(
        **{
            **db.get(Association, world.ids["assoc_b"]).model_dump(exclude={"id"}),
            "org_number": "802400-9999",
            "name": "Tredje",
        }
    )
    db.add(third)
    db.flush()
    first = sr_.join_reserve(
        db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
    )
    second = sr_.join_reserve(
        db,
        association_id=third.id,
        shift_id=shift.id,
        actor_id=None,
        now=NOW + timedelta(minutes=1),
    )
    assert first.status == second.status == "waiting"
    emitted.clear()
    sb.cancel_booking(
        db, booking_id=booking.id, actor_id=None, as_coordinator=False, now=NOW + timedelta(hours=1)
    )
    assert db.get(ReserveEntry, first.id).status == "offered"
    assert db.get(ReserveEntry, first.id).offered_at == NOW + timedelta(hours=1)
    assert db.get(ReserveEntry, second.id).status == "waiting"
    assert emitted[-1] == events.ReserveOffered(
        reserve_entry_id=first.id, shift_id=shift.id, association_id=world.ids["assoc_b"]
    )
    # The offered association books normally; its entry is then accepted.
    book(db, world, shift, "assoc_b", now=NOW + timedelta(hours=2))
    assert db.get(ReserveEntry, first.id).status == "accepted"


def test_reserve_needs_a_booked_shift_and_no_own_booking(world, db, shift):
    with pytest.raises(RuleViolation) as excinfo:
        sr_.join_reserve(
            db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
        )
    assert codes(excinfo) == "shift_open"
    book(db, world, shift)
    with pytest.raises(RuleViolation) as excinfo:
        sr_.join_reserve(
            db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
        )
    assert codes(excinfo) == "already_booked"
    sr_.join_reserve(
        db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
    )
    with pytest.raises(RuleViolation) as excinfo:
        sr_.join_reserve(
            db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
        )
    assert codes(excinfo) == "already_reserve"


def test_reserve_list_can_be_switched_off(world, db, shift):
    db.get(Municipality, world.ids["hassleholm"]).allow_reserve_list = False
    book(db, world, shift)
    with pytest.raises(RuleViolation) as excinfo:
        sr_.join_reserve(
            db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
        )
    assert codes(excinfo) == "reserve_disabled"


def test_withdraw_and_rejoin_goes_to_the_back(world, db, shift):
    book(db, world, shift)
    entry = sr_.join_reserve(
        db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None, now=NOW
    )
    sr_.withdraw_reserve(db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None)
    assert db.get(ReserveEntry, entry.id).status == "withdrawn"
    with pytest.raises(RuleViolation) as excinfo:
        sr_.withdraw_reserve(
            db, association_id=world.ids["assoc_b"], shift_id=shift.id, actor_id=None
        )
    assert codes(excinfo) == "not_on_reserve"
    again = sr_.join_reserve(
        db,
        association_id=world.ids["assoc_b"],
        shift_id=shift.id,
        actor_id=None,
        now=NOW + timedelta(hours=1),
    )
    assert (
        again.id == entry.id
        and again.status == "waiting"
        and again.created_at == NOW + timedelta(hours=1)
    )


def test_month_bounds_are_local_midnight():
    start, end = sb.month_bounds(datetime(2026, 3, 15, tzinfo=UTC))
    assert start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)  # summer time from 29 March
