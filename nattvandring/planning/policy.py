"""Who may plan: coordinators of the shift's or series' municipality (admins always).

Leaders may *see* shifts of the municipalities their associations belong to (the booking
area registers the actions they may take); only coordinators may edit or cancel them.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlmodel import col, select

from .. import authz
from ..accounts.identity import Identity


def leader_municipality_ids(actor: Identity) -> set[int]:
    """Municipalities of the associations the actor leads (one query, cached per request)."""
    association_ids = actor.association_ids()
    if not association_ids:
        return set()
    if not has_request_context():
        return set()
    cache_key = ("leader_municipalities", actor.id)
    cache = g.setdefault("_planning_policy_cache", {})
    if cache_key not in cache:
        from ..associations.models import Association
        from ..db import db_session

        rows = db_session().exec(
            select(Association.municipality_id).where(col(Association.id).in_(association_ids))
        )
        cache[cache_key] = set(rows)
    return cache[cache_key]


@authz.visibility("Shift")
def _see_shift(actor: Identity, shift: Any) -> bool:
    return authz.coordinates(actor, shift.municipality_id) or (
        shift.municipality_id in leader_municipality_ids(actor)
    )


@authz.action("Shift", "edit", "cancel", "plan")
def _plan_shift(actor: Identity, shift: Any) -> bool:
    return authz.coordinates(actor, shift.municipality_id)


@authz.visibility("ShiftSeries")
def _see_series(actor: Identity, series: Any) -> bool:
    return authz.coordinates(actor, series.municipality_id)


@authz.action("ShiftSeries", "edit", "cancel", "plan")
def _plan_series(actor: Identity, series: Any) -> bool:
    return authz.coordinates(actor, series.municipality_id)
