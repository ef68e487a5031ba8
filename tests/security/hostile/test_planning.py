"""Hostile input to the planning forms: areas, rules, the season planner, special nights,
single shifts and series (new times, cancellation).

The world has a Saturday series in spring 2027 whose walk of 27 March, the night the clocks
go forward, is booked by association A; a base time such as 02:30 that night does not exist.
"""

from __future__ import annotations

from datetime import date

import pytest

from nattvandring.planning.forms import (
    AreaForm,
    CancelForm,
    RulesForm,
    SchoolBreakForm,
    SeriesCancelForm,
    SeriesForm,
    SeriesTimesForm,
    ShiftForm,
    SpecialNightForm,
)
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import Fuzzer, World, base_world
from tests.support.shifts import book, make_series


def build(session) -> World:
    world = base_world(session)
    ids = world.ids
    series, shifts = make_series(
        session,
        municipality_id=ids["hassleholm"],
        area_id=ids["area_h"],
        name="Våren 2027",
        weekdays="5",
        days=(date(2027, 3, 20), date(2027, 3, 27), date(2027, 4, 3)),
    )
    booking = book(session, shifts[1], ids["assoc_a"], walkers=[ids["vol_a"]])
    ids.update(series=series.id, shift=shifts[1].id, booking=booking.id)
    return world


AREA = {
    "name": "Stationen",
    "meeting_point": "Resecentrum",
    "latitude": "56.156",
    "longitude": "13.764",
    "description": "Runt stationen",
    "equipment_note": "Västar i receptionen",
    "default_start": "21:00",
    "default_end": "01:00",
    "default_min_walkers": "3",
    "default_max_walkers": "6",
    "min_age": "18",
    "active": "y",
}
TIMES = {"day": "2027-03-27", "start_time": "22:00", "end_time": "02:30"}


def _series(ids) -> dict[str, str]:
    return {
        "name": "Våren",
        "area_ids": str(ids["area_h"]),
        "weekdays": "5",
        "start_date": "2027-03-20",
        "end_date": "2027-04-03",
        "start_time": "21:00",
        "end_time": "01:00",
        "min_walkers": "3",
        "max_walkers": "",
        "min_age": "18",
        "last_school_day": "2027-06-11",
    }


TARGETS = [
    Target(
        "area_new",
        "planning.area_new",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/areas/new",
        lambda w: AREA,
        forms=(AreaForm,),
    ),
    Target(
        "area_edit",
        "planning.area_edit",
        "coord_h",
        lambda w: f"/planning/areas/{w.ids['area_h']}/edit",
        lambda w: AREA,
        forms=(AreaForm,),
    ),
    # The activate/deactivate buttons post a fixed value.
    Target(
        "area_set_active",
        "planning.area_set_active",
        "coord_h",
        lambda w: f"/planning/areas/{w.ids['area_h']}/active",
        lambda w: {"active": "0"},
        tampered_only=True,
    ),
    Target(
        "rules",
        "planning.rules",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/rules",
        lambda w: {
            "max_associations_per_shift": "1",
            "monthly_booking_cap": "4",
            "cancel_deadline_hours": "48",
            "report_due_days": "7",
            "allow_reserve_list": "y",
            "reserve_offer_hours": "24",
        },
        forms=(RulesForm,),
    ),
    Target(
        "series_new",
        "planning.series_new",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/series/new",
        lambda w: _series(w.ids) | {"action": "create"},
        forms=(SeriesForm,),
    ),
    # "Visa särskilda kvällar": the same form, only shown again with the special nights.
    Target(
        "series_specials",
        "planning.series_new",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/series/new",
        lambda w: _series(w.ids) | {"action": "specials"},
        forms=(SeriesForm,),
    ),
    # One click per special night: the day, the key and the planner's period are hidden.
    Target(
        "special_night",
        "planning.special_night_add",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/special-nights",
        lambda w: {
            "day": "2027-03-26",
            "key": "public_holiday",
            "area_ids": str(w.ids["area_h"]),
            "range_start": "2027-03-20",
            "range_end": "2027-04-03",
            "last_school_day": "2027-06-11",
            "return_to": "planner",
        },
        forms=(SpecialNightForm,),
        tampered_only=True,
    ),
    # The same, from the special nights page (it comes back there).
    Target(
        "special_night_page",
        "planning.special_night_add",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/special-nights",
        lambda w: {
            "day": "2027-03-26",
            "key": "public_holiday",
            "area_ids": str(w.ids["area_h"]),
            "range_start": "2027-03-20",
            "range_end": "2027-04-03",
            "last_school_day": "",
            "return_to": "special_nights",
        },
        forms=(SpecialNightForm,),
        tampered_only=True,
    ),
    Target(
        "school_breaks",
        "planning.school_breaks_save",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/school-breaks",
        lambda w: {"sportlov": "8", "pasklov": "14", "hostlov": "44"},
        forms=(SchoolBreakForm,),
    ),
    Target(
        "shift_edit",
        "planning.shift_edit",
        "coord_h",
        lambda w: f"/planning/shifts/{w.ids['shift']}/edit",
        lambda w: (
            TIMES
            | {
                "end_time": "01:30",
                "area_id": str(w.ids["area_h"]),
                "min_walkers": "3",
                "max_walkers": "6",
                "min_age": "18",
                "notes": "Västar",
            }
        ),
        forms=(ShiftForm,),
    ),
    Target(
        "shift_cancel",
        "planning.shift_cancel",
        "coord_h",
        lambda w: f"/planning/shifts/{w.ids['shift']}/cancel",
        lambda w: {"reason": "Storm"},
        forms=(CancelForm,),
    ),
    # The base moves the series to 20:00-00:30 (a preview first unless ``step`` names them);
    # a hostile 02:30 falls into the DST gap of 28 March 2027.
    Target(
        "series_times",
        "planning.series_times",
        "coord_h",
        lambda w: f"/planning/series/{w.ids['series']}/times",
        lambda w: {
            "start_time": "20:00",
            "end_time": "00:30",
            "step": "apply:20:00-00:30",
            "confirm": "y",
        },
        forms=(SeriesTimesForm,),
    ),
    Target(
        "series_cancel",
        "planning.series_cancel",
        "coord_h",
        lambda w: f"/planning/series/{w.ids['series']}/cancel",
        lambda w: {"reason": "Inga vandrare i vår", "step": "apply", "confirm": "y"},
        forms=(SeriesCancelForm,),
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_planning_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
