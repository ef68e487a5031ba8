"""Editing an agreement: its terms as versions (with a preview of what a change does) and
a coordinator's own coverage. Attached to the blueprint ``bp`` of the sponsorship area."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..web.forms_util import load_for, show_violation
from . import explain, policy, services_terms
from . import services_agreements as agreements
from . import services_membership as membership
from .blueprint import bp
from .forms import AgreementEditForm, AgreementForm, choices, ore_to_input
from .models import Sponsor, SponsorAgreement
from .rules import PaymentRule


def municipality_choices(
    form: AgreementForm, agreement: SponsorAgreement | None = None
) -> set[int] | None:
    """Fill the municipality checkboxes; returns the ids this user may change (None = all).

    The sponsor's liaison sets the coverage of the sponsor's agreement; a coordinator only
    their own municipality."""
    session = db_session()
    editable = policy.editable_municipality_ids(current_user)
    if agreement is not None and policy.sees_whole_agreement(current_user, agreement.sponsor_id):
        editable = None
    rows = session.exec(select(Municipality).order_by(Municipality.name)).all()
    form.municipality_ids.choices = choices(
        (m.id, m.name) for m in rows if editable is None or m.id in editable
    )
    return editable


def agreement_input(form: AgreementForm) -> agreements.AgreementInput:
    kind = form.kind.data or "per_walk"
    packages = getattr(form, "parsed_packages", ()) if kind == "per_package" else ()
    try:
        rule = PaymentRule(
            kind=kind,
            amount_ore=0 if kind == "per_package" else (form.amount.ore or 0),
            min_walkers=form.min_walkers.data or 0,
            min_age=form.min_age.data or 0,
            packages=packages,
        )
    except ValueError as exc:
        field = "packages" if kind == "per_package" else "amount"
        raise RuleViolation(
            "rule_invalid", _l("Ersättningsregeln är ofullständig."), field=field
        ) from exc
    return agreements.AgreementInput(
        allocation=form.allocation.data or "by_date",
        name=form.name.data or "",
        valid_from=form.valid_from.data,
        valid_to=form.valid_to.data,
        budget_ore=form.budget.ore,
        cap_per_association_year_ore=form.cap.ore,
        rule=rule,
        municipality_ids=tuple(form.municipality_ids.data or ()),
    )


def _current_values(deal: SponsorAgreement) -> dict:
    session = db_session()
    latest = services_terms.current(session, deal, date.max)
    rule = latest.rule
    return {
        "name": deal.name,
        "valid_from": deal.valid_from,
        "valid_to": deal.valid_to,
        "budget": latest.budget_ore,
        "cap": latest.cap_ore,
        "kind": rule.kind,
        "amount": rule.amount_ore,
        "min_walkers": rule.min_walkers,
        "min_age": rule.min_age,
        "packages": ", ".join(f"{s}:{ore_to_input(a)}" for s, a in rule.packages),
        "allocation": latest.allocation,
        "municipality_ids": membership.municipality_ids(session, deal.id),  # type: ignore[arg-type]
        "revision": deal.revision,
    }


def _seen_revision(form: AgreementEditForm) -> int:
    """The revision the form was loaded at (-1, never current, when missing or garbled)."""
    try:
        return int(form.revision.data or "", 10)
    except ValueError:
        return -1


def _edit_form(deal: SponsorAgreement, may_change: bool) -> AgreementEditForm:
    values = _current_values(deal)
    if request.method != "POST":
        return AgreementEditForm(formdata=None, data=values)
    if may_change:
        return AgreementEditForm()
    # A coordinator of a shared agreement changes only their own coverage: the terms keep
    # their current values whatever was posted.
    current = AgreementEditForm(formdata=None, data=values)
    posted = request.form.copy()
    for f in current:
        if f.name in ("municipality_ids", "csrf_token", "confirm", "revision"):
            continue
        text = f._value() if hasattr(f, "_value") else f.data
        posted.setlist(f.name, [] if text in (None, "") else [str(text)])
    return AgreementEditForm(formdata=posted)


@bp.route("/sponsorship/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@login_required
def agreement_edit(agreement_id: int):
    deal = load_for(SponsorAgreement, agreement_id, "edit")
    session = db_session()
    may_change = policy.may_change_terms(current_user, deal)
    form = _edit_form(deal, may_change)
    editable = municipality_choices(form, deal)
    earliest = services_terms.first_changeable_day(session, deal)
    status, effects = 200, None
    if form.validate_on_submit():
        try:
            data = agreement_input(form)
            proposed = services_terms.TermsInput(
                data.rule, data.budget_ore, data.cap_per_association_year_ore, data.allocation
            )
            changed = services_terms.changes(session, deal, proposed)
            if changed and may_change and form.confirm.data != "1":
                # First show what the change does; saving needs a second, deliberate post.
                agreements.check_unchanged(deal, _seen_revision(form))
                terms_from = form.terms_from.data
                if terms_from is None:
                    raise RuleViolation(
                        "terms_from_required",
                        _l("Ange från vilket datum ändringen gäller."),
                        field="terms_from",
                    )
                services_terms.check_from(deal, terms_from, earliest)
                effects = services_terms.preview(
                    session, agreement=deal, terms=proposed, valid_from=terms_from
                )
                form.confirm.data = "1"
            else:
                agreements.update_agreement(
                    session,
                    agreement=deal,
                    data=data,
                    editable_municipality_ids=editable,
                    terms_from=form.terms_from.data,
                    may_change_terms=may_change,
                    actor_id=current_user.id,
                    seen_revision=_seen_revision(form),
                )
        except RuleViolation as violation:
            session.rollback()
            if violation.code == "edited_meanwhile":
                # Show the agreement as it is now: saving the stale form again would undo
                # the other change.
                form = AgreementEditForm(formdata=None, data=_current_values(deal))
                municipality_choices(form, deal)
                earliest = services_terms.first_changeable_day(session, deal)
                status = 409
            else:
                status = 422
            show_violation(form, violation)
            form.confirm.data = ""
        else:
            if effects is None:
                flash(_("Avtalet är sparat."), "success")
                return redirect(url_for("sponsorship.agreement", agreement_id=agreement_id))
    elif form.is_submitted():
        status = 422
    return render_template(
        "sponsorship/agreement_form.html",
        form=form,
        sponsor=session.get(Sponsor, deal.sponsor_id),
        agreement=deal,
        may_change=may_change,
        earliest=earliest,
        effects=effects,
        history=terms_history(deal),
    ), status


def terms_history(deal: SponsorAgreement) -> list[tuple[object, str, str]]:
    """The versions of the terms, oldest first: (row, rule text, allocation text)."""
    result: list[tuple[object, str, str]] = []
    for row in services_terms.rows(db_session(), deal.id):  # type: ignore[arg-type]
        version = services_terms.to_terms(row)
        result.append(
            (
                row,
                explain.describe_terms(version, _),
                explain.allocation_label(version.allocation, _),
            )
        )
    return result
