"""Sponsorship forms. Amounts are typed in kronor ("1 500", "1500,50") and kept in öre."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as WTFValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import _l
from ..web.fields import DayField
from .rules import KINDS

_KRONOR = re.compile(r"^(\d+)(?:[.,](\d{1,2}))?$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]")
MAX_ORE = 10**12


def parse_kronor(text: str) -> int:
    """Kronor as typed by a Swede to whole öre: "1 500" -> 150000, "1500,50" -> 150050.

    Raises ``ValueError`` for anything else (negative, more than two decimals, letters).
    """
    cleaned = _SPACES.sub("", text or "")
    cleaned = re.sub(r"(?i)(kr|sek|:-)$", "", cleaned)
    match = _KRONOR.match(cleaned)
    if not match:
        raise ValueError(text)
    ore = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if ore > MAX_ORE:
        raise ValueError(text)
    return ore


def ore_to_input(ore: int | None) -> str:
    """Öre as the text a kronor field shows: 150000 -> "1500", 150050 -> "1500,50"."""
    if ore is None:
        return ""
    kronor, rest = divmod(ore, 100)
    return f"{kronor},{rest:02d}" if rest else str(kronor)


class KronorField(StringField):
    """A text field for kronor whose ``ore`` attribute holds the parsed amount (or None)."""

    ore: int | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.ore = None
        if self.data and self.data.strip():
            try:
                self.ore = parse_kronor(self.data)
            except ValueError as exc:
                raise WTFValidationError(
                    _l('Skriv ett belopp i kronor, till exempel "1 500" eller "1500,50".')
                ) from exc

    def process_data(self, value: Any) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.ore = value
            self.data = ore_to_input(value)
        else:
            super().process_data(value)


def choices(pairs) -> list[SelectChoice]:
    """SelectChoice objects from (value, label) pairs (tuples are deprecated in WTForms)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SponsorForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(), Length(max=160)])
    org_number = StringField(
        _l("Organisationsnummer"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("NNNNNN-NNNN"),
    )


RULE_LABELS = {
    "per_walk": _l("Per godkänd vandring"),
    "per_weekend": _l("Per helg (fredag och lördag)"),
    "per_hour": _l("Per volontärtimme"),
    "per_package": _l("Per paket av vandringar"),
}


class AgreementForm(FlaskForm):
    name = StringField(_l("Avtalets namn"), validators=[DataRequired(), Length(max=160)])
    valid_from = DayField(_l("Gäller från"), validators=[InputRequired()])
    valid_to = DayField(
        _l("Gäller till"),
        validators=[Optional()],
        description=_l("Lämna tomt för tre år."),
    )
    municipality_ids = MultiCheckboxField(_l("Kommuner som omfattas"), coerce=int)
    budget = KronorField(_l("Budget (kr)"), description=_l("Valfritt. Till exempel 75 000."))
    cap = KronorField(_l("Tak per förening och år (kr)"), description=_l("Valfritt."))
    kind = SelectField(
        _l("Ersättning"),
        choices=[SelectChoice(k, RULE_LABELS[k]) for k in KINDS],
        default="per_walk",
    )
    amount = KronorField(
        _l("Belopp (kr)"),
        description=_l("Per vandring, helg eller timme. Används inte för paket."),
    )
    packages = StringField(
        _l("Paket"),
        validators=[Optional(), Length(max=200)],
        description=_l('Antal vandringar och belopp, till exempel "10:12 000, 5:5 000".'),
    )
    min_walkers = IntegerField(
        _l("Minsta antal vandrare"), default=3, validators=[InputRequired(), NumberRange(0, 50)]
    )
    min_age = IntegerField(
        _l("Lägsta ålder"), default=18, validators=[InputRequired(), NumberRange(0, 120)]
    )
    allocation = SelectField(
        _l("Om budgeten inte räcker"),
        choices=[
            SelectChoice("by_date", _l("Efter vandringsdatum: först vandrat, först betalt")),
            SelectChoice("pro_rata", _l("I proportion till vad varje förening har tjänat in")),
        ],
        default="by_date",
    )

    def validate_packages(self, field: StringField) -> None:
        self.parsed_packages = parse_packages(field.data or "")


class AgreementEditForm(AgreementForm):
    """Changing an agreement: new terms apply from a day, after a preview (``confirm``)."""

    terms_from = DayField(
        _l("Ändringen gäller från"),
        validators=[Optional()],
        description=_l(
            "Vandringar från och med den dagen ersätts enligt de nya villkoren. "
            "Godkända utbetalningar ändras aldrig."
        ),
    )
    confirm = HiddenField()
    # The agreement's revision when the form was loaded: a save over a change made meanwhile
    # is refused instead of silently undoing it.
    revision = HiddenField()


def parse_packages(text: str) -> tuple[tuple[int, int], ...]:
    """ "10:12 000, 5:5000" -> ((10, 1200000), (5, 500000)); raises a form error."""
    result = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        size, sep, amount = part.partition(":")
        try:
            if not sep or not size.strip().isdigit():
                raise ValueError(part)
            result.append((int(size.strip()), parse_kronor(amount)))
        except ValueError as exc:
            raise WTFValidationError(
                _l('Skriv paketen som "antal:belopp", till exempel "10:12 000, 5:5 000".')
            ) from exc
    return tuple(result)


class EnrolForm(FlaskForm):
    association_id = SelectField(_l("Förening"), coerce=int, validators=[InputRequired()])
    joined_on = DayField(
        _l("Ansluten från"),
        validators=[Optional()],
        description=_l("Lämna tomt för i dag (eller första kvällen efter godkända utbetalningar)."),
    )


class RunForm(FlaskForm):
    period_start = DayField(_l("Period från"), validators=[InputRequired()])
    period_end = DayField(_l("Period till"), validators=[InputRequired()])


class PaidForm(FlaskForm):
    paid_on = DayField(_l("Betalningsdag"), validators=[InputRequired()])
    reference = StringField(_l("Betalningsreferens"), validators=[DataRequired(), Length(max=120)])
