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
