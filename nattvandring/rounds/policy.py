"""Who may see and run booking rounds.

Coordinators of the round's municipality open and draw rounds; leaders of its associations
see them (and rank nights for their own association, checked by the association's "lead").
A drawn round's page is open to both, so anyone taking part can check the draw.
"""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity
from ..planning.policy import leader_municipality_ids


@authz.visibility("BookingRound")
def _see_round(actor: Identity, found: Any) -> bool:
    return authz.coordinates(actor, found.municipality_id) or (
        found.municipality_id in leader_municipality_ids(authz.session_of(found), actor)
    )


@authz.action("BookingRound", "view")
def _view_round(actor: Identity, found: Any) -> bool:
    return _see_round(actor, found)


@authz.action("BookingRound", "draw")
def _draw_round(actor: Identity, found: Any) -> bool:
    return authz.coordinates(actor, found.municipality_id)
