"""Hostile input to booking (roster, cancellation) and member forms (add, edit, CSV confirm)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app

from nattvandring.booking.forms import AddWalkerForm, CallWalkerForm, CancelBookingForm
from nattvandring.volunteers import csv_import
from nattvandring.volunteers.forms import ImportConfirmForm, MemberForm
from nattvandring.volunteers.services import CleanMember
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import Fuzzer, World, base_world
from tests.support.shifts import book, make_shift


def build(session) -> World:
    """Friday's walk (4 December 2026), booked by association A with vol_a on the roster."""
    world = base_world(session)
    ids = world.ids
    shift = make_shift(
        session, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 12, 4)
    )
    booking = book(session, shift, ids["assoc_a"], walkers=[ids["vol_a"]])
    ids.update(shift=shift.id, booking=booking.id)
    # What the preview page signs after a valid upload of one new member.
    member = CleanMember(name="Ny Medlem", phone_e164="+46701112233", email=None, birth_year=1990)
    preview = csv_import.Preview(
        rows=[
            csv_import.PreviewRow(1, "Ny Medlem", "070-111 22 33", "", "1990", "new", clean=member)
        ]
    )
    world.raw["import"] = csv_import.sign_rows(
        current_app.config["SECRET_KEY"], ids["assoc_a"], preview
    )
    return world


MEMBER = {"name": "Ny Medlem", "phone": "070-765 43 21", "email": "", "birth_year": "1990"}

TARGETS = [
    Target(
        "roster_add",
        "booking.roster_add",
        "leader_a",
        lambda w: f"/booking/bookings/{w.ids['booking']}/roster",
        lambda w: {"user_id": str(w.ids["vol_a2"])},
        forms=(AddWalkerForm,),
        values={"user_id": ("0", "1", "-1", "abc", "2147483648", "9223372036854775808")},
    ),
    # "Vi behöver en till": no fields but the token; the group has room and vol_a2 to ask.
    Target(
        "roster_call",
        "booking.roster_call",
        "leader_a",
        lambda w: f"/booking/bookings/{w.ids['booking']}/call",
        lambda w: {},
        forms=(CallWalkerForm,),
    ),
    # A coordinator must give a reason (the leader may leave it out).
    Target(
        "booking_cancel",
        "booking.cancel",
        "coord_h",
        lambda w: f"/booking/bookings/{w.ids['booking']}/cancel",
        lambda w: {"reason": "Storm"},
        forms=(CancelBookingForm,),
    ),
    Target(
        "booking_cancel_by_leader",
        "booking.cancel",
        "leader_a",
        lambda w: f"/booking/bookings/{w.ids['booking']}/cancel",
        lambda w: {"reason": ""},
        forms=(CancelBookingForm,),
    ),
    Target(
        "member_add",
        "volunteers.add",
        "leader_a",
        lambda w: f"/members/{w.ids['assoc_a']}/new",
        lambda w: MEMBER,
        forms=(MemberForm,),
    ),
    Target(
        "member_edit",
        "volunteers.edit",
        "leader_a",
        lambda w: f"/members/{w.ids['assoc_a']}/{w.ids['vol_a']}/edit",
        lambda w: {
            "name": "Vol A",
            "phone": "070-765 43 22",
            "email": "a@example.org",
            "birth_year": "",
        },
        forms=(MemberForm,),
    ),
    # The preview's signed rows: anything but the page's own payload is refused.
    Target(
        "import_confirm",
        "volunteers.import_confirm",
        "leader_a",
        lambda w: f"/members/{w.ids['assoc_a']}/import/confirm",
        lambda w: {"payload": w.raw["import"]},
        forms=(ImportConfirmForm,),
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_booking_or_member_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
