"""Login, logout, password change, password reset and invitation acceptance."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..db import db_session, get_engine, session_scope
from ..errors import NotFound, RuleViolation
from ..extensions import limit_code_tries, limiter
from ..i18n import _, _l
from ..web import nav
from ..web.forms_util import show_violation
from . import contact, invitations, services, verification
from .blueprint import bp
from .forms import (
    ButtonForm,
    ChangePasswordForm,
    ClaimForm,
    LoginForm,
    ResetRequestForm,
    SetPasswordForm,
)
from .identity import load_identity
from .models import TokenPurpose, User, VerificationPurpose


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _public_form_limit() -> str:
    return current_app.config["RATELIMIT_PUBLIC_FORMS"]


def _form_status(form) -> int:  # type: ignore[no-untyped-def]
    """422 for a submitted form that did not validate, 200 for the first view."""
    return 422 if form.is_submitted() else 200


def _start_session(user, remember: bool) -> None:  # type: ignore[no-untyped-def]
    """Log in with a fresh session (nothing from before login survives, except the language)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    identity = load_identity(db_session(), f"{user.id}:{user.session_version}")
    assert identity is not None
    login_user(identity, remember=remember)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("web.index"))
    form = LoginForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        with session_scope(get_engine(), write=False) as reader:
            user_id = services.authenticate(reader, email=form.email.data or "", password=password)
        if user_id is not None:
            user = db_session().get(User, user_id)
            services.record_login(user, password)
            db_session().flush()
            _start_session(user, bool(form.remember.data))
            return redirect(url_for("web.index"))
        form.password.errors.append(_("Fel e-post eller lösenord."))
        return render_template("accounts/login.html", form=form), 200
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():  # type: ignore[no-untyped-def]
    # Bumping the version makes any copy of this session cookie worthless.
    user = db_session().merge(current_user.user)
    services.end_all_sessions(user)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Du är utloggad."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db_session().merge(current_user.user)
        try:
            services.change_password(
                user, current=form.current_password.data or "", new=form.new_password.data or ""
            )
        except RuleViolation as violation:
            form.current_password.errors.append(violation.message)
            return render_template("accounts/change_password.html", form=form), 422
        db_session().flush()
        _start_session(user, remember=False)
        flash(_("Lösenordet är bytt. Andra inloggningar har loggats ut."), "success")
        return redirect(url_for("web.index"))
    return render_template("accounts/change_password.html", form=form), _form_status(form)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_public_form_limit, methods=["POST"])
def reset_request():  # type: ignore[no-untyped-def]
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(
            db_session(),
            email=form.email.data or "",
            base_url=current_app.config["PUBLIC_BASE_URL"],
            hours=int(current_app.config["PASSWORD_RESET_HOURS"]),
        )
        flash(
            _("Om adressen finns hos oss har vi skickat en länk för att välja nytt lösenord."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), _form_status(form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_public_form_limit, methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    purpose = TokenPurpose.PASSWORD_RESET
    if services.user_for_link(db_session(), purpose, token) is None:
        raise NotFound()
    form = SetPasswordForm()
    if form.validate_on_submit():
        user = services.complete_link(db_session(), purpose, token, form.new_password.data or "")
        db_session().flush()
        _start_session(user, remember=False)
        flash(_("Ditt lösenord är sparat och du är inloggad."), "success")
        return redirect(url_for("web.index"))
    return render_template("accounts/reset_password.html", form=form), _form_status(form)


def _invited(token: str) -> User:
    found = services.user_for_link(db_session(), TokenPurpose.INVITATION, token)
    if found is None:
        raise NotFound()
    return found[0]


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limiter.limit(_public_form_limit, methods=["POST"])
@limit_code_tries()
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    user = _invited(token)
    session = db_session()
    if user.password_hash is not None:
        # The address has a login already: the link is the proof, the password stays.
        button = ButtonForm()
        if button.validate_on_submit():
            invitations.accept(session, token, new_password=None, code=None)
            flash(_("Inbjudan är antagen. Logga in med ditt vanliga lösenord."), "success")
            return redirect(url_for("accounts.login"))
        return render_template("accounts/accept_invitation_existing.html", form=button)
    claim = invitations.needs_code(user)
    form = ClaimForm() if claim else SetPasswordForm()
    pending = invitations.pending_claim(session, user) if claim else None
    if form.validate_on_submit():
        try:
            user = invitations.accept(
                session,
                token,
                new_password=form.new_password.data or "",
                code=form.code.data if claim else None,  # type: ignore[attr-defined]
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return render_template(
                "accounts/accept_invitation.html",
                form=form,
                claim=claim,
                pending=pending,
                token=token,
            ), 422
        session.flush()
        _start_session(user, remember=False)
        flash(_("Ditt lösenord är sparat och du är inloggad."), "success")
        return redirect(url_for("web.index"))
    return render_template(
        "accounts/accept_invitation.html", form=form, claim=claim, pending=pending, token=token
    ), _form_status(form)


@bp.post("/invitation/<token>/code")
@limiter.limit(_public_form_limit)
def invitation_code(token: str):  # type: ignore[no-untyped-def]
    """Send the code to the number of the invited account (if it has one)."""
    user = _invited(token)
    if invitations.needs_code(user):
        invitations.send_claim_code(db_session(), user)
        flash(_("Vi har skickat en kod till ditt mobilnummer."), "success")
    return redirect(url_for("accounts.accept_invitation", token=token))


@bp.route("/email/<token>", methods=["GET", "POST"])
@limiter.limit(_public_form_limit, methods=["POST"])
def confirm_email(token: str):  # type: ignore[no-untyped-def]
    """A new e-mail address proven by the link sent to it: the button makes it the person's."""
    session = db_session()
    proof = verification.by_link(session, VerificationPurpose.EMAIL_CHANGE, token)
    if proof is None:
        raise NotFound()
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            contact.confirm_email_change(session, proof)
        except RuleViolation as violation:
            session.rollback()
            show_violation(None, violation)
            return render_template("accounts/confirm_email.html", form=form, address=None), 422
        flash(_("Din e-postadress är bytt."), "success")
        return redirect(url_for("web.index"))
    return render_template("accounts/confirm_email.html", form=form, address=proof.target)


nav.register("accounts.change_password", _l("Konto"), lambda user: True, order=90)
