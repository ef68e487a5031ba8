"""Planning pages for coordinators, plus the public page per municipality.

The routes live in views_*.py modules that attach to the one blueprint ``bp``.
"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from .. import authz
from ..accounts.models import Role
from ..db import db_session
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..web import nav
from .blueprint import bp

TARGETS = {
    "calendar": ("planning.calendar", _l("Planering")),
    "coverage": ("planning.coverage", _l("Täckning")),
    "areas": ("planning.areas", _l("Områden")),
}


def _choose(target: str):  # type: ignore[no-untyped-def]
    authz.require_role(current_user, Role.COORDINATOR)
    endpoint, title = TARGETS[target]
    query = select(Municipality).order_by(Municipality.name)
    scope = authz.coordinated_municipality_ids(current_user)
    if scope is not None:
        query = query.where(Municipality.id.in_(scope))
    municipalities = list(db_session().exec(query))
    if len(municipalities) == 1:
        return redirect(url_for(endpoint, municipality_id=municipalities[0].id))
    return render_template(
        "planning/choose.html",
        municipalities=municipalities,
        endpoint=endpoint,
        title=str(title),
        empty=_("Du har ingen kommun att planera."),
    )


@bp.get("/planning")
@login_required
def index():  # type: ignore[no-untyped-def]
    return _choose("calendar")


@bp.get("/planning/coverage")
@login_required
def coverage_index():  # type: ignore[no-untyped-def]
    return _choose("coverage")


@bp.get("/planning/areas")
@login_required
def areas_index():  # type: ignore[no-untyped-def]
    return _choose("areas")


nav.register("planning.index", _l("Planering"), authz.coordinator_or_admin, order=12)
nav.register("planning.coverage_index", _l("Täckning"), authz.coordinator_or_admin, order=14)
nav.register("planning.areas_index", _l("Områden"), authz.coordinator_or_admin, order=16)
