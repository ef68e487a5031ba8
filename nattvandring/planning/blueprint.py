"""The planning blueprint and the helpers its view modules share."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from .. import authz
from ..accounts.models import Role
from ..municipalities.models import Municipality
from ..web.forms_util import load_for

bp = Blueprint("planning", __name__)


def planning_municipality(municipality_id: int) -> Municipality:
    """Coordinators (403 for other roles) of this municipality (404 for other tenants)."""
    authz.require_role(current_user, Role.COORDINATOR)
    return load_for(Municipality, municipality_id, "manage")
