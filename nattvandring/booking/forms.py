"""Booking forms: adding a walker and cancelling a booking."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange

from ..i18n import _l
from ..web.forms_util import MAX_ID


class AddWalkerForm(FlaskForm):
    user_id = SelectField(
        _l("Medlem"),
        coerce=int,
        validators=[
            DataRequired(_l("Välj en medlem.")),
            NumberRange(max=MAX_ID, message=_l("Välj en medlem.")),
        ],
    )


class CancelBookingForm(FlaskForm):
    reason = TextAreaField(
        _l("Anledning"),
        description=_l("Krävs när samordnaren avbokar. Föreningen ser anledningen."),
        validators=[Length(max=500)],
    )
