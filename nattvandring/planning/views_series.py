"""A series' page: change the times of its future shifts or cancel them, behind a preview."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _, ngettext
from ..municipalities.models import Municipality
from ..web.forms_util import load_for, show_violation
from . import services_series_edit as edit
from .blueprint import bp, planning_municipality
from .forms import WEEKDAY_NAMES, SeriesCancelForm, SeriesTimesForm
from .models import Shift, ShiftSeries


def _load_series(series_id: int, action: str) -> ShiftSeries:
    authz.require_role(current_user, Role.COORDINATOR)
    return load_for(ShiftSeries, series_id, action)


def _weekday_names(series: ShiftSeries) -> str:
    names = WEEKDAY_NAMES
    return ", ".join(str(names[int(d)]) for d in series.weekdays.split(",") if d.strip())


def _confirm_label(form, preview: edit.SeriesPreview) -> None:
    form.confirm.label.text = _(
        "Jag förstår att %(count)s bokade pass påverkas", count=preview.booked_count
    )


def _render(
    series: ShiftSeries, *, times_form=None, cancel_form=None, preview=None, mode=None, status=200
):
    session = db_session()
    municipality = session.get(Municipality, series.municipality_id)
    if times_form is None:
        times_form = SeriesTimesForm(
            formdata=None, data={"start_time": series.start_time, "end_time": series.end_time}
        )
    future = edit.future_shifts(session, series)
    return render_template(
        "planning/series_detail.html",
        series=series,
        municipality=municipality,
        weekday_names=_weekday_names(series),
        future_count=len(future),
        times_form=times_form,
        cancel_form=cancel_form or SeriesCancelForm(formdata=None),
        preview=preview,
        mode=mode,
    ), status


@bp.get("/planning/<int:municipality_id>/series")
@login_required
def series_list(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    session = db_session()
    counts = (
        select(Shift.series_id, func.count(col(Shift.id)).label("n"))
        .where(Shift.municipality_id == municipality_id)
        .group_by(col(Shift.series_id))
        .subquery()
    )
    rows = session.exec(
        select(ShiftSeries, counts.c.n)
        .outerjoin(counts, counts.c.series_id == ShiftSeries.id)
        .where(ShiftSeries.municipality_id == municipality_id)
        .order_by(col(ShiftSeries.start_date).desc(), col(ShiftSeries.id).desc())
    ).all()
    return render_template(
        "planning/series_list.html",
        municipality=municipality,
        rows=[(s, n or 0, _weekday_names(s)) for s, n in rows],
    )


@bp.get("/planning/series/<int:series_id>")
@login_required
def series_detail(series_id: int):
    return _render(_load_series(series_id, "edit"))


@bp.post("/planning/series/<int:series_id>/times")
@login_required
def series_times(series_id: int):
    series = _load_series(series_id, "edit")
    session = db_session()
    form = SeriesTimesForm()
    if not form.validate_on_submit():
        return _render(series, times_form=form, status=422)
    start_time, end_time = form.start_time.data, form.end_time.data
    try:
        preview = edit.preview_time_change(
            session,
            series,
            start_time=start_time,
            end_time=end_time,
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(form, violation)
        return _render(series, times_form=form, status=422)
    _confirm_label(form, preview)
    # The preview names the times it showed; other times need a new preview first.
    previewed = f"apply:{start_time:%H:%M}-{end_time:%H:%M}"
    if form.step.data != previewed:
        form.step.data = previewed
        form.confirm.data = False
        return _render(series, times_form=form, preview=preview, mode="times")
    try:
        edit.apply_time_change(
            session,
            series,
            start_time=start_time,
            end_time=end_time,
            confirmed=bool(form.confirm.data),
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        series = session.get(ShiftSeries, series_id)  # type: ignore[assignment]
        show_violation(form, violation)
        preview = edit.preview_time_change(
            session,
            series,
            start_time=start_time,
            end_time=end_time,
        )
        return _render(series, times_form=form, preview=preview, mode="times", status=422)
    flash(
        ngettext(
            "%(num)s kommande pass har fått nya tider, varav %(booked)s bokade.",
            "%(num)s kommande pass har fått nya tider, varav %(booked)s bokade.",
            len(preview.affected),
            booked=preview.booked_count,
        ),
        "success",
    )
    return redirect(url_for("planning.series_detail", series_id=series_id))


@bp.post("/planning/series/<int:series_id>/cancel")
@login_required
def series_cancel(series_id: int):
    series = _load_series(series_id, "cancel")
    session = db_session()
    form = SeriesCancelForm()
    preview = edit.preview_cancel(session, series)
    _confirm_label(form, preview)
    if form.step.data != "apply" or not form.validate_on_submit():
        # A reason the form refuses is shown next to the field (422), still with the preview.
        status = 422 if form.errors else 200
        form.step.data = "apply"
        form.confirm.data = False
        return _render(series, cancel_form=form, preview=preview, mode="cancel", status=status)
    try:
        edit.apply_cancel(
            session,
            series,
            reason=form.reason.data or "",
            confirmed=bool(form.confirm.data),
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        series = session.get(ShiftSeries, series_id)  # type: ignore[assignment]
        show_violation(form, violation)
        preview = edit.preview_cancel(session, series)
        return _render(series, cancel_form=form, preview=preview, mode="cancel", status=422)
    flash(
        ngettext(
            "%(num)s kommande pass är inställda, varav %(booked)s bokade.",
            "%(num)s kommande pass är inställda, varav %(booked)s bokade.",
            len(preview.affected),
            booked=preview.booked_count,
        ),
        "success",
    )
    return redirect(url_for("planning.series_detail", series_id=series_id))
