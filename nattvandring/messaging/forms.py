"""Forms of the SMS pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..i18n import _l
from ..web.fields import DayField
from .models import SmsKind, SmsStatus

STATUS_LABELS = {
    SmsStatus.PENDING: _l("Väntar"),
    SmsStatus.SENDING: _l("Skickas"),
    SmsStatus.SENT: _l("Skickat"),
    SmsStatus.DELIVERED: _l("Levererat"),
    SmsStatus.UNDELIVERED: _l("Gick inte fram"),
    SmsStatus.FAILED: _l("Misslyckades"),
    SmsStatus.CANCELLED: _l("Inställt"),
    SmsStatus.UNKNOWN: _l("Okänt, kontrolleras"),
    SmsStatus.EXPIRED: _l("Inaktuellt, skickades inte"),
}
KIND_LABELS = {
    SmsKind.CONFIRMATION: _l("Bokningsbekräftelse"),
    SmsKind.REMINDER: _l("Påminnelse"),
    SmsKind.CHANGE: _l("Ändrat pass"),
    SmsKind.CANCELLATION: _l("Inställt pass"),
    SmsKind.REMOVED: _l("Borttagen ur gruppen"),
    SmsKind.LEADER_DECLINED: _l("Till ledare: tackat nej"),
    SmsKind.LEADER_UNDERSTAFFED: _l("Till ledare: för få i gruppen"),
    SmsKind.LEADER_REPORT_DUE: _l("Till ledare: dags för rapport"),
    SmsKind.LEADER_INVALID_NUMBER: _l("Till ledare: ogiltigt nummer"),
    SmsKind.RESERVE_OFFERED: _l("Reservlistan: ledigt pass"),
    SmsKind.RESERVE_EXPIRED: _l("Reservlistan: erbjudandet gick ut"),
    SmsKind.WALKER_CALL: _l("Vi behöver en till"),
    SmsKind.ROUND_RESULT: _l("Bokningsomgång: resultatet"),
    SmsKind.MEMBERSHIP_QUESTION: _l("Fråga om medlemskap"),
    SmsKind.VERIFICATION_CODE: _l("Kod för att bekräfta numret"),
    SmsKind.NUMBER_CHANGED: _l("Till det gamla numret: numret är bytt"),
    SmsKind.LEADER_NOT_STARTED: _l("Till ledare: ingen har checkat in"),
    SmsKind.LEADER_STILL_OUT: _l("Till ledare: fortfarande ute"),
}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice("", _l("Alla"))] + [
        SelectChoice(str(key), label) for key, label in labels.items()
    ]


class OutboxFilterForm(FlaskForm):
    """GET filters (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=_choices(STATUS_LABELS),
        validators=[Optional()],
        default="",
    )
    kind = SelectField(
        _l("Typ"),
        choices=_choices(KIND_LABELS),
        validators=[Optional()],
        default="",
    )
    day = DayField(_l("Datum"), validators=[Optional()], description=_l("Planerat sändningsdatum"))


class RetryForm(FlaskForm):
    """Only the CSRF token."""
