"""Who may see and rotate an association's secret calendar link: its leaders (and admins)."""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity


@authz.action("Association", "calendar")
def _association_calendar(actor: Identity, association: Any) -> bool:
    return authz.leads(actor, association.id)
