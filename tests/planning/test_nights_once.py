"""Each night exists once: the unique index, idempotent creation, moves onto a taken night."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from nattvandring.clock import local_to_utc
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from nattvandring.planning import special_nights as specials
from nattvandring.planning.models import Shift, ShiftSeries, ShiftStatus
from nattvandring.planning.services_series import SeriesInput, create_series
from nattvandring.planning.services_series_edit import apply_time_change
from nattvandring.planning.services_shifts import cancel_shift, edit_shift, shift_input_from
from nattvandring.planning.services_special import add_special_night
from tests.support.shifts import make_shift


def _season(world, **overrides) -> SeriesInput:
    values = dict(
        area_ids=[world.ids["area_h"]],
        weekdays=[4, 5],
        start_date=date(2026, 9, 4),
        end_date=date(2026, 9, 26),
        start_time=time(21),
        end_time=time(1),
    )
    values.update(overrides)
    return SeriesInput(**values)


def _live(db) -> list[Shift]:
    return list(db.exec(select(Shift).where(Shift.status != ShiftStatus.CANCELLED)))


def test_the_database_refuses_a_second_live_shift_on_the_same_night(app, world, db):
    day = date(2026, 9, 11)
    make_shift(db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], day=day)
    db.commit()
    db.add(
        Shift(
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            start_at=local_to_utc(day, time(21)),
            end_at=local_to_utc(date(2026, 9, 12), time(1)),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_cancelled_night_can_be_planned_again(app, world, db, frozen):
    day = date(2026, 9, 11)
    first = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], day=day
    )
    cancel_shift(db, first, reason="Regn", actor_id=None)
    again = make_shift(
        db, municipality_id=world.ids["hassleholm"], area_id=world.ids["area_h"], day=day
    )
    db.commit()
    assert again.id != first.id and len(_live(db)) == 1


def test_posting_the_same_season_twice_creates_nothing_the_second_time(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    first = create_series(db, municipality=municipality, data=_season(world), actor_id=None)
    second = create_series(db, municipality=municipality, data=_season(world), actor_id=None)
    db.commit()
    assert (len(first.created), first.skipped) == (8, 0)
    assert (second.created, second.skipped, second.series) == ([], 8, None)
    assert len(_live(db)) == 8
    # No empty series is left behind by the repeat.
    assert len(db.exec(select(ShiftSeries)).all()) == 1


def test_a_special_night_twice_is_one_shift(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    for _ in range(3):
        add_special_night(
            db,
            municipality=municipality,
            day=date(2027, 4, 30),
            key=specials.VALBORG,
            area_ids=[world.ids["area_h"]],
            actor_id=None,
        )
    db.commit()
    assert [s.special_key for s in _live(db)] == [specials.VALBORG]


def test_a_one_day_season_is_a_single_shift_and_idempotent(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    one = _season(world, start_date=date(2026, 9, 11), end_date=date(2026, 9, 11), weekdays=[4])
    assert len(create_series(db, municipality=municipality, data=one, actor_id=None).created) == 1
    assert create_series(db, municipality=municipality, data=one, actor_id=None).created == []
    db.commit()
    assert len(_live(db)) == 1


def test_editing_a_shift_onto_a_taken_night_is_refused(app, world, db, frozen):
    ids = world.ids
    make_shift(db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 9, 11))
    other = make_shift(
        db, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 9, 12)
    )
    db.commit()
    data = shift_input_from(other)
    data.day = date(2026, 9, 11)
    with pytest.raises(RuleViolation) as refused:
        edit_shift(db, other, data=data, actor_id=None)
    assert refused.value.code == "night_exists"
    db.rollback()
    assert len(_live(db)) == 2


def test_moving_a_series_onto_another_series_night_is_refused(app, world, db, frozen):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    early = create_series(
        db,
        municipality=municipality,
        data=_season(world, start_time=time(19), end_time=time(23)),
        actor_id=None,
    ).series
    create_series(db, municipality=municipality, data=_season(world), actor_id=None)
    db.commit()
    with pytest.raises(RuleViolation) as refused:
        apply_time_change(
            db, early, start_time=time(21), end_time=time(1), confirmed=True, actor_id=None
        )
    assert refused.value.code == "night_exists"
    db.rollback()
    assert len(_live(db)) == 16
