"""Editing and cancelling one shift: SEQUENCE, events, bookings, rules."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlmodel import select

from nattvandring import events
from nattvandring.audit.models import AuditEntry
from nattvandring.booking.models import Booking
from nattvandring.clock import to_local
from nattvandring.errors import RuleViolation
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.planning.services_shifts import (
    cancel_shift,
    edit_shift,
    shift_input_from,
)
from tests.planning.conftest import NOW
from tests.support.shifts import book, make_shift


@pytest.fixture
def shift(app, world, db, frozen):  # type: ignore[no-untyped-def]
    row = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 9, 11),
    )
    db.commit()
    return row


def test_time_change_bumps_sequence_and_emits(world, db, shift, recorded):
    data = shift_input_from(shift)
    data.start_time, data.end_time = time(20), time(0)
    assert edit_shift(db, shift, data=data, actor_id=world.ids["coord_h"]) == (True, False)
    db.commit()
    stored = db.get(Shift, shift.id)
    assert to_local(stored.start_at).strftime("%Y-%m-%d %H:%M") == "2026-09-11 20:00"
    assert to_local(stored.end_at).strftime("%Y-%m-%d %H:%M") == "2026-09-12 00:00"
    assert stored.sequence == 1 and stored.updated_at == NOW
    assert recorded == [events.ShiftChanged(shift.id, time_changed=True, place_changed=False)]
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "shift.edited")).one()
    assert "2026-09-11 20:00" in entry.details


def test_area_change_is_a_place_change(world, db, shift, recorded):
    other = PatrolArea(municipality_id=world.ids["hassleholm"], name="Ljungdala")
    db.add(other)
    db.flush()
    data = shift_input_from(shift)
    data.area_id = other.id
    assert edit_shift(db, shift, data=data, actor_id=None) == (False, True)
    assert db.get(Shift, shift.id).area_id == other.id and shift.sequence == 1
    assert recorded == [events.ShiftChanged(shift.id, time_changed=False, place_changed=True)]


def test_limits_and_notes_do_not_bump_or_emit(world, db, shift, recorded):
    data = shift_input_from(shift)
    data.min_walkers, data.max_walkers, data.min_age, data.notes = 2, 4, 20, "Ta med ficklampa"
    assert edit_shift(db, shift, data=data, actor_id=None) == (False, False)
    db.commit()
    stored = db.get(Shift, shift.id)
    assert (stored.min_walkers, stored.max_walkers, stored.min_age) == (2, 4, 20)
    assert stored.notes == "Ta med ficklampa" and stored.sequence == 0
    assert recorded == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"start_time": time(21), "end_time": time(21)}, "same_times"),
        ({"min_walkers": 4, "max_walkers": 3}, "max_below_min"),
        ({"min_age": 15}, "min_age_range"),
        ({"day": date(1, 1, 1)}, "date_out_of_window"),  # year 1 used to be accepted
        ({"day": date(9999, 12, 31)}, "date_out_of_window"),
        ({"day": date(2101, 1, 1)}, "date_out_of_window"),
    ],
)
def test_edit_rules(world, db, shift, changes, code):
    data = shift_input_from(shift)
    for key, value in changes.items():
        setattr(data, key, value)
    with pytest.raises(RuleViolation) as caught:
        edit_shift(db, shift, data=data, actor_id=None)
    assert caught.value.code == code


def test_area_of_other_municipality_is_refused(world, db, shift):
    data = shift_input_from(shift)
    data.area_id = world.ids["area_b"]
    with pytest.raises(RuleViolation) as caught:
        edit_shift(db, shift, data=data, actor_id=None)
    assert caught.value.code == "unknown_area"


def test_max_below_current_walkers_is_refused(world, db, shift):
    book(db, shift, world.ids["assoc_a"], walkers=[world.ids["vol_a"], world.ids["vol_a2"]])
    data = shift_input_from(shift)
    data.min_walkers, data.max_walkers = 1, 1
    with pytest.raises(RuleViolation) as caught:
        edit_shift(db, shift, data=data, actor_id=None)
    assert caught.value.code == "max_below_walkers"


def test_cancel_needs_reason(world, db, shift):
    with pytest.raises(RuleViolation) as caught:
        cancel_shift(db, shift, reason="  ", actor_id=None)
    assert caught.value.code == "reason_required"
    assert db.get(Shift, shift.id).status == "planned"


def test_cancel_marks_shift_and_bookings_and_emits_only_shift_cancelled(world, db, shift, recorded):
    booking = book(db, shift, world.ids["assoc_a"])
    db.commit()
    assert cancel_shift(db, shift, reason="Ishalka", actor_id=world.ids["coord_h"]) == 1
    db.commit()
    stored = db.get(Shift, shift.id)
    assert (stored.status, stored.cancel_reason, stored.cancelled_at) == (
        "cancelled",
        "Ishalka",
        NOW,
    )
    assert stored.sequence == 1 and stored.updated_at == NOW
    cancelled = db.get(Booking, booking.id)
    assert (cancelled.status, cancelled.active_key, cancelled.cancel_reason) == (
        "cancelled",
        None,
        "Ishalka",
    )
    assert cancelled.cancelled_at == NOW and cancelled.cancelled_by_id == world.ids["coord_h"]
    assert recorded == [events.ShiftCancelled(shift.id, "Ishalka", actor_id=world.ids["coord_h"])]
    with pytest.raises(RuleViolation) as caught:
        cancel_shift(db, stored, reason="igen", actor_id=None)
    assert caught.value.code == "already_cancelled"
    data = shift_input_from(stored)
    with pytest.raises(RuleViolation) as caught:
        edit_shift(db, stored, data=data, actor_id=None)
    assert caught.value.code == "shift_cancelled"
