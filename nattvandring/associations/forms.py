"""Association forms: public registration and the leader's profile."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..i18n import _l
from ..passwords import MIN_LENGTH


class AssociationProfileForm(FlaskForm):
    name = StringField(_l("Föreningens namn"), validators=[DataRequired(), Length(max=160)])
    org_number = StringField(
        _l("Organisationsnummer"),
        description=_l("NNNNNN-NNNN"),
        validators=[DataRequired(), Length(max=20)],
    )
    account_type = SelectField(
        _l("Kontotyp"),
        choices=[
            SelectChoice("bankgiro", _l("Bankgiro")),
            SelectChoice("plusgiro", _l("Plusgiro")),
        ],
    )
    account_number = StringField(_l("Kontonummer"), validators=[DataRequired(), Length(max=20)])
    contact_name = StringField(_l("Kontaktperson"), validators=[DataRequired(), Length(max=120)])
    contact_email = EmailField(
        _l("Kontaktpersonens e-post"), validators=[DataRequired(), Email(), Length(max=254)]
    )
    contact_phone = StringField(
        _l("Kontaktpersonens mobilnummer"),
        description=_l("T.ex. 070-123 45 67"),
        validators=[DataRequired(), Length(max=30)],
    )


class AssociationEditForm(AssociationProfileForm):
    allow_self_signup = BooleanField(
        _l("Medlemmar får själva anmäla sig till föreningens bokade pass")
    )


class RegistrationForm(AssociationProfileForm):
    municipality_id = SelectField(_l("Kommun"), coerce=int, validators=[DataRequired()])
    password = PasswordField(
        _l("Lösenord för kontaktpersonen"),
        validators=[
            DataRequired(),
            Length(
                min=MIN_LENGTH,
                max=200,
                message=_l("Lösenordet ska ha minst %(min)d tecken.", min=MIN_LENGTH),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Upprepa lösenordet"),
        validators=[DataRequired(), EqualTo("password", message=_l("Lösenorden är inte lika."))],
    )
