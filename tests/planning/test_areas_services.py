"""Patrol area services: validation rules, name uniqueness, audit."""

from __future__ import annotations

from datetime import time

import pytest
from sqlmodel import select

from nattvandring.audit.models import AuditEntry
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea
from nattvandring.planning.services_areas import (
    AreaInput,
    create_area,
    set_area_active,
    update_area,
    validate_area,
)


def test_create_area_stores_every_field_and_audits(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    area = create_area(
        db,
        municipality=municipality,
        data=AreaInput(
            name="  Norra station ",
            meeting_point="Stationen",
            latitude=56.16,
            longitude=13.77,
            description="Runt stationen",
            default_start=time(20),
            default_end=time(0),
            default_min_walkers=4,
            default_max_walkers=8,
            min_age=20,
        ),
        actor_id=world.ids["coord_h"],
    )
    db.commit()
    stored = db.get(PatrolArea, area.id)
    assert (stored.name, stored.meeting_point, stored.latitude, stored.longitude) == (
        "Norra station",
        "Stationen",
        56.16,
        13.77,
    )
    assert (stored.default_start, stored.default_end) == (time(20), time(0))
    assert (stored.default_min_walkers, stored.default_max_walkers, stored.min_age) == (4, 8, 20)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "area.created")).one()
    assert entry.municipality_id == world.ids["hassleholm"]
    assert entry.actor_user_id == world.ids["coord_h"]
    assert entry.object_id == area.id


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"name": "  "}, "name_required", "name"),
        ({"latitude": 91.0, "longitude": 13.0}, "latitude_range", "latitude"),
        ({"latitude": -90.5, "longitude": 13.0}, "latitude_range", "latitude"),
        ({"latitude": 56.0, "longitude": 180.01}, "longitude_range", "longitude"),
        ({"latitude": 56.0}, "coordinates_incomplete", "longitude"),
        ({"longitude": 13.0}, "coordinates_incomplete", "latitude"),
        ({"default_start": time(21), "default_end": time(21)}, "same_times", "default_end"),
        ({"default_min_walkers": 0}, "min_walkers_range", "default_min_walkers"),
        (
            {"default_min_walkers": 5, "default_max_walkers": 4},
            "max_below_min",
            "default_max_walkers",
        ),
        ({"min_age": 17}, "min_age_range", "min_age"),
    ],
)
def test_area_validation(changes, code, field):
    data = AreaInput(name="Centrum")
    for key, value in changes.items():
        setattr(data, key, value)
    with pytest.raises(RuleViolation) as caught:
        validate_area(data)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_boundary_coordinates_and_open_maximum_are_allowed():
    validate_area(AreaInput(name="Pol", latitude=-90.0, longitude=180.0, default_max_walkers=None))


def test_area_names_are_unique_per_municipality(app, world, db):
    hassleholm = db.get(Municipality, world.ids["hassleholm"])
    bjuv = db.get(Municipality, world.ids["bjuv"])
    with pytest.raises(RuleViolation) as caught:
        create_area(db, municipality=hassleholm, data=AreaInput(name="Centrum"), actor_id=None)
    assert caught.value.code == "name_taken"
    # The same name in another municipality is fine.
    assert create_area(db, municipality=bjuv, data=AreaInput(name="Centrum"), actor_id=None).id


def test_update_and_deactivate_area(app, world, db):
    area = db.get(PatrolArea, world.ids["area_h"])
    update_area(
        db,
        area,
        data=AreaInput(name="Centrum", meeting_point="Nya torget", active=False),
        actor_id=world.ids["coord_h"],
    )
    db.commit()
    assert db.get(PatrolArea, area.id).meeting_point == "Nya torget"
    assert db.get(PatrolArea, area.id).active is False
    set_area_active(db, area, active=True, actor_id=world.ids["coord_h"])
    db.commit()
    actions = db.exec(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["area.deactivated", "area.activated"]
