"""Planning forms. Business rules live in the services; forms only parse and require."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..i18n import _l
from ..web.fields import ClockField, DayField, NumberField

WEEKDAY_NAMES = {
    0: _l("Måndag"),
    1: _l("Tisdag"),
    2: _l("Onsdag"),
    3: _l("Torsdag"),
    4: _l("Fredag"),
    5: _l("Lördag"),
    6: _l("Söndag"),
}
WEEKDAY_CHOICES = [SelectChoice(day, name) for day, name in WEEKDAY_NAMES.items()]


def choices(pairs) -> list[SelectChoice]:
    """SelectChoice objects from (value, label) pairs (tuples are deprecated in WTForms)."""
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(field) -> int | None:
    """An optional number: a blank submission means None (WTForms would keep the default)."""
    raw = field.raw_data
    if raw is not None and (not raw or not str(raw[0]).strip()):
        return None
    return field.data


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AreaForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[InputRequired(), Length(max=120)])
    meeting_point = StringField(
        _l("Samlingsplats"),
        description=_l("Adress eller plats där gruppen hämtar västar, t.ex. fritidsgården."),
        validators=[Length(max=255)],
    )
    latitude = NumberField(
        _l("Latitud"), description=_l("Valfritt, t.ex. 56,1589"), validators=[Optional()]
    )
    longitude = NumberField(
        _l("Longitud"), description=_l("Valfritt, t.ex. 13,7668"), validators=[Optional()]
    )
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=2000)])
    equipment_note = TextAreaField(
        _l("Utrustning"),
        description=_l(
            "Visas för nattvandrarna, t.ex. Västar och första hjälpen-väska hämtas på "
            "fritidsgården. Ta med ficklampa."
        ),
        validators=[Length(max=500)],
    )
    default_start = ClockField(_l("Starttid (standard)"), validators=[InputRequired()])
    default_end = ClockField(
        _l("Sluttid (standard)"),
        description=_l("En sluttid före starttiden betyder efter midnatt."),
        validators=[InputRequired()],
    )
    default_min_walkers = IntegerField(
        _l("Minsta antal nattvandrare"), default=3, validators=[InputRequired()]
    )
    default_max_walkers = IntegerField(
        _l("Högsta antal nattvandrare"),
        default=6,
        description=_l("Lämna tomt för ingen gräns."),
        validators=[Optional()],
    )
    min_age = IntegerField(_l("Åldersgräns (år)"), default=18, validators=[InputRequired()])
    active = BooleanField(_l("Aktivt (kan få nya pass)"), default=True)


class SeriesForm(FlaskForm):
    name = StringField(
        _l("Namn på serien"),
        description=_l("Valfritt, t.ex. Hösten 2026"),
        validators=[Length(max=120)],
    )
    area_ids = MultiCheckboxField(_l("Områden"), coerce=int)
    weekdays = MultiCheckboxField(_l("Veckodagar"), coerce=int, choices=WEEKDAY_CHOICES)
    start_date = DayField(_l("Första datum"), validators=[InputRequired()])
    end_date = DayField(_l("Sista datum"), validators=[InputRequired()])
    start_time = ClockField(_l("Starttid"), validators=[InputRequired()])
    end_time = ClockField(
        _l("Sluttid"),
        description=_l("En sluttid före starttiden betyder efter midnatt, t.ex. 21:00–01:00."),
        validators=[InputRequired()],
    )
    min_walkers = IntegerField(
        _l("Minsta antal nattvandrare"),
        description=_l("Lämna tomt för områdets standard."),
        validators=[Optional()],
    )
    max_walkers = IntegerField(
        _l("Högsta antal nattvandrare"),
        description=_l("Lämna tomt för områdets standard."),
        validators=[Optional()],
    )
    min_age = IntegerField(
        _l("Åldersgräns (år)"),
        description=_l("Lämna tomt för områdets standard."),
        validators=[Optional()],
    )
    last_school_day = DayField(
        _l("Sista skoldag (skolavslutning)"),
        description=_l("Valfritt. Visas bland de särskilda kvällarna."),
        validators=[Optional()],
    )


class SpecialNightForm(FlaskForm):
    day = DayField(validators=[InputRequired()])
    key = HiddenField(validators=[InputRequired()])
    area_ids = MultiCheckboxField(_l("Områden"), coerce=int)


def _week_field(label) -> IntegerField:
    return IntegerField(
        label,
        description=_l("Veckonummer (1–53). Lämna tomt om kommunen inte har lovet."),
        validators=[Optional(), NumberRange(min=1, max=53)],
    )


class SchoolBreakForm(FlaskForm):
    """A municipality's school-break weeks (ISO week numbers)."""

    sportlov = _week_field(_l("Sportlov, vecka"))
    pasklov = _week_field(_l("Påsklov, vecka"))
    hostlov = _week_field(_l("Höstlov, vecka"))


class ShiftForm(FlaskForm):
    day = DayField(
        _l("Datum"),
        description=_l("Kvällen passet börjar."),
        validators=[InputRequired()],
    )
    start_time = ClockField(_l("Starttid"), validators=[InputRequired()])
    end_time = ClockField(
        _l("Sluttid"),
        description=_l("En sluttid före starttiden betyder efter midnatt."),
        validators=[InputRequired()],
    )
    area_id = SelectField(_l("Område och samlingsplats"), coerce=int)
    min_walkers = IntegerField(_l("Minsta antal nattvandrare"), validators=[InputRequired()])
    max_walkers = IntegerField(
        _l("Högsta antal nattvandrare"),
        description=_l("Lämna tomt för ingen gräns."),
        validators=[Optional()],
    )
    min_age = IntegerField(_l("Åldersgräns (år)"), validators=[InputRequired()])
    notes = TextAreaField(_l("Anteckningar"), validators=[Length(max=2000)])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Anledning"),
        description=_l("Visas för föreningen och nattvandrarna."),
        validators=[Length(max=500)],
    )


class SeriesTimesForm(FlaskForm):
    start_time = ClockField(_l("Ny starttid"), validators=[InputRequired()])
    end_time = ClockField(
        _l("Ny sluttid"),
        description=_l("En sluttid före starttiden betyder efter midnatt."),
        validators=[InputRequired()],
    )
    step = HiddenField(default="preview")
    confirm = BooleanField(_l("Jag förstår att bokade pass påverkas"))


class SeriesCancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Anledning"),
        description=_l("Visas för föreningarna och nattvandrarna."),
        validators=[Length(max=500)],
    )
    step = HiddenField(default="preview")
    confirm = BooleanField(_l("Jag förstår att bokade pass påverkas"))


class RulesForm(FlaskForm):
    max_associations_per_shift = IntegerField(
        _l("Antal föreningar per pass"),
        description=_l("Normalt 1."),
        validators=[InputRequired()],
    )
    monthly_booking_cap = IntegerField(
        _l("Högst antal bokningar per förening och månad"),
        description=_l("Lämna tomt för inget tak."),
        validators=[Optional()],
    )
    cancel_deadline_hours = IntegerField(
        _l("Avbokningsgräns för föreningar (timmar före start)"),
        description=_l("Efter gränsen kan bara samordnaren avboka."),
        validators=[InputRequired()],
    )
    report_due_days = IntegerField(
        _l("Dagar att lämna rapport efter passet"), validators=[InputRequired()]
    )
    allow_reserve_list = BooleanField(_l("Föreningar får ställa sig på reservlista"))
    reserve_offer_hours = IntegerField(
        _l("Timmar som ett erbjudande från reservlistan gäller"),
        description=_l(
            "Under den tiden kan bara den förening som står först boka passet. "
            "Nära kvällen blir tiden kortare."
        ),
        validators=[InputRequired()],
    )
