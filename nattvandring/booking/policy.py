"""Who may see and change bookings and walking groups.

A booking is visible to the leaders of its association and the coordinators of the shift's
municipality. Leaders manage the walking group; leaders and coordinators may cancel (the
service applies the deadline for leaders and demands a reason from coordinators).
"""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity
from ..planning.models import Shift


def _municipality_of_booking(booking: Any) -> int | None:
    session = authz.session_of(booking)
    shift = session.get(Shift, booking.shift_id) if session is not None else None
    return shift.municipality_id if shift else None


@authz.visibility("Booking")
def _see_booking(actor: Identity, booking: Any) -> bool:
    return authz.leads(actor, booking.association_id) or authz.coordinates(
        actor, _municipality_of_booking(booking)
    )


@authz.action("Booking", "view", "cancel")
def _view_booking(actor: Identity, booking: Any) -> bool:
    return authz.leads(actor, booking.association_id) or authz.coordinates(
        actor, _municipality_of_booking(booking)
    )


@authz.action("Booking", "roster")
def _manage_roster(actor: Identity, booking: Any) -> bool:
    return authz.leads(actor, booking.association_id)


def cancels_as_coordinator(actor: Identity, booking: Any) -> bool:
    """Admins and coordinators cancel with the coordinator's rules; leaders with their own."""
    return not authz.leads(actor, booking.association_id)
