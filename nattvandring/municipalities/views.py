"""Admin: municipalities and their coordinators."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from .. import authz
from ..accounts.forms import InviteForm
from ..accounts.invitations import invite_staff, offered, sent_message
from ..accounts.models import Membership, Role, User
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _, _l
from ..web import nav
from ..web.forms_util import load_for, show_violation
from . import services
from .blueprint import bp
from .forms import MunicipalityForm
from .models import Municipality


@bp.route("/admin/municipalities", methods=["GET", "POST"])
@login_required
def admin_list():  # type: ignore[no-untyped-def]
    authz.require_admin(current_user)
    session = db_session()
    form = MunicipalityForm()
    if form.validate_on_submit():
        try:
            municipality = services.create_municipality(
                session, name=form.name.data or "", actor_id=current_user.id
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Kommunen %(name)s är skapad.", name=municipality.name), "success")
            return redirect(url_for("municipalities.detail", municipality_id=municipality.id))
    municipalities = session.exec(select(Municipality).order_by(Municipality.name)).all()
    status = 422 if form.errors or any(f.errors for f in form) else 200
    return render_template(
        "municipalities/admin_list.html", municipalities=municipalities, form=form
    ), status


@bp.route("/municipalities/<int:municipality_id>", methods=["GET"])
@login_required
def detail(municipality_id: int):  # type: ignore[no-untyped-def]
    municipality = load_for(Municipality, municipality_id, "manage")
    coordinators = (
        db_session()
        .exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.role == Role.COORDINATOR, Membership.municipality_id == municipality.id
            )
            .order_by(User.name)
        )
        .all()
    )
    return render_template(
        "municipalities/detail.html",
        municipality=municipality,
        coordinators=coordinators,
        invited=offered(db_session(), municipality_id=municipality.id),
        form=InviteForm(),
        can_invite=authz.is_admin(current_user),
    )


@bp.post("/municipalities/<int:municipality_id>/coordinators")
@login_required
def invite_coordinator(municipality_id: int):  # type: ignore[no-untyped-def]
    municipality = load_for(Municipality, municipality_id, "manage")
    authz.require_admin(current_user)
    form = InviteForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("municipalities.detail", municipality_id=municipality.id))
    invite_staff(
        db_session(),
        name=form.name.data or "",
        email=form.email.data or "",
        role=Role.COORDINATOR,
        municipality_id=municipality.id,
        base_url=current_app.config["PUBLIC_BASE_URL"],
        hours=int(current_app.config["INVITATION_HOURS"]),
    )
    flash(sent_message(form.email.data or ""), "success")
    return redirect(url_for("municipalities.detail", municipality_id=municipality.id))


nav.register("municipalities.admin_list", _l("Kommuner"), authz.is_admin, order=10)
