"""The person changes their own mobile number or e-mail: /me/<token>/contact.

Only the person does this (a leader may correct these only for a member of their association
alone, see ``services.belongs_elsewhere``): a new number needs the code sent to it by SMS, a
new e-mail address the link sent to it.
"""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, url_for

from ..accounts import contact
from ..accounts.forms import CodeForm, EmailChangeForm, PhoneChangeForm
from ..accounts.verification import CODE_MINUTES
from ..db import db_session
from ..errors import RuleViolation
from ..extensions import limit_code_tries, limiter
from ..formatting import national_phone
from ..i18n import _
from ..web.forms_util import show_violation
from .blueprint import bp, personal_owner, private


def _page(token: str, user, *, phone_form=None, code_form=None, email_form=None, status=200):  # type: ignore[no-untyped-def]
    pending = contact.pending_phone(db_session(), user)
    response = make_response(
        render_template(
            "volunteers/contact.html",
            user=user,
            personal_token=token,
            pending=pending,
            phone_form=phone_form or PhoneChangeForm(formdata=None),
            code_form=code_form or CodeForm(formdata=None),
            email_form=email_form or EmailChangeForm(formdata=None),
            code_minutes=CODE_MINUTES,
        ),
        status,
    )
    return private(response)


def _public_form_limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_FORMS"])


@bp.get("/me/<token>/contact")
def contact_page(token: str):  # type: ignore[no-untyped-def]
    return _page(token, personal_owner(token))


@bp.post("/me/<token>/contact/phone")
@limiter.limit(_public_form_limit)
def contact_phone(token: str):  # type: ignore[no-untyped-def]
    user = personal_owner(token)
    form = PhoneChangeForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            new = contact.request_phone_change(session, user, form.phone.data or "")
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return _page(token, personal_owner(token), phone_form=form, status=422)
        flash(
            _(
                "Vi har skickat en kod till %(phone)s. Skriv in den nedan; numret byts först då.",
                phone=national_phone(new),
            ),
            "success",
        )
        return redirect(url_for("volunteers.contact_page", token=token))
    return _page(token, user, phone_form=form, status=422)


@bp.post("/me/<token>/contact/phone/code")
@limit_code_tries()
def contact_phone_code(token: str):  # type: ignore[no-untyped-def]
    user = personal_owner(token)
    form = CodeForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            contact.confirm_phone_change(session, user, form.code.data or "")
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return _page(token, personal_owner(token), code_form=form, status=422)
        flash(_("Ditt mobilnummer är bytt."), "success")
        return redirect(url_for("volunteers.personal", token=token))
    return _page(token, user, code_form=form, status=422)


@bp.post("/me/<token>/contact/email")
@limiter.limit(_public_form_limit)
def contact_email(token: str):  # type: ignore[no-untyped-def]
    user = personal_owner(token)
    form = EmailChangeForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            address = contact.request_email_change(
                session,
                user,
                form.email.data or "",
                password=form.current_password.data or "",
                base_url=current_app.config["PUBLIC_BASE_URL"],
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return _page(token, personal_owner(token), email_form=form, status=422)
        flash(
            _(
                "Vi har skickat en länk till %(email)s. Adressen byts när du öppnar länken.",
                email=address,
            ),
            "success",
        )
        return redirect(url_for("volunteers.contact_page", token=token))
    return _page(token, user, email_form=form, status=422)
