"""Sponsors (admin) and agreements (admin and coordinators of covered municipalities).

Routes of runs, the liaison's dashboard and statements live in views_runs.py and
views_dashboard.py, attached to the same blueprint ``bp``.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..accounts.forms import InviteForm
from ..accounts.invitations import invite_staff, offered, sent_message
from ..accounts.models import Membership, Role, User
from ..associations.models import Association, AssociationStatus
from ..db import db_session
from ..errors import Forbidden, NotFound, RuleViolation
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..web import nav
from ..web.forms_util import load_for, show_violation
from . import explain, policy, services_terms
from . import services_agreements as agreements
from . import services_membership as membership
from .blueprint import bp
from .forms import AgreementForm, EnrolForm, RunForm, SponsorForm, choices
from .models import PayoutRun, Sponsor, SponsorAgreement
from .views_terms import agreement_input, municipality_choices, terms_history


@bp.route("/sponsorship/sponsors", methods=["GET", "POST"])
@login_required
def sponsors():
    authz.require_admin(current_user)
    session = db_session()
    form = SponsorForm()
    status = 200
    if form.validate_on_submit():
        try:
            sponsor = agreements.create_sponsor(
                session, name=form.name.data or "", org_number=form.org_number.data or ""
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            status = 422
        else:
            flash(_("Sponsorn %(name)s är skapad.", name=sponsor.name), "success")
            return redirect(url_for("sponsorship.sponsor", sponsor_id=sponsor.id))
    elif form.is_submitted():
        status = 422
    rows = session.exec(select(Sponsor).order_by(Sponsor.name)).all()
    return render_template("sponsorship/sponsors.html", sponsors=rows, form=form), status


@bp.get("/sponsorship/sponsors/<int:sponsor_id>")
@login_required
def sponsor(sponsor_id: int):
    authz.require_admin(current_user)
    session = db_session()
    row = session.get(Sponsor, sponsor_id)
    if row is None:
        raise NotFound()
    liaisons = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.role == Role.SPONSOR_LIAISON, Membership.sponsor_id == sponsor_id)
        .order_by(User.name)
    ).all()
    deals = session.exec(
        select(SponsorAgreement)
        .where(SponsorAgreement.sponsor_id == sponsor_id)
        .order_by(col(SponsorAgreement.valid_from))
    ).all()
    return render_template(
        "sponsorship/sponsor.html",
        sponsor=row,
        liaisons=liaisons,
        invited=offered(session, sponsor_id=sponsor_id),
        agreements=deals,
        form=InviteForm(),
    )


@bp.post("/sponsorship/sponsors/<int:sponsor_id>/liaisons")
@login_required
def invite_liaison(sponsor_id: int):
    authz.require_admin(current_user)
    row = db_session().get(Sponsor, sponsor_id)
    if row is None:
        raise NotFound()
    form = InviteForm()
    if not form.validate_on_submit():
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
        return redirect(url_for("sponsorship.sponsor", sponsor_id=sponsor_id))
    invite_staff(
        db_session(),
        name=form.name.data or "",
        email=form.email.data or "",
        role=Role.SPONSOR_LIAISON,
        sponsor_id=sponsor_id,
        base_url=current_app.config["PUBLIC_BASE_URL"],
        hours=int(current_app.config["INVITATION_HOURS"]),
    )
    flash(sent_message(form.email.data or ""), "success")
    return redirect(url_for("sponsorship.sponsor", sponsor_id=sponsor_id))


def _visible_agreements() -> list[tuple[SponsorAgreement, Sponsor]]:
    query = select(SponsorAgreement, Sponsor).join(
        Sponsor, col(Sponsor.id) == SponsorAgreement.sponsor_id
    )
    rows = db_session().exec(query.order_by(Sponsor.name, col(SponsorAgreement.valid_from))).all()
    return [(a, s) for a, s in rows if authz.can(current_user, "view", a)]


@bp.get("/sponsorship/agreements")
@login_required
def agreement_list():
    authz.require_role(current_user, Role.COORDINATOR, Role.SPONSOR_LIAISON)
    return render_template(
        "sponsorship/agreements.html",
        agreements=_visible_agreements(),
        sponsors=db_session().exec(select(Sponsor).order_by(Sponsor.name)).all(),
        can_create=authz.coordinator_or_admin(current_user),
    )


@bp.route("/sponsorship/sponsors/<int:sponsor_id>/agreements/new", methods=["GET", "POST"])
@login_required
def agreement_new(sponsor_id: int):
    authz.require_role(current_user, Role.COORDINATOR)
    session = db_session()
    row = session.get(Sponsor, sponsor_id)
    if row is None:
        raise NotFound()
    form = AgreementForm()
    municipality_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            deal = agreements.create_agreement(session, sponsor=row, data=agreement_input(form))
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            status = 422
        else:
            flash(_("Avtalet är skapat."), "success")
            return redirect(url_for("sponsorship.agreement", agreement_id=deal.id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "sponsorship/agreement_form.html",
        form=form,
        sponsor=row,
        agreement=None,
        may_change=True,
        effects=None,
        history=[],
    ), status


def enrol_form(deal: SponsorAgreement, *, posted: bool = False) -> EnrolForm:
    """The enrolment form; bound to the request only when it is the form being posted."""
    session = db_session()
    covered = membership.municipality_ids(session, deal.id)  # type: ignore[arg-type]
    allowed = policy.editable_municipality_ids(current_user)
    rows = session.exec(
        select(Association)
        .where(
            col(Association.municipality_id).in_(covered),
            Association.status == AssociationStatus.APPROVED,
        )
        .order_by(Association.name)
    ).all()
    form = EnrolForm() if posted else EnrolForm(formdata=None)
    form.association_id.choices = choices(
        (a.id, a.name) for a in rows if allowed is None or a.municipality_id in allowed
    )
    return form


@bp.get("/sponsorship/agreements/<int:agreement_id>")
@login_required
def agreement(agreement_id: int):
    deal = load_for(SponsorAgreement, agreement_id, "view")
    return render_agreement(deal, enrol_form(deal), RunForm(formdata=None)), 200


def render_agreement(deal: SponsorAgreement, enrolment: EnrolForm, run_form: RunForm) -> str:
    session = db_session()
    covered = membership.municipality_ids(session, deal.id)  # type: ignore[arg-type]
    municipalities = session.exec(
        select(Municipality).where(col(Municipality.id).in_(covered)).order_by(Municipality.name)
    ).all()
    runs = session.exec(
        select(PayoutRun)
        .where(PayoutRun.agreement_id == deal.id)
        .order_by(col(PayoutRun.period_start).desc())
    ).all()
    # A coordinator of one of several covered municipalities sees only their own
    # associations and money: the budget used by the others is not theirs to read.
    scope = policy.line_scope(current_user, deal.sponsor_id)
    used = agreements.committed_ore(session, deal.id, municipality_ids=scope)  # type: ignore[arg-type]
    terms = services_terms.current(session, deal)  # today's; later versions are in the history
    return render_template(
        "sponsorship/agreement.html",
        agreement=deal,
        terms=terms,
        sponsor=session.get(Sponsor, deal.sponsor_id),
        rule_text=explain.describe_terms(terms, _),
        history=terms_history(deal),
        municipalities=municipalities,
        enrolments=membership.enrolments(session, deal.id, municipality_ids=scope),  # type: ignore[arg-type]
        former=membership.former_members(session, deal.id, municipality_ids=scope),  # type: ignore[arg-type]
        runs=runs,
        used_ore=used,
        partial=policy.sees_only_part(
            scope, policy.agreement_municipality_ids(db_session(), deal.id)
        ),
        enrol_form=enrolment,
        run_form=run_form,
        can_manage=authz.can(current_user, "manage", deal),
        can_edit=authz.can(current_user, "edit", deal),
        can_run=authz.can(current_user, "run", deal),
        my_municipalities=policy.editable_municipality_ids(current_user),
    )


@bp.post("/sponsorship/agreements/<int:agreement_id>/enrolments")
@login_required
def enrol(agreement_id: int):
    deal = load_for(SponsorAgreement, agreement_id, "manage")
    session = db_session()
    form = enrol_form(deal, posted=True)
    if form.validate_on_submit():
        association = session.get(Association, form.association_id.data)
        try:
            if association is None:
                raise RuleViolation("unknown", _l("Välj en förening."), field="association_id")
            membership.enrol(
                session,
                agreement=deal,
                association=association,
                joined_on=form.joined_on.data,
                allowed_municipality_ids=policy.editable_municipality_ids(current_user),
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("%(name)s är ansluten till avtalet.", name=association.name), "success")
            return redirect(url_for("sponsorship.agreement", agreement_id=agreement_id))
    return render_agreement(deal, form, RunForm(formdata=None)), 422


@bp.post("/sponsorship/agreements/<int:agreement_id>/enrolments/<int:association_id>/delete")
@login_required
def withdraw(agreement_id: int, association_id: int):
    deal = load_for(SponsorAgreement, agreement_id, "manage")
    session = db_session()
    association = session.get(Association, association_id)
    if association is None:
        raise NotFound()
    try:
        left_on = membership.withdraw(
            session,
            agreement=deal,
            association=association,
            allowed_municipality_ids=policy.editable_municipality_ids(current_user),
        )
    except RuleViolation as violation:
        session.rollback()
        raise Forbidden() from violation
    if left_on is None:
        message = _("%(name)s är inte längre ansluten.", name=association.name)
    else:
        message = _(
            "%(name)s är inte längre ansluten från och med %(day)s. Kvällar före det räknas "
            "som förut.",
            name=association.name,
            day=left_on.isoformat(),
        )
    flash(message, "success")
    return redirect(url_for("sponsorship.agreement", agreement_id=agreement_id))


nav.register("sponsorship.sponsors", _l("Sponsorer"), authz.is_admin, order=60)
nav.register(
    "sponsorship.agreement_list",
    _l("Avtal"),
    authz.coordinator_or_admin,
    order=61,
)
