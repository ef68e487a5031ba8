"""The planning blueprint and the helpers its view modules share."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask_babel import format_date
from flask_login import current_user

from .. import authz
from ..accounts.models import Role
from ..clock import to_local
from ..municipalities.models import Municipality
from ..web.forms_util import load_for
from . import special_nights as specials
from .models import Shift

bp = Blueprint("planning", __name__)


def planning_municipality(municipality_id: int) -> Municipality:
    """Coordinators (403 for other roles) of this municipality (404 for other tenants)."""
    authz.require_role(current_user, Role.COORDINATOR)
    return load_for(Municipality, municipality_id, "manage")


@bp.app_template_global("special_night_name")
def special_night_name(shift: Shift) -> str | None:
    """The name of the special night a shift is marked with, in the page's language."""
    label = specials.night_label(shift.special_key, to_local(shift.start_at).date())
    return None if label is None else str(label)


@bp.app_template_filter("local_day")
def local_day(moment) -> date:
    """The local (Europe/Stockholm) calendar day of a UTC instant."""
    return to_local(moment).date()


@bp.app_template_filter("format_weekday")
def format_weekday(day: date) -> str:
    """The weekday's name in the page's language."""
    return format_date(day, "EEEE")
