"""Hostile input to patrol reports: the leader's and the walker's report form, the
coordinator's return, correction and reminder, erasure from the personal page, unsafe-place
status."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app
from sqlmodel import select

from nattvandring.accounts.models import User
from nattvandring.reports.forms import CorrectionForm, ReportForm, ReturnForm
from nattvandring.reports.models import UnsafePlace
from nattvandring.reports.services_report import start_report
from nattvandring.volunteers.forms import EraseForm
from nattvandring.volunteers.services import personal_token
from tests.reports.conftest import file_report, make_walk
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.values import OFF_SITE
from tests.security.hostile.world import Fuzzer, World, base_world

#: Ids that fit no row, or no database integer.
HUGE_IDS = ("0", "2147483648", "9223372036854775808")


def build(session) -> World:
    """Three November walks of association A with vol_a and vol_a2: one with a draft report,
    one submitted, one approved (with an unsafe place)."""
    world = base_world(session)
    ids = world.ids
    walkers = (ids["vol_a"], ids["vol_a2"])

    def walk(day: date):
        return make_walk(
            session,
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            association_id=ids["assoc_a"],
            day=day,
            walkers=walkers,
        )

    draft = walk(date(2026, 11, 27))
    ids["draft"] = start_report(session, draft.booking, actor_id=None).id
    ids["draft_shift"] = draft.shift.id
    times = [(user_id, "22:00", "03:00") for user_id in walkers]
    ids["submitted"] = file_report(session, walk(date(2026, 11, 20)), times, young=10).id
    approved = file_report(
        session,
        walk(date(2026, 11, 13)),
        times,
        places=[("Trasig belysning", "Gångtunneln", 56.15, 13.76)],
        approve_by=ids["coord_h"],
    )
    ids["approved"] = approved.id
    ids["overdue_booking"] = walk(date(2026, 11, 6)).booking.id  # never reported: overdue
    place = session.exec(select(UnsafePlace).where(UnsafePlace.report_id == approved.id)).one()
    ids["place"] = place.id
    secret = current_app.config["SECRET_KEY"]
    world.raw["personal"] = personal_token(session, session.get(User, ids["vol_a2"]), secret)
    return world


def _report(ids) -> dict[str, str]:
    return {
        "young_people_met": "25",
        "summary": "Lugnt",
        "walkers-0-user_id": str(ids["vol_a"]),
        "walkers-0-walked": "y",
        "walkers-0-start": "22:00",
        "walkers-0-end": "03:00",
        "add_walker": str(ids["vol_a2"]),
        "add_start": "23:00",
        "add_end": "02:30",
        "incidents-0-category": "vandalism",
        "incidents-0-what": "Klotter",
        "incidents-0-place": "Busstationen",
        "places-0-what": "Trasig belysning",
        "places-0-place": "Gångtunneln",
        "places-0-latitude": "56,1589",
        "places-0-longitude": "13.7668",
        "save": "Spara utkast",
    }


_IDS = {"walkers-0-user_id": HUGE_IDS, "add_walker": HUGE_IDS}

TARGETS = [
    Target(
        "report_edit",
        "reports.edit",
        "leader_a",
        lambda w: f"/reports/{w.ids['draft']}/edit",
        lambda w: _report(w.ids),
        forms=(ReportForm,),
        values=_IDS | {"send": ("Skicka in rapporten",)},
    ),
    Target(
        "personal_report",
        "volunteers.personal_report",
        None,
        lambda w: f"/me/{w.raw['personal']}/reports/{w.ids['draft_shift']}",
        lambda w: _report(w.ids),
        forms=(ReportForm,),
        values=_IDS | {"send": ("Skicka in rapporten",)},
    ),
    Target(
        "report_return",
        "reports.return_to_group",
        "coord_h",
        lambda w: f"/reports/{w.ids['submitted']}/return",
        lambda w: {"comment": "Tiderna saknas för en vandrare."},
        forms=(ReturnForm,),
    ),
    Target(
        "report_correct",
        "reports.correct",
        "coord_h",
        lambda w: f"/reports/{w.ids['approved']}/correct",
        lambda w: {"user_id": str(w.ids["vol_a"]), "minutes": "120", "reason": "Gick hem"},
        forms=(CorrectionForm,),
        values={"user_id": HUGE_IDS, "minutes": ("841", "2147483648")},
    ),
    Target(
        "personal_erase",
        "volunteers.personal_erase",
        None,
        lambda w: f"/me/{w.raw['personal']}/privacy/erase",
        lambda w: {"confirm": "y"},
        forms=(EraseForm,),
    ),
    # "Påminn" posts nothing but the CSRF token: stray or hostile fields change nothing.
    Target(
        "report_remind",
        "reports.remind",
        "coord_h",
        lambda w: f"/reports/booking/{w.ids['overdue_booking']}/remind",
        lambda w: {},
        reached=frozenset({302}),
        tampered_only=True,
        values={"booking_id": HUGE_IDS, "next": OFF_SITE},
    ),
    # The follow-up buttons on the lägesbild post a fixed status and the page to return to.
    Target(
        "place_status",
        "reports.place_status",
        "coord_h",
        lambda w: f"/unsafe-places/{w.ids['place']}/status",
        lambda w: {"status": "forwarded", "next": "/lagesbild?from=2026-11-01&to=2026-11-30"},
        tampered_only=True,
        values={"next": OFF_SITE, "status": ("reported", "fixed", "FIXED")},
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_report_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
