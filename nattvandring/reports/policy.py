"""Who may see and do what with reports and unsafe places.

Coordinators see their municipality's reports and review them; leaders see and file their own
association's reports. Everything else answers 404 (another tenant) or 403 (wrong role).
Volunteers file from their personal page, where the link itself is the authorization and the
service checks that they walked with the group.
"""

from __future__ import annotations

from typing import Any

from .. import authz
from ..accounts.identity import Identity


@authz.visibility("PatrolReport")
def _see_report(actor: Identity, report: Any) -> bool:
    return authz.coordinates(actor, report.municipality_id) or authz.leads(
        actor, report.association_id
    )


@authz.action("PatrolReport", "view")
def _view_report(actor: Identity, report: Any) -> bool:
    return authz.coordinates(actor, report.municipality_id) or authz.leads(
        actor, report.association_id
    )


@authz.action("PatrolReport", "file")
def _file_report(actor: Identity, report: Any) -> bool:
    return authz.leads(actor, report.association_id)


@authz.action("PatrolReport", "review")
def _review_report(actor: Identity, report: Any) -> bool:
    return authz.coordinates(actor, report.municipality_id)


@authz.visibility("UnsafePlace")
def _see_place(actor: Identity, place: Any) -> bool:
    return authz.coordinates(actor, place.municipality_id)


@authz.action("UnsafePlace", "follow_up")
def _follow_up_place(actor: Identity, place: Any) -> bool:
    return authz.coordinates(actor, place.municipality_id)
