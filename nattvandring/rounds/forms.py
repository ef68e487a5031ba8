"""Booking round forms: the coordinator's new round. Wishes are parsed in the view."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..i18n import _l
from ..web.fields import ClockField, DayField


class RoundForm(FlaskForm):
    name = StringField(
        _l("Namn"),
        description=_l("T.ex. Våren 2027 eller Valborg och skolavslutning."),
        validators=[InputRequired(), Length(max=120)],
    )
    first_day = DayField(_l("Första kvällen"), validators=[InputRequired()])
    last_day = DayField(_l("Sista kvällen"), validators=[InputRequired()])
    deadline_day = DayField(_l("Sista dag att önska"), validators=[InputRequired()])
    deadline_time = ClockField(_l("Klockan"), validators=[InputRequired()])
    max_nights = IntegerField(
        _l("Högst antal kvällar per förening"),
        description=_l("Lämna tomt för inget tak."),
        validators=[Optional()],
    )
