"""Hostile input to the booking round forms: the coordinator's new round, a leader's wishes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nattvandring.planning.models import Shift
from nattvandring.rounds.draw import seed_commitment
from nattvandring.rounds.forms import RoundForm
from nattvandring.rounds.models import BookingRound, RoundShift
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import Fuzzer, World, base_world


def build(session) -> World:
    world = base_world(session)
    ids = world.ids
    nights = []
    for days in (0, 7, 14):
        start = datetime(2026, 11, 27, 20, tzinfo=UTC) + timedelta(days=days)
        shift = Shift(
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            start_at=start,
            end_at=start + timedelta(hours=4),
        )
        session.add(shift)
        nights.append(shift)
    session.flush()
    found = BookingRound(
        municipality_id=ids["hassleholm"],
        name="Advent",
        deadline=datetime(2026, 11, 20, 11, tzinfo=UTC),
        seed="1" * 32,
        seed_sha256=seed_commitment("1" * 32),
    )
    session.add(found)
    session.flush()
    session.add_all(RoundShift(round_id=found.id, shift_id=s.id) for s in nights[:2])
    session.flush()
    ids.update(round=found.id, night_1=nights[0].id, night_2=nights[1].id, night_3=nights[2].id)
    return world


TARGETS = [
    Target(
        "round_new",
        "rounds.rounds",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/rounds",
        lambda w: {
            "name": "Julhelgerna",
            "first_day": "2026-12-01",
            "last_day": "2026-12-31",
            "deadline_day": "2026-11-25",
            "deadline_time": "12:00",
            "max_nights": "2",
        },
        forms=(RoundForm,),
        values={"step": ("choose", "open", ""), "choose": ("1", "0"), "shift": ("1", "x")},
    ),
    Target(
        "round_new_chosen_nights",
        "rounds.rounds",
        "coord_h",
        lambda w: f"/planning/{w.ids['hassleholm']}/rounds",
        lambda w: {
            "name": "Julhelgerna",
            "first_day": "2026-12-01",
            "last_day": "2026-12-31",
            "deadline_day": "2026-11-25",
            "deadline_time": "12:00",
            "max_nights": "2",
            "choose": "1",
            "shift": str(w.ids["night_3"]),
        },
        forms=(RoundForm,),
        values={
            "step": ("choose", ""),
            "shift": ("0", "-1", "2147483648", "9223372036854775808", "1.5"),
        },
    ),
    Target(
        "round_wishes",
        "rounds.wishes",
        "leader_a",
        lambda w: f"/booking/{w.ids['assoc_a']}/rounds/{w.ids['round']}",
        lambda w: {f"rank-{w.ids['night_2']}": "1", f"rank-{w.ids['night_1']}": "2"},
    ),
]


@pytest.mark.parametrize("target", TARGETS, ids=lambda target: target.name)
def test_hostile_values_never_break_a_round_form(fuzz_app, target):
    check_target(Fuzzer(fuzz_app, build), target)
