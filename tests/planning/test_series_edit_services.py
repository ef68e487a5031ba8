"""Series edit/cancel: preview, the confirmation gate, only future shifts."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlmodel import select

from nattvandring import events
from nattvandring.audit.models import AuditEntry
from nattvandring.booking.models import Booking
from nattvandring.clock import to_local
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import Shift, ShiftSeries
from nattvandring.planning.services_series import SeriesInput, create_series
from nattvandring.planning.services_series_edit import (
    apply_cancel,
    apply_time_change,
    preview_cancel,
    preview_time_change,
)


@pytest.fixture
def season(app, world, db, frozen):
    """Fri+Sat 21-01 from 21 Aug to 12 Sep 2026 (now is 1 Sep): 4 past, 4 future shifts."""
    result = create_series(
        db,
        municipality=db.get(Municipality, world.ids["hassleholm"]),
        data=SeriesInput(
            area_ids=[world.ids["area_h"]],
            weekdays=[4, 5],
            start_date=date(2026, 8, 21),
            end_date=date(2026, 9, 12),
            start_time=time(21),
            end_time=time(1),
        ),
        actor_id=None,
    )
    shifts = sorted(result.created, key=lambda s: s.start_at)
    # Book one past and one future shift.
    for shift in (shifts[0], shifts[5]):
        db.add(Booking(shift_id=shift.id, association_id=world.ids["assoc_a"]))
    db.commit()
    return result.series, shifts


def _times(db) -> list[str]:
    return [
        to_local(s.start_at).strftime("%m-%d %H:%M")
        for s in db.exec(select(Shift).order_by(Shift.start_at))
    ]


def test_preview_lists_future_shifts_and_counts_booked(db, season):
    series, shifts = season
    preview = preview_time_change(db, series, start_time=time(20), end_time=time(0))
    assert [item.shift.id for item in preview.affected] == [s.id for s in shifts[4:]]
    assert [item.booked for item in preview.affected] == [False, True, False, False]
    assert preview.booked_count == 1 and preview.needs_confirmation
    assert to_local(preview.affected[0].new_start).strftime("%m-%d %H:%M") == "09-04 20:00"


def test_without_confirmation_nothing_changes(db, season, recorded):
    series, _shifts = season
    before = _times(db)
    with pytest.raises(RuleViolation) as caught:
        apply_time_change(
            db, series, start_time=time(20), end_time=time(0), confirmed=False, actor_id=None
        )
    assert caught.value.code == "confirmation_required"
    db.rollback()
    assert _times(db) == before
    assert db.get(ShiftSeries, series.id).start_time == time(21)
    assert {s.sequence for s in db.exec(select(Shift))} == {0}
    assert recorded == []


def test_confirmed_time_change_moves_only_future_shifts(db, season, recorded, world):
    series, shifts = season
    preview = apply_time_change(
        db,
        series,
        start_time=time(20),
        end_time=time(0),
        confirmed=True,
        actor_id=world.ids["coord_h"],
    )
    db.commit()
    assert _times(db) == [
        "08-21 21:00",
        "08-22 21:00",
        "08-28 21:00",
        "08-29 21:00",
        "09-04 20:00",
        "09-05 20:00",
        "09-11 20:00",
        "09-12 20:00",
    ]
    assert db.get(ShiftSeries, series.id).start_time == time(20)
    assert [db.get(Shift, s.id).sequence for s in shifts] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert [e.shift_id for e in recorded] == [s.id for s in shifts[4:]]
    assert all(e.time_changed and not e.place_changed for e in recorded)
    assert preview.booked_count == 1
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "series.edited")).one()
    assert "varav bokade 1" in entry.details


def test_no_confirmation_needed_when_nothing_booked(db, world, season):
    series, shifts = season
    booking = db.exec(select(Booking).where(Booking.shift_id == shifts[5].id)).one()
    booking.status, booking.active_key = "cancelled", None
    db.commit()
    apply_time_change(
        db, series, start_time=time(22), end_time=time(2), confirmed=False, actor_id=None
    )
    db.commit()
    assert to_local(db.get(Shift, shifts[4].id).start_at).strftime("%H:%M") == "22:00"


def test_cancel_series_gate_and_effect(db, season, recorded, world):
    series, shifts = season
    assert len(preview_cancel(db, series).affected) == 4
    with pytest.raises(RuleViolation) as caught:
        apply_cancel(db, series, reason="Budget", confirmed=False, actor_id=None)
    assert caught.value.code == "confirmation_required"
    db.rollback()
    assert {s.status for s in db.exec(select(Shift))} == {"planned"}
    with pytest.raises(RuleViolation) as caught:
        apply_cancel(db, series, reason="", confirmed=True, actor_id=None)
    assert caught.value.code == "reason_required"
    db.rollback()

    apply_cancel(db, series, reason="Budget", confirmed=True, actor_id=world.ids["coord_h"])
    db.commit()
    statuses = [db.get(Shift, s.id).status for s in shifts]
    assert statuses == ["planned"] * 4 + ["cancelled"] * 4
    past_booking = db.exec(select(Booking).where(Booking.shift_id == shifts[0].id)).one()
    future_booking = db.exec(select(Booking).where(Booking.shift_id == shifts[5].id)).one()
    assert past_booking.status == "active"
    assert (future_booking.status, future_booking.active_key) == ("cancelled", None)
    assert [type(e) for e in recorded] == [events.ShiftCancelled] * 4
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "series.cancelled")).one()
    with pytest.raises(RuleViolation) as caught:
        apply_cancel(db, series, reason="Igen", confirmed=True, actor_id=None)
    assert caught.value.code == "nothing_to_change"
