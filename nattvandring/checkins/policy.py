"""Who may check walkers in and out, and who sees who is out.

The group's leaders check in their own group (the personal link checks in its owner, see
views). Coordinators see the groups out in their municipalities and choose its nudges.
"""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity


@authz.action("Booking", "checkin")
def _check_in_group(actor: Identity, booking: Any) -> bool:
    return authz.leads(actor, booking.association_id)


@authz.action("Municipality", "nudges")
def _choose_nudges(actor: Identity, municipality: Any) -> bool:
    return authz.coordinates(actor, municipality.id)


def sees_out_now(actor: Identity | None) -> bool:
    return authz.coordinator_or_admin(actor)
