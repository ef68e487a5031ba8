"""The season planner service: generation, defaults, duplicates, DST, special nights."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlmodel import select

from nattvandring.audit.models import AuditEntry
from nattvandring.clock import to_local
from nattvandring.errors import RuleViolation
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea, Shift, ShiftSeries
from nattvandring.planning.schedule import duration
from nattvandring.planning.services_series import SeriesInput, create_series
from nattvandring.planning.services_special import add_special_night


def _series(world, **overrides) -> SeriesInput:
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


def test_creates_series_and_shifts_with_area_defaults(app, world, db):
    area = db.get(PatrolArea, world.ids["area_h"])
    area.default_min_walkers, area.default_max_walkers, area.min_age = 4, 7, 20
    municipality = db.get(Municipality, world.ids["hassleholm"])
    result = create_series(
        db, municipality=municipality, data=_series(world), actor_id=world.ids["coord_h"]
    )
    db.commit()
    shifts = db.exec(select(Shift).order_by(Shift.start_at)).all()
    # Fri+Sat from 4 to 26 September 2026: 4,5,11,12,18,19,25,26.
    assert [to_local(s.start_at).date().day for s in shifts] == [4, 5, 11, 12, 18, 19, 25, 26]
    assert len(result.created) == 8 and result.skipped == 0
    first = shifts[0]
    assert to_local(first.start_at).strftime("%Y-%m-%d %H:%M") == "2026-09-04 21:00"
    assert to_local(first.end_at).strftime("%Y-%m-%d %H:%M") == "2026-09-05 01:00"
    assert {(s.min_walkers, s.max_walkers, s.min_age) for s in shifts} == {(4, 7, 20)}
    series = db.get(ShiftSeries, result.series.id)
    assert series.weekdays == "4,5" and all(s.series_id == series.id for s in shifts)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "series.created")).one()
    assert "skapade 8" in entry.details


def test_form_values_override_area_defaults(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    create_series(
        db,
        municipality=municipality,
        data=_series(world, min_walkers=2, max_walkers=9, min_age=22),
        actor_id=None,
    )
    db.commit()
    assert {(s.min_walkers, s.max_walkers, s.min_age) for s in db.exec(select(Shift))} == {
        (2, 9, 22)
    }


def test_duplicates_are_skipped_and_counted(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    create_series(db, municipality=municipality, data=_series(world), actor_id=None)
    again = create_series(
        db,
        municipality=municipality,
        data=_series(world, end_date=date(2026, 10, 3)),
        actor_id=None,
    )
    db.commit()
    assert (len(again.created), again.skipped) == (2, 8)
    assert len(db.exec(select(Shift)).all()) == 10


def test_equal_start_and_end_is_refused(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        create_series(
            db,
            municipality=municipality,
            data=_series(world, start_time=time(21), end_time=time(21)),
            actor_id=None,
        )
    assert (caught.value.code, caught.value.field) == ("same_times", "end_time")
    assert db.exec(select(Shift)).all() == []


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"area_ids": []}, "no_areas"),
        ({"weekdays": []}, "no_weekdays"),
        ({"end_date": date(2026, 9, 1)}, "range_reversed"),
        ({"start_date": date(2026, 9, 7), "end_date": date(2026, 9, 9)}, "no_nights"),
        ({"min_walkers": 5, "max_walkers": 3}, "max_below_min"),
        ({"min_age": 16}, "min_age_range"),
    ],
)
def test_series_rules(app, world, db, overrides, code):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        create_series(
            db, municipality=municipality, data=_series(world, **overrides), actor_id=None
        )
    assert caught.value.code == code


def test_areas_of_another_municipality_or_inactive_are_refused(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        create_series(
            db,
            municipality=municipality,
            data=_series(world, area_ids=[world.ids["area_b"]]),
            actor_id=None,
        )
    assert caught.value.code == "unknown_area"
    db.get(PatrolArea, world.ids["area_h"]).active = False
    with pytest.raises(RuleViolation):
        create_series(db, municipality=municipality, data=_series(world), actor_id=None)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2027, 3, 27), 4), (date(2026, 10, 24), 6)],
)
def test_planner_durations_come_from_utc_instants(app, world, db, day, hours):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    result = create_series(
        db,
        municipality=municipality,
        data=_series(world, start_date=day, end_date=day, start_time=time(22), end_time=time(3)),
        actor_id=None,
    )
    db.commit()
    (shift,) = db.exec(select(Shift).where(Shift.id == result.created[0].id)).all()
    assert duration(shift.start_at, shift.end_at) == timedelta(hours=hours)
    assert to_local(shift.start_at).strftime("%H:%M") == "22:00"
    assert to_local(shift.end_at).strftime("%H:%M") == "03:00"


def test_dst_gap_time_is_refused(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        create_series(
            db,
            municipality=municipality,
            data=_series(
                world,
                start_date=date(2027, 3, 27),
                end_date=date(2027, 3, 27),
                start_time=time(22),
                end_time=time(2, 30),
            ),
            actor_id=None,
        )
    assert caught.value.code == "dst_gap"


def test_special_night_uses_area_default_times_and_sets_key(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    area = db.get(PatrolArea, world.ids["area_h"])
    area.default_start, area.default_end = time(20), time(2)
    result = add_special_night(
        db,
        municipality=municipality,
        day=date(2027, 4, 30),
        key="valborg",
        area_ids=[area.id],
        actor_id=world.ids["coord_h"],
    )
    db.commit()
    (shift,) = db.exec(select(Shift)).all()
    assert shift.id == result.created[0].id and shift.special_key == "valborg"
    assert to_local(shift.start_at).strftime("%Y-%m-%d %H:%M") == "2027-04-30 20:00"
    assert to_local(shift.end_at).strftime("%Y-%m-%d %H:%M") == "2027-05-01 02:00"
    assert shift.series_id is None
    again = add_special_night(
        db,
        municipality=municipality,
        day=date(2027, 4, 30),
        key="valborg",
        area_ids=[area.id],
        actor_id=None,
    )
    assert (len(again.created), again.skipped) == (0, 1)
    actions = db.exec(select(AuditEntry.action)).all()
    assert actions.count("special_night.added") == 2


def test_special_night_rejects_unknown_key(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        add_special_night(
            db,
            municipality=municipality,
            day=date(2027, 4, 30),
            key="birthday",
            area_ids=[world.ids["area_h"]],
            actor_id=None,
        )
    assert caught.value.code == "unknown_special"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(9999, 12, 31)])
def test_special_night_outside_the_date_window_is_refused(app, world, db, day):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    with pytest.raises(RuleViolation) as caught:
        add_special_night(
            db,
            municipality=municipality,
            day=day,
            key="public_holiday",
            area_ids=[world.ids["area_h"]],
            actor_id=None,
        )
    assert (caught.value.code, caught.value.field) == ("date_out_of_window", "day")
    assert db.exec(select(Shift)).all() == []


def test_no_maximum_is_stored_as_null_not_the_column_default(app, world, db):
    area = db.get(PatrolArea, world.ids["area_h"])
    area.default_max_walkers = None
    municipality = db.get(Municipality, world.ids["hassleholm"])
    create_series(db, municipality=municipality, data=_series(world), actor_id=None)
    db.commit()
    db.expire_all()
    assert {s.max_walkers for s in db.exec(select(Shift))} == {None}


def test_special_night_on_an_existing_shift_marks_it(app, world, db):
    municipality = db.get(Municipality, world.ids["hassleholm"])
    create_series(
        db,
        municipality=municipality,
        data=_series(world, start_date=date(2027, 4, 30), end_date=date(2027, 4, 30)),
        actor_id=None,
    )
    result = add_special_night(
        db,
        municipality=municipality,
        day=date(2027, 4, 30),
        key="valborg",
        area_ids=[world.ids["area_h"]],
        actor_id=None,
    )
    db.commit()
    assert (len(result.created), result.skipped) == (0, 1)
    (shift,) = db.exec(select(Shift)).all()
    assert shift.special_key == "valborg" and shift.series_id is not None
