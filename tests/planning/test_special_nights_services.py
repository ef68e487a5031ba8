"""planning.services_special: a municipality's special nights, school breaks and suggestions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from nattvandring.planning import special_nights as specials
from nattvandring.planning.models import PatrolArea, SchoolBreak, Shift
from nattvandring.planning.services_special import (
    add_special_night,
    save_school_breaks,
    school_breaks,
    special_nights_between,
    suggestions,
)
from tests.support.shifts import make_shift


def _municipality(db, world) -> Municipality:
    return db.get(Municipality, world.ids["hassleholm"])


def _breaks(db, world, **weeks) -> None:
    save_school_breaks(
        db, municipality=_municipality(db, world), weeks=weeks, actor_id=world.ids["coord_h"]
    )
    db.commit()


def test_school_break_weeks_are_saved_changed_and_cleared(db, world):
    _breaks(db, world, sportlov=8, pasklov=14, hostlov=44)
    assert school_breaks(db, world.ids["hassleholm"]) == {
        "sportlov": 8,
        "pasklov": 14,
        "hostlov": 44,
    }
    _breaks(db, world, sportlov=9, pasklov=None)
    assert school_breaks(db, world.ids["hassleholm"]) == {"sportlov": 9, "hostlov": 44}
    # Another municipality has its own weeks.
    assert school_breaks(db, world.ids["bjuv"]) == {}
    with pytest.raises(RuleViolation) as refused:
        _breaks(db, world, hostlov=54)
    assert refused.value.code == "bad_week"


def test_special_nights_between_has_the_calendar_the_breaks_and_the_marked_nights(app, db, world):
    _breaks(db, world, hostlov=44)
    make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 6, 11),
        special_key=specials.LAST_SCHOOL_DAY,
    )
    db.commit()
    municipality = _municipality(db, world)
    nights = special_nights_between(db, municipality, date(2026, 4, 1), date(2026, 11, 30))
    keys = {(n.day, n.key) for n in nights}
    assert (date(2026, 4, 30), specials.VALBORG) in keys
    assert (date(2026, 6, 11), specials.LAST_SCHOOL_DAY) in keys  # marked on a shift
    autumn = sorted(n.day for n in nights if n.key == specials.HOSTLOV)
    assert autumn == [date(2026, 10, 26 + n) for n in range(6)] + [date(2026, 11, 1)]
    with app.test_request_context():
        names = [str(n.label) for n in nights if n.day == date(2026, 10, 31)]
    assert names == ["Halloween", "Höstlov", "Alla helgons dag"]  # sorted by key
    assert nights == sorted(nights, key=lambda n: (n.day, n.key))
    # Bjuv has no breaks; a period longer than the limit or backwards gives nothing.
    bjuv = db.get(Municipality, world.ids["bjuv"])
    bjuv_nights = special_nights_between(db, bjuv, date(2026, 10, 1), date(2026, 11, 30))
    assert {n.key for n in bjuv_nights} == {specials.HALLOWEEN, specials.PUBLIC_HOLIDAY}
    assert special_nights_between(db, municipality, date(2026, 1, 1), date(2027, 12, 31)) == []
    assert special_nights_between(db, municipality, date(2026, 5, 1), date(2026, 4, 1)) == []


def test_week_53_only_in_years_that_have_one(db, world):
    _breaks(db, world, hostlov=53)
    municipality = _municipality(db, world)
    nights = special_nights_between(db, municipality, date(2026, 12, 1), date(2027, 1, 10))
    assert [n.day for n in nights if n.key == specials.HOSTLOV] == [
        date(2026, 12, 28 + n) for n in range(4)
    ] + [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    nights = special_nights_between(db, municipality, date(2027, 12, 1), date(2028, 1, 10))
    assert [n for n in nights if n.key == specials.HOSTLOV] == []  # 2027 has 52 weeks


def test_suggestions_name_the_areas_that_have_a_shift(db, world):
    _breaks(db, world, sportlov=8)
    ids = world.ids
    second = PatrolArea(municipality_id=ids["hassleholm"], name="Östra centrum")
    db.add(second)
    db.flush()
    make_shift(db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 4, 30))
    make_shift(
        db,
        municipality_id=ids["hassleholm"],
        area_id=second.id,
        day=date(2026, 2, 20),
        special_key=specials.SPORTLOV,
    )
    db.commit()
    items = suggestions(db, _municipality(db, world), date(2026, 2, 1), date(2026, 5, 31))
    valborg = next(item for item in items if item.key == specials.VALBORG)
    area_name = db.get(PatrolArea, ids["area_h"]).name
    assert (valborg.planned, valborg.marked) == ([area_name], [])
    assert valborg.planned_ids == {ids["area_h"]}
    (sportlov,) = [item for item in items if item.key == specials.SPORTLOV]
    assert sportlov.iso_week == 8
    assert sportlov.days == [date(2026, 2, 16 + n) for n in range(7)]
    assert (sportlov.planned, sportlov.marked) == (["Östra centrum"], ["Östra centrum"])


def test_adding_a_school_break_plans_the_rest_of_its_week(db, world, frozen):
    _breaks(db, world, hostlov=44)
    municipality = _municipality(db, world)
    ids = world.ids
    existing = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 30)
    )
    db.commit()
    result = add_special_night(
        db,
        municipality=municipality,
        day=date(2026, 10, 28),  # Wednesday: Wednesday to Sunday
        key=specials.HOSTLOV,
        area_ids=[ids["area_h"]],
        actor_id=ids["coord_h"],
    )
    db.commit()
    assert (len(result.created), result.skipped) == (4, 1)
    shifts = db.exec(select(Shift).where(Shift.area_id == ids["area_h"])).all()
    assert {s.special_key for s in shifts} == {specials.HOSTLOV}
    assert db.get(Shift, existing.id).special_key == specials.HOSTLOV
    with pytest.raises(RuleViolation) as refused:
        add_special_night(
            db,
            municipality=municipality,
            day=date(2026, 10, 19),  # week 43: not the break
            key=specials.HOSTLOV,
            area_ids=[ids["area_h"]],
            actor_id=ids["coord_h"],
        )
    assert refused.value.code == "not_in_break"
    db.rollback()
    assert len(db.exec(select(SchoolBreak)).all()) == 1


def test_an_unknown_key_is_refused(db, world, frozen):
    with pytest.raises(RuleViolation) as refused:
        add_special_night(
            db,
            municipality=_municipality(db, world),
            day=date(2026, 10, 28),
            key="party",
            area_ids=[world.ids["area_h"]],
            actor_id=None,
        )
    assert refused.value.code == "unknown_special"
