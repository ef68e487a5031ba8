"""Who sees which SMS: admins all, coordinators their municipality's, leaders their association's.

Only admins retry a message by hand (no rule for "retry": ``authz`` lets only admins pass).
"""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity


@authz.visibility("SmsMessage")
def _see_message(actor: Identity, message: Any) -> bool:
    return authz.coordinates(actor, message.municipality_id) or authz.leads(
        actor, message.association_id
    )


@authz.action("SmsMessage", "view")
def _view_message(actor: Identity, message: Any) -> bool:
    return _see_message(actor, message)


def sees_outbox(actor: Any) -> bool:
    """The "Skickade SMS" page: admins and coordinators."""
    return authz.coordinator_or_admin(actor)
