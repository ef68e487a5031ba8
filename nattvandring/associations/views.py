"""Association pages: public registration, the coordinator's list and approval, the profile."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select
from wtforms.fields.choices import SelectChoice

from .. import authz
from ..accounts.forms import CodeForm
from ..accounts.models import Role
from ..accounts.verification import CODE_MINUTES
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..extensions import limit_code_tries, limiter
from ..formatting import national_phone
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..web import nav
from ..web.forms_util import load_for, show_violation
from ..web.i18n_setup import select_locale
from . import registration, services
from .blueprint import bp
from .forms import AssociationEditForm, RegistrationForm
from .models import Association, AssociationStatus, RegistrationRequest


def _input_from(form) -> services.AssociationInput:  # type: ignore[no-untyped-def]
    return services.AssociationInput(
        name=form.name.data or "",
        org_number=form.org_number.data or "",
        account_type=form.account_type.data or "",
        account_number=form.account_number.data or "",
        contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "",
        contact_phone=form.contact_phone.data or "",
    )


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC_FORMS"], methods=["POST"])
def register():  # type: ignore[no-untyped-def]
    session = db_session()
    municipalities = list(session.exec(select(Municipality).order_by(Municipality.name)))
    form = RegistrationForm()
    form.municipality_id.choices = [SelectChoice(m.id, m.name) for m in municipalities]
    if form.validate_on_submit():
        municipality = session.get(Municipality, form.municipality_id.data)
        if municipality is None:
            abort(400)
        try:
            started = registration.start(
                session,
                municipality=municipality,
                data=_input_from(form),
                password=form.password.data or "",
                language=select_locale(),
                base_url=current_app.config["PUBLIC_BASE_URL"],
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return render_template("associations/register.html", form=form), 422
        # The same answer whoever the address and number belong to.
        flash(
            _(
                "Tack! Vi har skickat ett e-postmeddelande till %(email)s. Öppna länken i det "
                "inom %(hours)s timmar för att bekräfta ansökan.",
                email=started.contact_email,
                hours=registration.REGISTRATION_HOURS,
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("associations/register.html", form=form), status


def _registration(token: str) -> RegistrationRequest:
    found = registration.by_token(db_session(), token)
    if found is None:
        raise NotFound()
    return found


def _confirm_page(token: str, form: CodeForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    found = _registration(token)
    session = db_session()
    return render_template(
        "associations/register_confirm.html",
        application=found,
        municipality=session.get(Municipality, found.municipality_id),
        pending=registration.pending_code(session, found),
        form=form or CodeForm(formdata=None),
        token=token,
    ), status


@bp.route("/register/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC_FORMS"], methods=["POST"])
@limit_code_tries()
def register_confirm(token: str):  # type: ignore[no-untyped-def]
    """The link from the e-mail (the address is proven): enter the code sent to the number."""
    found = _registration(token)
    form = CodeForm()
    if not form.validate_on_submit():
        return _confirm_page(token, form, 422 if form.is_submitted() else 200)
    session = db_session()
    try:
        outcome = registration.complete(session, found, form.code.data or "")
    except RuleViolation as violation:
        session.rollback()
        show_violation(form, violation)
        return _confirm_page(token, form, 422)
    if outcome == registration.Outcome.EXISTING_LOGIN:
        message = _(
            "Tack! Ansökan är skickad och föreningen är kopplad till ditt befintliga konto: "
            "logga in med ditt vanliga lösenord. Kommunens samordnare godkänner föreningen."
        )
    else:
        message = _(
            "Tack! Ansökan är skickad. Kommunens samordnare godkänner föreningen, "
            "sedan kan du logga in och boka pass."
        )
    flash(message, "success")
    return redirect(url_for("accounts.login"))


@bp.post("/register/<token>/code")
@limiter.limit(lambda: current_app.config["RATELIMIT_PUBLIC_FORMS"])
def register_code(token: str):  # type: ignore[no-untyped-def]
    """Send (again) the code to the contact number; the answer is always the same."""
    found = _registration(token)
    registration.send_code(db_session(), found)
    flash(
        _(
            "Vi har skickat en kod till %(phone)s om numret kan ta emot SMS. Den gäller i "
            "%(minutes)s minuter.",
            phone=national_phone(found.contact_phone),
            minutes=CODE_MINUTES,
        ),
        "success",
    )
    return redirect(url_for("associations.register_confirm", token=token))


@bp.get("/associations")
@login_required
def coordinator_list():  # type: ignore[no-untyped-def]
    authz.require_role(current_user, Role.COORDINATOR)
    query = select(Association, Municipality).join(
        Municipality, Municipality.id == Association.municipality_id
    )
    scope = authz.coordinated_municipality_ids(current_user)
    if scope is not None:
        query = query.where(Association.municipality_id.in_(scope))
    status = request.args.get("status", "")
    if status in set(AssociationStatus):
        query = query.where(Association.status == status)
    rows = db_session().exec(query.order_by(Municipality.name, Association.name)).all()
    return render_template("associations/list.html", rows=rows, status=status)


@bp.get("/my/associations")
@login_required
def my_associations():  # type: ignore[no-untyped-def]
    ids = current_user.association_ids()
    if not ids:
        abort(403)
    if len(ids) == 1:
        return redirect(url_for("associations.detail", association_id=next(iter(ids))))
    rows = (
        db_session()
        .exec(select(Association).where(Association.id.in_(ids)).order_by(Association.name))
        .all()
    )
    return render_template("associations/mine.html", associations=rows)


@bp.get("/associations/<int:association_id>")
@login_required
def detail(association_id: int):  # type: ignore[no-untyped-def]
    association = load_for(Association, association_id, "view")
    municipality = db_session().get(Municipality, association.municipality_id)
    return render_template(
        "associations/detail.html",
        association=association,
        municipality=municipality,
        can_approve=authz.can(current_user, "approve", association),
        can_edit=authz.can(current_user, "edit", association),
    )


@bp.post("/associations/<int:association_id>/status")
@login_required
def change_status(association_id: int):  # type: ignore[no-untyped-def]
    association = load_for(Association, association_id, "approve")
    try:
        status = AssociationStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    services.set_status(db_session(), association, status, actor_id=current_user.id)
    messages = {
        AssociationStatus.APPROVED: _("Föreningen är godkänd."),
        AssociationStatus.SUSPENDED: _("Föreningen är avstängd."),
        AssociationStatus.PENDING: _("Föreningen väntar på godkännande."),
    }
    flash(messages[status], "success")
    return redirect(url_for("associations.detail", association_id=association.id))


@bp.route("/associations/<int:association_id>/edit", methods=["GET", "POST"])
@login_required
def edit(association_id: int):  # type: ignore[no-untyped-def]
    association = load_for(Association, association_id, "edit")
    form = AssociationEditForm(obj=association)
    if request.method == "GET":
        form.contact_phone.data = national_phone(association.contact_phone)
    if form.validate_on_submit():
        session = db_session()
        try:
            services.update_profile(
                session,
                association,
                _input_from(form),
                allow_self_signup=bool(form.allow_self_signup.data),
                actor_id=current_user.id,
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return render_template(
                "associations/edit.html", form=form, association=association
            ), 422
        flash(_("Föreningens uppgifter är sparade."), "success")
        return redirect(url_for("associations.detail", association_id=association.id))
    status = 422 if request.method == "POST" else 200
    return render_template("associations/edit.html", form=form, association=association), status


nav.register(
    "associations.coordinator_list",
    _l("Föreningar"),
    authz.coordinator_or_admin,
    order=20,
)
nav.register("associations.my_associations", _l("Min förening"), authz.is_leader, 30)
