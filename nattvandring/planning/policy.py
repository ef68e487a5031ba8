"""Who may plan: coordinators of the area's, shift's or series' municipality (admins always).

Leaders may *see* shifts of the municipalities their associations belong to (the booking
area registers the actions they may take); only coordinators may edit or cancel them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from .. import authz
from ..accounts.identity import Identity
from ..associations.models import Association


def leader_municipality_ids(session: Session | None, actor: Identity) -> set[int]:
    """Municipalities of the associations the actor leads (one query per session)."""
    association_ids = actor.association_ids()
    if not association_ids or session is None:
        return set()
    cache_key = ("leader_municipalities", actor.id, frozenset(association_ids))
    cache = session.info.setdefault("planning_policy", {})
    if cache_key not in cache:
        rows = session.exec(
            select(Association.municipality_id).where(Association.id.in_(association_ids))
        )
        cache[cache_key] = set(rows)
    return cache[cache_key]


@authz.visibility("Shift")
def _see_shift(actor: Identity, shift: Any) -> bool:
    return authz.coordinates(actor, shift.municipality_id) or (
        shift.municipality_id in leader_municipality_ids(authz.session_of(shift), actor)
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


@authz.visibility("PatrolArea")
def _see_area(actor: Identity, area: Any) -> bool:
    return authz.coordinates(actor, area.municipality_id)


@authz.action("PatrolArea", "manage")
def _manage_area(actor: Identity, area: Any) -> bool:
    return authz.coordinates(actor, area.municipality_id)
