"""Booking forms: choosing walkers for the group, and cancelling a booking."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field, TextAreaField
from wtforms.validators import Length, ValidationError

from ..i18n import _l
from ..web.forms_util import MAX_ID


class MemberIdsField(Field):
    """One or more member ids under one name (``user_id``): the picker's checkboxes.

    The template draws the checkboxes (with each member's reason if they cannot walk); the
    service decides who may be added. Here only the shape is checked: whole numbers a column
    can hold, each once.
    """

    def _value(self) -> str:
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data: list[int] = []
        for raw in valuelist:
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise ValueError(_l("Välj medlemmar ur listan.")) from None
            if not 0 < value <= MAX_ID:
                raise ValueError(_l("Välj medlemmar ur listan."))
            if value not in self.data:
                self.data.append(value)


def _at_least_one(form: FlaskForm, field: Field) -> None:
    if not field.data:
        raise ValidationError(_l("Välj minst en medlem."))


class AddWalkerForm(FlaskForm):
    user_id = MemberIdsField(_l("Medlemmar"), default=list, validators=[_at_least_one])


class CallWalkerForm(FlaskForm):
    """ "Vi behöver en till": ask the members who can walk, by SMS (no fields)."""


class CancelBookingForm(FlaskForm):
    reason = TextAreaField(
        _l("Anledning"),
        description=_l("Krävs när samordnaren avbokar. Föreningen ser anledningen."),
        validators=[Length(max=500)],
    )
