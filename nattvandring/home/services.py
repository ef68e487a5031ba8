"""Which parts of the home page a person gets: one per role they hold.

A coordinator gets their municipalities' part, a leader one per association, a sponsor
liaison one per agreement of their sponsors, an admin the installation's. Each part reads
only the person's own tenants (``Identity`` holds them), so nothing of another municipality,
association or sponsor appears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from .. import authz
from ..accounts.identity import Identity
from ..accounts.models import Role
from .admin import AdminHome, admin_home
from .coordinator import CoordinatorHome, coordinator_home
from .leader import AssociationHome, leader_home
from .sponsor import AgreementHome, sponsor_home


@dataclass(frozen=True)
class Home:
    coordinator: CoordinatorHome | None = None
    leader: list[AssociationHome] = field(default_factory=list)
    sponsor: list[AgreementHome] | None = None  # None: not a liaison; []: no agreement yet
    admin: AdminHome | None = None

    @property
    def empty(self) -> bool:
        """No part at all (e.g. a volunteer with a login): the page shows the menu only."""
        return (
            self.coordinator is None
            and not self.leader
            and self.sponsor is None
            and self.admin is None
        )


def home_for(session: Session, person: Identity, now: datetime) -> Home:
    coordinator = None
    if authz.has(person, Role.COORDINATOR):
        coordinator = coordinator_home(session, person.municipality_ids(), now)
    sponsor = None
    if authz.is_liaison(person):
        sponsor = sponsor_home(session, person.sponsor_ids(), now)
    return Home(
        coordinator=coordinator,
        leader=leader_home(session, person.association_ids(), now)
        if authz.is_leader(person)
        else [],
        sponsor=sponsor,
        admin=admin_home(session, now) if authz.is_admin(person) else None,
    )
