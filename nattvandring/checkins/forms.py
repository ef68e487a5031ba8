"""Check-in buttons and the nudge settings (CSRF-protected forms)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField

from ..i18n import _l


class CheckForm(FlaskForm):
    """A button: the route says what it does."""


class NudgeSettingsForm(FlaskForm):
    nudge_not_started = BooleanField(
        _l("SMS till ledaren när ingen har checkat in 20 minuter efter starten")
    )
    nudge_still_out = BooleanField(
        _l("SMS till ledaren när någon är incheckad två timmar efter passets slut")
    )
