"""Authorization in one place: may this actor do this action to this object?

Each object type has a *visibility* rule (tenant: municipality, association, sponsor) and an
*action* rule (role). ``require`` raises ``NotFound`` when the object is outside the actor's
tenants, so other tenants' ids answer 404 and existence is not leaked, and ``Forbidden`` when
the object is visible but the role may not do the action.

The rules live in each area's ``policy.py``; ``load_policies`` imports them all (the app
factory calls it, and so does the first check).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, object_session

from .accounts.identity import Identity
from .accounts.models import Role
from .errors import Forbidden, NotFound

Rule = Callable[[Identity, Any], bool]

_visibility: dict[str, Rule] = {}
_actions: dict[tuple[str, str], Rule] = {}


def visibility(type_name: str) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        _visibility[type_name] = rule
        return rule

    return register


def action(type_name: str, *names: str) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        for name in names:
            _actions[(type_name, name)] = rule
        return rule

    return register


_loaded = False


def load_policies() -> None:
    """Import every area's ``policy`` module, which registers its rules."""
    global _loaded
    if not _loaded:
        from .discovery import area_modules

        area_modules("policy")
        _loaded = True


def type_name_of(obj: Any) -> str:
    return type(obj).__name__


def can_see(actor: Identity | None, obj: Any) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_admin:
        return True
    load_policies()
    rule = _visibility.get(type_name_of(obj))
    return bool(rule and rule(actor, obj))


def can(actor: Identity | None, name: str, obj: Any) -> bool:
    if not can_see(actor, obj):
        return False
    assert actor is not None
    if actor.is_admin:
        return True
    rule = _actions.get((type_name_of(obj), name))
    return bool(rule and rule(actor, obj))


def require(actor: Identity | None, name: str, obj: Any) -> None:
    if obj is None or not can_see(actor, obj):
        raise NotFound()
    if not can(actor, name, obj):
        raise Forbidden()


def require_role(actor: Identity | None, *roles: Role) -> None:
    """For pages without a single object: the actor must hold one of ``roles`` (or be admin)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden()
    if actor.is_admin or any(actor.has_role(role) for role in roles):
        return
    raise Forbidden()


# --- predicates the areas' rules are written with ----------------------------------------------


def session_of(obj: Any) -> Session | None:
    """The session ``obj`` was loaded in: a rule that must read more rows reads them there,
    never through the request's global session (None for an object in no session)."""
    return object_session(obj)


def coordinates(actor: Identity, municipality_id: int | None) -> bool:
    return municipality_id is not None and municipality_id in actor.municipality_ids()


def leads(actor: Identity, association_id: int | None) -> bool:
    return association_id is not None and association_id in actor.association_ids()


# --- named predicates for views and navigation -------------------------------------------------
# A view asks one of these (or ``require`` an object) instead of reading roles itself.


def _signed_in(actor: Identity | None) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def is_admin(actor: Identity | None) -> bool:
    return _signed_in(actor) and actor.is_admin  # type: ignore[union-attr]


def has(actor: Identity | None, role: Role) -> bool:
    """Holds ``role`` itself (an admin does not count): for menus of that role's own pages."""
    return _signed_in(actor) and actor.has_role(role)  # type: ignore[union-attr]


def is_leader(actor: Identity | None) -> bool:
    return has(actor, Role.LEADER)


def is_liaison(actor: Identity | None) -> bool:
    return has(actor, Role.SPONSOR_LIAISON)


def coordinator_or_admin(actor: Identity | None) -> bool:
    """Coordinates some municipality, or is an admin (who plans everywhere)."""
    return is_admin(actor) or has(actor, Role.COORDINATOR)


def is_coordinator_of(actor: Identity | None, municipality_id: int | None) -> bool:
    return is_admin(actor) or (_signed_in(actor) and coordinates(actor, municipality_id))  # type: ignore[arg-type]


def is_leader_of(actor: Identity | None, association_id: int | None) -> bool:
    return is_admin(actor) or (_signed_in(actor) and leads(actor, association_id))  # type: ignore[arg-type]


def coordinated_municipality_ids(actor: Identity) -> set[int] | None:
    """The municipalities whose rows a coordinator's list shows: None (all) for an admin."""
    return None if is_admin(actor) else actor.municipality_ids()


def require_admin(actor: Identity | None) -> None:
    if not is_admin(actor):
        raise Forbidden()


def require_that(allowed: bool) -> None:
    """403 unless a named predicate above said yes: ``require_that(is_leader(user))``."""
    if not allowed:
        raise Forbidden()
