"""Login, password and invitation forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..i18n import _l
from ..passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Kom ihåg mig på den här enheten"))


def _new_password_fields():
    return (
        PasswordField(
            _l("Nytt lösenord"),
            validators=[
                DataRequired(),
                Length(
                    min=MIN_LENGTH,
                    max=200,
                    message=_l("Lösenordet ska ha minst %(min)d tecken.", min=MIN_LENGTH),
                ),
            ],
        ),
        PasswordField(
            _l("Upprepa lösenordet"),
            validators=[
                DataRequired(),
                EqualTo("new_password", message=_l("Lösenorden är inte lika.")),
            ],
        ),
    )


class SetPasswordForm(FlaskForm):
    new_password, confirm = _new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Nuvarande lösenord"), validators=[DataRequired(), Length(max=200)]
    )
    new_password, confirm = _new_password_fields()


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[DataRequired(), Email(), Length(max=254)])


class InviteForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-post"), validators=[DataRequired(), Email(), Length(max=254)])


def _code_field() -> StringField:
    return StringField(
        _l("Kod från SMS:et"),
        description=_l("Sex siffror."),
        validators=[DataRequired(), Length(max=20)],
    )


class CodeForm(FlaskForm):
    """The code from an SMS that proves a mobile number."""

    code = _code_field()


class ClaimForm(FlaskForm):
    """An invitation to an account that has a mobile number: its code, then a password."""

    code = _code_field()
    new_password, confirm = _new_password_fields()


class ButtonForm(FlaskForm):
    """Only the CSRF token: a button that says yes."""


class PhoneChangeForm(FlaskForm):
    phone = StringField(
        _l("Nytt mobilnummer"),
        description=_l("Vi skickar en kod till det nya numret."),
        validators=[DataRequired(), Length(max=30)],
    )


class EmailChangeForm(FlaskForm):
    email = EmailField(
        _l("Ny e-postadress"),
        description=_l("Vi skickar en länk till den nya adressen."),
        validators=[DataRequired(), Length(max=254)],
    )
    current_password = PasswordField(
        _l("Nuvarande lösenord"),
        description=_l("Bara om du har ett konto med lösenord."),
        validators=[Length(max=200)],
    )
