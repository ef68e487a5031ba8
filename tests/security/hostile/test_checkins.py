"""Hostile input to the check-in area's one form with fields: the nudge settings."""

from __future__ import annotations

from nattvandring.checkins.forms import NudgeSettingsForm
from tests.security.hostile.harness import Target, check_target
from tests.security.hostile.world import Fuzzer, base_world


def _fields(w) -> dict[str, str]:
    prefix = f"m{w.ids['hassleholm']}-"
    return {f"{prefix}nudge_not_started": "y", f"{prefix}nudge_still_out": "y"}


TARGETS = [
    Target(
        "nudge_settings",
        "checkins.save_nudges",
        "coord_h",
        lambda w: f"/ute-nu/settings/{w.ids['hassleholm']}",
        _fields,
        forms=(NudgeSettingsForm,),
    ),
]


def test_hostile_values_never_break_the_nudge_settings(fuzz_app):
    check_target(Fuzzer(fuzz_app, base_world), TARGETS[0])
