"""Who may see and act on an association.

Its municipality's coordinators see it and approve it; its leaders see it, edit it and lead
it (book, keep the walking group); both may view it.
"""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity


@authz.visibility("Association")
def _see_association(actor: Identity, association: Any) -> bool:
    return authz.coordinates(actor, association.municipality_id) or authz.leads(
        actor, association.id
    )


@authz.action("Association", "approve")
def _approve_association(actor: Identity, association: Any) -> bool:
    return authz.coordinates(actor, association.municipality_id)


@authz.action("Association", "edit", "lead")
def _lead_association(actor: Identity, association: Any) -> bool:
    return authz.leads(actor, association.id)


@authz.action("Association", "view")
def _view_association(actor: Identity, association: Any) -> bool:
    return authz.coordinates(actor, association.municipality_id) or authz.leads(
        actor, association.id
    )
