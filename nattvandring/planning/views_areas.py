"""Patrol areas of a municipality."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import authz
from ..accounts.models import Role
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _
from ..web.forms_util import load_for, show_violation
from . import services_areas as services
from .blueprint import bp, planning_municipality
from .forms import AreaForm, optional_int
from .models import PatrolArea


def _input(form: AreaForm) -> services.AreaInput:
    return services.AreaInput(
        name=form.name.data or "",
        meeting_point=form.meeting_point.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        description=form.description.data or "",
        equipment_note=form.equipment_note.data or "",
        default_start=form.default_start.data,
        default_end=form.default_end.data,
        default_min_walkers=form.default_min_walkers.data,
        default_max_walkers=optional_int(form.default_max_walkers),
        min_age=form.min_age.data,
        active=bool(form.active.data),
    )


@bp.get("/planning/<int:municipality_id>/areas")
@login_required
def areas(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    rows = services.areas_of(db_session(), municipality_id)
    return render_template("planning/areas.html", municipality=municipality, areas=rows)


@bp.route("/planning/<int:municipality_id>/areas/new", methods=["GET", "POST"])
@login_required
def area_new(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    form = AreaForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            area = services.create_area(
                session, municipality=municipality, data=_input(form), actor_id=current_user.id
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Området %(name)s är skapat.", name=area.name), "success")
            return redirect(url_for("planning.areas", municipality_id=municipality_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "planning/area_form.html", form=form, municipality=municipality, area=None
    ), status


@bp.route("/planning/areas/<int:area_id>/edit", methods=["GET", "POST"])
@login_required
def area_edit(area_id: int):
    authz.require_role(current_user, Role.COORDINATOR)
    area = load_for(PatrolArea, area_id, "manage")
    session = db_session()
    municipality = planning_municipality(area.municipality_id)
    form = AreaForm(obj=area)
    if form.validate_on_submit():
        try:
            services.update_area(session, area, data=_input(form), actor_id=current_user.id)
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Området %(name)s är sparat.", name=area.name), "success")
            return redirect(url_for("planning.areas", municipality_id=area.municipality_id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "planning/area_form.html", form=form, municipality=municipality, area=area
    ), status


@bp.post("/planning/areas/<int:area_id>/active")
@login_required
def area_set_active(area_id: int):
    authz.require_role(current_user, Role.COORDINATOR)
    area = load_for(PatrolArea, area_id, "manage")
    active = request.form.get("active") == "1"
    services.set_area_active(db_session(), area, active=active, actor_id=current_user.id)
    if active:
        flash(_("Området %(name)s är aktivt igen.", name=area.name), "success")
    else:
        flash(
            _(
                "Området %(name)s är inaktiverat. Befintliga pass finns kvar.",
                name=area.name,
            ),
            "success",
        )
    return redirect(url_for("planning.areas", municipality_id=area.municipality_id))
