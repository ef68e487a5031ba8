"""Report, review, correction and erasure forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from ..errors import RuleViolation
from ..i18n import _l
from ..web.fields import ClockField, as_clock_text
from ..web.forms_util import MAX_ID, posted_id, show_violation
from .models import IncidentCategory
from .services_report import IncidentInput, PlaceInput, ReportInput, WalkerInput
from .situation import CATEGORY_LABELS


class WalkerRow(Form):
    user_id = HiddenField()
    walked = BooleanField(_l("Vandrade"), default=True)
    start = ClockField(_l("Start"))
    end = ClockField(_l("Slut"))


class IncidentRow(Form):
    category = SelectField(
        _l("Kategori"),
        choices=[],
        validate_choice=False,
        # Shown next to the row's field (the service's own check can only name the list).
        validators=[AnyOf(["", *IncidentCategory], message=_l("Välj en kategori."))],
    )
    # Not "description": FormField has its own attribute of that name.
    what = StringField(_l("Vad hände?"), validators=[Length(max=2000)])
    place = StringField(_l("Plats (valfritt)"), validators=[Length(max=255)])


class PlaceRow(Form):
    what = StringField(
        _l("Otrygg plats"),
        validators=[Length(max=2000)],
        description=_l("Till exempel trasig belysning eller igenvuxen gångväg."),
    )
    place = StringField(_l("Var?"), validators=[Length(max=255)])
    latitude = StringField(_l("Latitud (valfritt)"), validators=[Length(max=20)])
    longitude = StringField(_l("Longitud (valfritt)"), validators=[Length(max=20)])


class ReportForm(FlaskForm):
    young_people_met = IntegerField(
        _l("Antal unga ni mötte (uppskattning)"),
        validators=[InputRequired(), NumberRange(min=0, max=5000)],
    )
    summary = TextAreaField(_l("Sammanfattning av kvällen"), validators=[Length(max=4000)])
    walkers = FieldList(FormField(WalkerRow))
    add_walker = SelectField(
        _l("Lägg till vandrare"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[Optional(), NumberRange(min=0, max=MAX_ID, message=_l("Välj en medlem."))],
    )
    add_start = ClockField(_l("Start"))
    add_end = ClockField(_l("Slut"))
    incidents = FieldList(FormField(IncidentRow))
    places = FieldList(FormField(PlaceRow))
    save = SubmitField(_l("Spara utkast"))
    send = SubmitField(_l("Skicka in rapporten"))
    walker_errors: tuple[str, ...] = ()  # rule violations about the walker list as a whole


def category_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Ingen")))] + [(c.value, str(CATEGORY_LABELS[c])) for c in IncidentCategory]


def _coordinate(text: str | None, low: float, high: float, field: str) -> float | None:
    raw = (text or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise RuleViolation("coordinate_invalid", _l("Ogiltig koordinat."), field=field)
    return value


def report_input(form: ReportForm) -> ReportInput:
    """Turn the posted form into service input (raises RuleViolation on a coordinate that is
    no number or out of range)."""
    walkers = []
    # Service walker index -> form row index (None: the "add walker" fields).
    form.walker_rows = []
    for index, row in enumerate(form.walkers):
        user_id = posted_id(row.user_id.data)
        if row.walked.data and user_id is not None:
            walkers.append(
                WalkerInput(user_id, as_clock_text(row.start.data), as_clock_text(row.end.data))
            )
            form.walker_rows.append(index)
    if form.add_walker.data:
        walkers.append(
            WalkerInput(
                form.add_walker.data,
                as_clock_text(form.add_start.data),
                as_clock_text(form.add_end.data),
            )
        )
        form.walker_rows.append(None)
    # Every row, as typed: ``save_report`` skips the empty ones and refuses half-filled ones.
    incidents = [
        IncidentInput(row.category.data or "", row.what.data or "", row.place.data or "")
        for row in form.incidents
    ]
    places = [
        PlaceInput(
            row.what.data or "",
            row.place.data or "",
            _coordinate(row.latitude.data, -90, 90, f"places-{index}-latitude"),
            _coordinate(row.longitude.data, -180, 180, f"places-{index}-longitude"),
        )
        for index, row in enumerate(form.places)
    ]
    return ReportInput(
        young_people_met=form.young_people_met.data or 0,
        summary=form.summary.data or "",
        walkers=walkers,
        incidents=incidents,
        places=places,
    )


def attach_violation(form: FlaskForm, violation: RuleViolation) -> None:
    """Like ``show_violation``, but also finds nested fields named "walkers-0-end"."""
    if violation.field == "walkers":
        form.walker_errors = [violation.message]
        return
    path = (violation.field or "").split("-")
    if len(path) == 3 and path[1].isdigit():
        index: int | None = int(path[1])
        row_map = getattr(form, "walker_rows", None)
        if path[0] == "walkers" and row_map is not None and index is not None:
            index = row_map[index] if index < len(row_map) else None
            if index is None:
                target = form.add_end if path[2] == "end" else form.add_start
                target.errors = [*target.errors, violation.message]
                return
        rows = getattr(form, path[0], None)
        if rows is not None and index is not None and index < len(rows.entries):
            target = getattr(rows.entries[index].form, path[2], None)
            if target is not None:
                target.errors = [*target.errors, violation.message]
                return
    show_violation(form, violation)


class ReturnForm(FlaskForm):
    comment = TextAreaField(
        _l("Vad behöver rättas?"), validators=[DataRequired(), Length(max=2000)]
    )


class CorrectionForm(FlaskForm):
    user_id = SelectField(
        _l("Vandrare"),
        coerce=int,
        choices=[],
        validate_choice=False,
        validators=[NumberRange(min=1, max=MAX_ID, message=_l("Välj en medlem."))],
    )
    minutes = IntegerField(
        _l("Nya minuter totalt"),
        validators=[InputRequired(), NumberRange(min=0, max=840)],
        description=_l("0 tar bort vandraren från passet."),
    )
    reason = StringField(_l("Orsak"), validators=[DataRequired(), Length(max=500)])
