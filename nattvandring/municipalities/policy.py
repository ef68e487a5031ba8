"""Who may see and manage a municipality: its coordinators (admins always)."""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity


@authz.visibility("Municipality")
def _see_municipality(actor: Identity, municipality: Any) -> bool:
    return authz.coordinates(actor, municipality.id)


@authz.action("Municipality", "manage")
def _manage_municipality(actor: Identity, municipality: Any) -> bool:
    return authz.coordinates(actor, municipality.id)
