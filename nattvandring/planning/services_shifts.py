"""Editing and cancelling one patrol night. Flush only; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, select

from .. import dates, events
from ..audit.services import record
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..booking.rules import check_coordinator_cancel
from ..clock import to_local
from ..errors import RuleViolation
from ..i18n import _l
from .models import PatrolArea, Shift, ShiftStatus
from .schedule import walk_instants
from .services_common import cancel_shift_row, touch
from .validation import check_distinct_times, check_walker_limits


@dataclass
class ShiftInput:
    day: date  # the local evening the walk starts
    start_time: time
    end_time: time
    area_id: int
    min_walkers: int
    max_walkers: int | None
    min_age: int
    notes: str = ""


def local_instants(day: date, start_time: time, end_time: time) -> tuple[datetime, datetime]:
    """``schedule.walk_instants`` for a typed walk: the day in the window, two distinct times."""
    dates.check_day(day, field="day")
    check_distinct_times(start_time, end_time)
    return walk_instants(day, start_time, end_time)


def current_walkers(session: Session, shift_id: int) -> int:
    count = session.exec(
        select(func.count(Assignment.id))
        .join(Booking, Booking.id == Assignment.booking_id)
        .where(
            Assignment.shift_id == shift_id,
            Assignment.status != AssignmentStatus.DECLINED,
            Booking.status == BookingStatus.ACTIVE,
        )
    ).one()
    return int(count or 0)


def shift_input_from(shift: Shift) -> ShiftInput:
    start = to_local(shift.start_at)
    return ShiftInput(
        day=start.date(),
        start_time=start.time().replace(tzinfo=None),
        end_time=to_local(shift.end_at).time().replace(tzinfo=None),
        area_id=shift.area_id,
        min_walkers=shift.min_walkers,
        max_walkers=shift.max_walkers,
        min_age=shift.min_age,
        notes=shift.notes,
    )


def edit_shift(
    session: Session, shift: Shift, *, data: ShiftInput, actor_id: int | None
) -> tuple[bool, bool]:
    """Apply the edit; returns (time_changed, place_changed). Emits ShiftChanged if either."""
    if shift.status == ShiftStatus.CANCELLED:
        raise RuleViolation("shift_cancelled", _l("Passet är inställt och kan inte ändras."))
    check_walker_limits(
        min_walkers=data.min_walkers, max_walkers=data.max_walkers, min_age=data.min_age
    )
    start, end = local_instants(data.day, data.start_time, data.end_time)
    area = session.get(PatrolArea, data.area_id)
    if area is None or area.municipality_id != shift.municipality_id:
        raise RuleViolation("unknown_area", _l("Välj ett av kommunens områden."), field="area_id")
    if area.id != shift.area_id and not area.active:
        raise RuleViolation("area_inactive", _l("Området är inte aktivt längre."), field="area_id")
    assert shift.id is not None
    if data.max_walkers is not None:
        walkers = current_walkers(session, shift.id)
        if walkers > data.max_walkers:
            raise RuleViolation(
                "max_below_walkers",
                _l(
                    "Det finns redan %(count)s nattvandrare på passet. "
                    "Högsta antal kan inte vara lägre.",
                    count=walkers,
                ),
                field="max_walkers",
            )
    time_changed = start != shift.start_at or end != shift.end_at
    place_changed = area.id != shift.area_id
    changes = []
    if time_changed:
        changes.append(
            f"tid {to_local(shift.start_at):%Y-%m-%d %H:%M}–{to_local(shift.end_at):%H:%M} → "
            f"{to_local(start):%Y-%m-%d %H:%M}–{to_local(end):%H:%M}"
        )
    if place_changed:
        changes.append(f"område {shift.area_id} → {area.id} ({area.name})")
    for name in ("min_walkers", "max_walkers", "min_age"):
        if getattr(shift, name) != getattr(data, name):
            changes.append(f"{name} {getattr(shift, name)} → {getattr(data, name)}")
    if shift.notes != data.notes.strip():
        changes.append("anteckning")
    shift.start_at, shift.end_at = start, end
    shift.area_id = area.id  # type: ignore[assignment]
    shift.min_walkers = data.min_walkers
    shift.max_walkers = data.max_walkers
    shift.min_age = data.min_age
    shift.notes = data.notes.strip()[:2000]
    if time_changed or place_changed:
        touch(shift)
    session.add(shift)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="shift.edited",
        object_type="shift",
        object_id=shift.id,
        municipality_id=shift.municipality_id,
        details="; ".join(changes) or "inga ändringar",
    )
    if time_changed or place_changed:
        events.emit(
            session,
            events.ShiftChanged(
                shift_id=shift.id, time_changed=time_changed, place_changed=place_changed
            ),
        )
    return time_changed, place_changed


def cancel_shift(session: Session, shift: Shift, *, reason: str, actor_id: int | None) -> int:
    """Cancel one shift (reason required) and its active bookings; returns bookings hit."""
    # Status first: a cancelled shift's page has no reason field to show an error next to.
    if shift.status == ShiftStatus.CANCELLED:
        raise RuleViolation("already_cancelled", _l("Passet är redan inställt."))
    check_coordinator_cancel(reason=reason)
    # Lock the shift row (no-op on SQLite, where the request already holds the write lock).
    session.exec(select(Shift.id).where(Shift.id == shift.id).with_for_update()).all()
    hit = cancel_shift_row(session, shift, reason=reason, actor_id=actor_id)
    record(
        session,
        actor_id=actor_id,
        action="shift.cancelled",
        object_type="shift",
        object_id=shift.id,
        municipality_id=shift.municipality_id,
        details=f"{reason.strip()[:400]} (avbokade bokningar: {hit})",
    )
    return hit
