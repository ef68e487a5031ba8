"""Member forms: add/edit a member, upload a CSV file; a volunteer erasing their data."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..i18n import _l


class MemberForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(), Length(max=120)])
    phone = StringField(
        _l("Mobilnummer"),
        description=_l(
            "T.ex. 070-123 45 67. Finns numret redan hos oss får personen en fråga om att gå med."
        ),
        validators=[DataRequired(), Length(max=30)],
    )
    email = EmailField(_l("E-post (frivilligt)"), validators=[Optional(), Length(max=254)])
    birth_year = IntegerField(
        _l("Födelseår"),
        description=_l("Behövs för åldersgränsen på passen. Bara året sparas."),
        validators=[Optional(), NumberRange(min=1900, max=2100)],
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV-fil"),
        description=_l(
            "Kolumner: namn (eller förnamn och efternamn), mobil, e-post, födelseår. "
            "Semikolon eller komma. Högst 1 MB och 2 000 rader."
        ),
    )


class ImportConfirmForm(FlaskForm):
    payload = HiddenField()


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("Ja, radera mina uppgifter. Jag förstår att det inte går att ångra."),
        validators=[DataRequired(message=_l("Kryssa i rutan för att bekräfta."))],
    )
