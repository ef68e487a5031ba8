"""The named predicates views and menus ask (pure: identities built in memory)."""

from __future__ import annotations

import pytest

from nattvandring import authz
from nattvandring.accounts.identity import Identity
from nattvandring.accounts.models import Membership, Role, User
from nattvandring.associations.models import Association
from nattvandring.errors import Forbidden
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea


def _person(*memberships: Membership) -> Identity:
    return Identity(User(id=7, name="Testperson"), list(memberships))


ADMIN = _person(Membership(user_id=7, role=Role.ADMIN))
COORDINATOR = _person(Membership(user_id=7, role=Role.COORDINATOR, municipality_id=1))
LEADER = _person(Membership(user_id=7, role=Role.LEADER, association_id=10))
LIAISON = _person(Membership(user_id=7, role=Role.SPONSOR_LIAISON, sponsor_id=5))
VOLUNTEER = _person(Membership(user_id=7, role=Role.VOLUNTEER, association_id=10))


class Anonymous:
    is_authenticated = False


def test_coordinator_or_admin():
    assert authz.coordinator_or_admin(ADMIN) and authz.coordinator_or_admin(COORDINATOR)
    for other in (LEADER, LIAISON, VOLUNTEER, Anonymous(), None):
        assert not authz.coordinator_or_admin(other)  # type: ignore[arg-type]


def test_tenant_predicates():
    assert authz.is_coordinator_of(COORDINATOR, 1)
    assert not authz.is_coordinator_of(COORDINATOR, 2)
    assert not authz.is_coordinator_of(COORDINATOR, None)
    assert authz.is_coordinator_of(ADMIN, 2)
    assert authz.is_leader_of(LEADER, 10) and not authz.is_leader_of(LEADER, 11)
    assert not authz.is_leader_of(VOLUNTEER, 10)  # a volunteer of the association leads nothing
    assert authz.is_leader_of(ADMIN, 11)
    assert not authz.is_leader_of(Anonymous(), 10)  # type: ignore[arg-type]


def test_own_role_menus_do_not_count_admins():
    assert authz.is_leader(LEADER) and not authz.is_leader(ADMIN)
    assert authz.is_liaison(LIAISON) and not authz.is_liaison(ADMIN)
    assert authz.is_admin(ADMIN) and not authz.is_admin(COORDINATOR)
    assert not authz.is_admin(Anonymous())  # type: ignore[arg-type]


def test_list_scope():
    assert authz.coordinated_municipality_ids(ADMIN) is None
    assert authz.coordinated_municipality_ids(COORDINATOR) == {1}
    assert authz.coordinated_municipality_ids(LEADER) == set()


def test_requirements_answer_403():
    authz.require_admin(ADMIN)
    with pytest.raises(Forbidden):
        authz.require_admin(COORDINATOR)
    authz.require_that(True)
    with pytest.raises(Forbidden):
        authz.require_that(authz.is_leader(COORDINATOR))


def test_core_rules_come_from_the_areas_policies():
    """Municipality, PatrolArea and Association rules live in their areas' policy.py."""
    area, other_area = (
        PatrolArea(municipality_id=1, name="A"),
        PatrolArea(municipality_id=2, name="B"),
    )
    assert authz.can(COORDINATOR, "manage", area) and not authz.can_see(COORDINATOR, other_area)
    town = Municipality(id=1, name="H", slug="h")
    assert authz.can(COORDINATOR, "manage", town) and not authz.can(LEADER, "manage", town)
    club = Association(id=10, municipality_id=2, name="C")
    assert authz.can(LEADER, "lead", club) and not authz.can(LEADER, "approve", club)
    assert not authz.can_see(COORDINATOR, club)
