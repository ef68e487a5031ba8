"""Patrol areas of a municipality: create, edit, deactivate. Flush only; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, col, select

from .. import events
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from .models import PatrolArea, Shift, ShiftStatus
from .services_common import store_optional, touch
from .validation import check_walker_limits


@dataclass
class AreaInput:
    name: str
    meeting_point: str = ""
    latitude: float | None = None
    longitude: float | None = None
    description: str = ""
    equipment_note: str = ""
    default_start: time = time(21, 0)
    default_end: time = time(1, 0)
    default_min_walkers: int = 3
    default_max_walkers: int | None = 6
    min_age: int = 18
    active: bool = True


def validate_area(data: AreaInput) -> None:
    if not data.name.strip():
        raise RuleViolation("name_required", _l("Ange områdets namn."), field="name")
    if (data.latitude is None) != (data.longitude is None):
        raise RuleViolation(
            "coordinates_incomplete",
            _l("Ange både latitud och longitud, eller ingen av dem."),
            field="latitude" if data.latitude is None else "longitude",
        )
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        raise RuleViolation(
            "latitude_range", _l("Latituden måste vara mellan -90 och 90."), field="latitude"
        )
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        raise RuleViolation(
            "longitude_range",
            _l("Longituden måste vara mellan -180 och 180."),
            field="longitude",
        )
    if data.default_start == data.default_end:
        raise RuleViolation(
            "same_times",
            _l("Start- och sluttid kan inte vara samma klockslag."),
            field="default_end",
        )
    check_walker_limits(
        min_walkers=data.default_min_walkers,
        max_walkers=data.default_max_walkers,
        min_age=data.min_age,
        fields=("default_min_walkers", "default_max_walkers", "min_age"),
    )


def _check_name_free(
    session: Session, municipality_id: int, name: str, area_id: int | None
) -> None:
    query = select(PatrolArea.id).where(
        PatrolArea.municipality_id == municipality_id, PatrolArea.name == name
    )
    if area_id is not None:
        query = query.where(PatrolArea.id != area_id)
    if session.exec(query).first() is not None:
        raise RuleViolation(
            "name_taken", _l("Det finns redan ett område med det namnet."), field="name"
        )


# What walkers and calendars see of an area: a change here is a change of place.
PLACE_FIELDS = ("name", "meeting_point", "latitude", "longitude")


def _place(area: PatrolArea) -> tuple[object, ...]:
    return tuple(getattr(area, name) for name in PLACE_FIELDS)


def _apply(area: PatrolArea, data: AreaInput) -> None:
    area.name = data.name.strip()
    area.meeting_point = data.meeting_point.strip()
    area.latitude = data.latitude
    area.longitude = data.longitude
    area.description = data.description.strip()
    area.equipment_note = data.equipment_note.strip()
    area.default_start = data.default_start
    area.default_end = data.default_end
    area.default_min_walkers = data.default_min_walkers
    store_optional(area, "default_max_walkers", data.default_max_walkers)
    area.min_age = data.min_age
    area.active = data.active


def create_area(
    session: Session, *, municipality: Municipality, data: AreaInput, actor_id: int | None
) -> PatrolArea:
    validate_area(data)
    assert municipality.id is not None
    _check_name_free(session, municipality.id, data.name.strip(), None)
    area = PatrolArea(municipality_id=municipality.id, name=data.name.strip())
    _apply(area, data)
    session.add(area)
    session.flush()
    session.refresh(area)
    record(
        session,
        actor_id=actor_id,
        action="area.created",
        object_type="patrol_area",
        object_id=area.id,
        municipality_id=municipality.id,
        details=area.name,
    )
    return area


def update_area(
    session: Session, area: PatrolArea, *, data: AreaInput, actor_id: int | None
) -> PatrolArea:
    validate_area(data)
    _check_name_free(session, area.municipality_id, data.name.strip(), area.id)
    was_active, was_at = area.active, _place(area)
    _apply(area, data)
    session.add(area)
    session.flush()
    moved = _place(area) != was_at
    if moved:
        _announce_new_place(session, area)
    action = "area.edited"
    if was_active and not area.active:
        action = "area.deactivated"
    elif not was_active and area.active:
        action = "area.activated"
    record(
        session,
        actor_id=actor_id,
        action=action,
        object_type="patrol_area",
        object_id=area.id,
        municipality_id=area.municipality_id,
        details=area.name + ("; plats ändrad" if moved else ""),
    )
    return area


def _announce_new_place(session: Session, area: PatrolArea) -> None:
    """Upcoming walks of the area changed place: calendars and walkers must hear of it."""
    upcoming = session.exec(
        select(Shift)
        .where(
            Shift.area_id == area.id,
            Shift.end_at > utcnow(),
            Shift.status != ShiftStatus.CANCELLED,
        )
        .order_by(col(Shift.start_at))
    ).all()
    for shift in upcoming:
        touch(shift)
        session.add(shift)
    session.flush()
    for shift in upcoming:
        assert shift.id is not None
        events.emit(
            session, events.ShiftChanged(shift_id=shift.id, time_changed=False, place_changed=True)
        )


def set_area_active(
    session: Session, area: PatrolArea, *, active: bool, actor_id: int | None
) -> PatrolArea:
    area.active = active
    session.add(area)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="area.activated" if active else "area.deactivated",
        object_type="patrol_area",
        object_id=area.id,
        municipality_id=area.municipality_id,
        details=area.name,
    )
    return area


def areas_of(
    session: Session, municipality_id: int, *, active_only: bool = False
) -> list[PatrolArea]:
    query = select(PatrolArea).where(PatrolArea.municipality_id == municipality_id)
    if active_only:
        query = query.where(PatrolArea.active == True)  # noqa: E712
    return list(session.exec(query.order_by(PatrolArea.name)))
