"""Municipality admin forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..i18n import _l


class MunicipalityForm(FlaskForm):
    name = StringField(_l("Kommunens namn"), validators=[DataRequired(), Length(max=120)])
