"""Member pages for association leaders: list, add, edit, remove, personal link, CSV import."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import authz, tokens
from ..accounts.models import User
from ..associations.models import Association, AssociationStatus
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..formatting import national_phone
from ..i18n import _, _l, ngettext
from ..web import nav
from ..web.forms_util import load_for, show_violation
from . import csv_import, services, services_requests
from .blueprint import bp
from .forms import ImportConfirmForm, ImportForm, MemberForm
from .models import MembershipRequest


def _association(association_id: int) -> Association:
    return load_for(Association, association_id, "lead")


def _member(association: Association, user_id: int) -> User:
    """A volunteer of this association, or 404."""
    session = db_session()
    user = session.get(User, user_id)
    if user is None or services.volunteer_membership(session, association.id, user_id) is None:  # type: ignore[arg-type]
        raise NotFound()
    return user


def _input(form: MemberForm) -> services.MemberInput:
    return services.MemberInput(
        name=form.name.data or "",
        phone=form.phone.data or "",
        email=form.email.data or "",
        birth_year=form.birth_year.data,
    )


@bp.get("/members/")
@login_required
def start():
    from ..booking.views import choose_or_redirect

    return choose_or_redirect("volunteers.members", _("Medlemmar"))


def _asked_message(association: Association, typed_name: str) -> str:
    if association.status == AssociationStatus.APPROVED:
        return _(
            "Numret eller e-postadressen finns redan hos oss. %(name)s får en fråga om att gå "
            "med och blir medlem när hen har svarat ja.",
            name=typed_name,
        )
    return _(
        "Numret eller e-postadressen finns redan hos oss. %(name)s får en fråga om att gå med "
        "när kommunen har godkänt föreningen, och blir medlem när hen har svarat ja.",
        name=typed_name,
    )


@bp.get("/members/<int:association_id>/")
@login_required
def members(association_id: int):
    association = _association(association_id)
    session = db_session()
    return render_template(
        "volunteers/members.html",
        association=association,
        members=services.members_of(session, association_id),
        requests=services_requests.requests_of(session, association_id),
    )


@bp.post("/members/<int:association_id>/requests/<int:request_id>/remove")
@login_required
def request_remove(association_id: int, request_id: int):
    association = _association(association_id)
    session = db_session()
    request = session.get(MembershipRequest, request_id)
    if request is None or request.association_id != association.id:
        raise NotFound()
    services_requests.withdraw(session, request, association=association, actor_id=current_user.id)
    flash(_("Frågan till %(name)s är borttagen.", name=request.name), "success")
    return redirect(url_for("volunteers.members", association_id=association_id))


@bp.route("/members/<int:association_id>/new", methods=["GET", "POST"])
@login_required
def add(association_id: int):
    association = _association(association_id)
    form = MemberForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            added = services.add_member(
                session,
                association_id=association_id,
                municipality_id=association.municipality_id,
                data=_input(form),
                actor_id=current_user.id,
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return render_template(
                "volunteers/member_form.html", form=form, association=association, user=None
            ), 422
        if added.request is not None:
            # Only what the leader typed: nothing about the person the number belongs to.
            flash(_asked_message(association, added.request.name), "success")
            return redirect(url_for("volunteers.members", association_id=association_id))
        assert added.user is not None
        flash(_("%(name)s är tillagd som medlem.", name=added.user.name), "success")
        return redirect(
            url_for("volunteers.member", association_id=association_id, user_id=added.user.id)
        )
    status = 422 if form.is_submitted() else 200
    return render_template(
        "volunteers/member_form.html", form=form, association=association, user=None
    ), status


@bp.get("/members/<int:association_id>/<int:user_id>")
@login_required
def member(association_id: int, user_id: int):
    association = _association(association_id)
    user = _member(association, user_id)
    session = db_session()
    shared = services.belongs_elsewhere(session, user, association_id)
    url = None
    if not shared:
        url = services.personal_url_for_read(
            session,
            user,
            current_app.config["PUBLIC_BASE_URL"],
            tokens.signing_keys(current_app.config),
        )
    return render_template(
        "volunteers/member.html",
        association=association,
        user=user,
        personal_url=url,
        shared=shared,
    )


@bp.route("/members/<int:association_id>/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit(association_id: int, user_id: int):
    association = _association(association_id)
    user = _member(association, user_id)
    form = MemberForm(obj=user)
    if not form.is_submitted():
        form.phone.data = national_phone(user.phone_e164)
    if form.validate_on_submit():
        session = db_session()
        try:
            services.update_member(
                session,
                user,
                _input(form),
                association_id=association_id,
                municipality_id=association.municipality_id,
                actor_id=current_user.id,
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return render_template(
                "volunteers/member_form.html", form=form, association=association, user=user
            ), 422
        flash(_("Uppgifterna är sparade."), "success")
        return redirect(
            url_for("volunteers.member", association_id=association_id, user_id=user_id)
        )
    status = 422 if form.is_submitted() else 200
    return render_template(
        "volunteers/member_form.html", form=form, association=association, user=user
    ), status


@bp.post("/members/<int:association_id>/<int:user_id>/remove")
@login_required
def remove(association_id: int, user_id: int):
    association = _association(association_id)
    user = _member(association, user_id)
    services.remove_member(
        db_session(),
        user,
        association_id=association_id,
        municipality_id=association.municipality_id,
        actor_id=current_user.id,
    )
    flash(_("%(name)s är inte längre medlem.", name=user.name), "success")
    return redirect(url_for("volunteers.members", association_id=association_id))


@bp.post("/members/<int:association_id>/<int:user_id>/rotate-link")
@login_required
def rotate_link(association_id: int, user_id: int):
    association = _association(association_id)
    user = _member(association, user_id)
    if services.belongs_elsewhere(db_session(), user, association_id):
        flash(_("Medlemmen är med även på annat håll och byter själv sin länk."), "error")
        return redirect(
            url_for("volunteers.member", association_id=association_id, user_id=user_id)
        )
    services.rotate_personal_link(
        db_session(), user, tokens.signing_keys(current_app.config), actor_id=current_user.id
    )
    flash(_("En ny personlig länk är skapad. Den gamla fungerar inte längre."), "success")
    return redirect(url_for("volunteers.member", association_id=association_id, user_id=user_id))


@bp.route("/members/<int:association_id>/import", methods=["GET", "POST"])
@login_required
def import_upload(association_id: int):
    association = _association(association_id)
    form = ImportForm()
    if not form.is_submitted():
        return render_template("volunteers/import.html", form=form, association=association)
    upload = form.file.data
    session = db_session()
    if form.validate() and upload is not None and getattr(upload, "filename", ""):
        try:
            content = upload.stream.read(csv_import.MAX_BYTES + 1)
            preview = csv_import.parse(session, content, association_id=association_id)
        except RuleViolation as violation:
            show_violation(form, violation)
        else:
            confirm = ImportConfirmForm(formdata=None)
            confirm.payload.data = csv_import.sign_rows(
                tokens.signing_keys(current_app.config), association_id, preview
            )
            return render_template(
                "volunteers/import_preview.html",
                association=association,
                preview=preview,
                confirm=confirm,
            )
    elif not form.file.errors:
        form.file.errors = [_("Välj en CSV-fil.")]
    return render_template("volunteers/import.html", form=form, association=association), 422


@bp.post("/members/<int:association_id>/import/confirm")
@login_required
def import_confirm(association_id: int):
    association = _association(association_id)
    form = ImportConfirmForm()
    session = db_session()
    try:
        if not form.validate_on_submit():
            raise RuleViolation("import_expired", _("Formuläret är ogiltigt. Ladda upp igen."))
        rows = csv_import.unsign_rows(
            tokens.signing_keys(current_app.config), association_id, form.payload.data or ""
        )
        added, asked, skipped = csv_import.import_rows(
            session,
            association_id=association_id,
            municipality_id=association.municipality_id,
            rows=rows,
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        flash(_("Inget importerades. Rätta filen och ladda upp den igen."), "error")
        return render_template(
            "volunteers/import.html", form=ImportForm(formdata=None), association=association
        ), 422
    flash(
        ngettext("%(num)s medlem importerades.", "%(num)s medlemmar importerades.", added)
        + (
            " " + _("%(n)s som redan finns hos oss får en fråga om att gå med.", n=asked)
            if asked
            else ""
        )
        + (
            " "
            + ngettext(
                "%(num)s var redan medlem eller tillfrågad.",
                "%(num)s var redan medlemmar eller tillfrågade.",
                skipped,
            )
            if skipped
            else ""
        ),
        "success",
    )
    return redirect(url_for("volunteers.members", association_id=association_id))


nav.register("volunteers.start", _l("Medlemmar"), authz.is_leader, 33)
