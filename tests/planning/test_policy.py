"""Shift and series rules: coordinators plan, leaders of the municipality only see."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from nattvandring import authz
from nattvandring.accounts.identity import Identity
from nattvandring.accounts.models import Membership, User
from nattvandring.planning import policy  # noqa: F401 - registers the rules
from nattvandring.planning.models import ShiftSeries
from tests.support.shifts import make_shift


def _identity(db, user_id: int) -> Identity:  # type: ignore[no-untyped-def]
    user = db.get(User, user_id)
    return Identity(user, list(db.exec(select(Membership).where(Membership.user_id == user_id))))


def test_who_may_see_and_plan_a_shift(app, world, db):
    shift = make_shift(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        day=date(2026, 9, 4),
    )
    series = ShiftSeries(
        municipality_id=world.ids["hassleholm"],
        weekdays="4",
        start_date=date(2026, 9, 4),
        end_date=date(2026, 9, 4),
        start_time=shift.start_at.time(),
        end_time=shift.end_at.time(),
    )
    db.add(series)
    db.commit()
    with app.test_request_context("/"):
        coord_h, coord_b = _identity(db, world.ids["coord_h"]), _identity(db, world.ids["coord_b"])
        leader_a, leader_c = (
            _identity(db, world.ids["leader_a"]),
            _identity(db, world.ids["leader_c"]),
        )
        admin = _identity(db, world.ids["admin"])
        for action in ("edit", "cancel"):
            assert authz.can(coord_h, action, shift) and authz.can(admin, action, shift)
            assert not authz.can(coord_b, action, shift)
            assert not authz.can(leader_a, action, shift)
            assert authz.can(coord_h, action, series) and not authz.can(coord_b, action, series)
        assert authz.can_see(leader_a, shift)  # leaders of the municipality see its shifts
        assert not authz.can_see(leader_c, shift)
        assert not authz.can_see(coord_b, shift)
        assert not authz.can_see(leader_a, series)
