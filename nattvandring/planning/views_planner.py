"""The season planner, one-click special nights, and single shift edit/cancel."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required
from sqlmodel import Session, select

from .. import authz, dates
from ..accounts.models import Role
from ..associations.models import Association
from ..booking.models import Booking, BookingStatus
from ..clock import to_local, utcnow
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _
from ..municipalities.models import Municipality
from ..web.forms_util import load_for, show_violation
from ..web.query import date_arg
from . import services_series, services_shifts
from .blueprint import bp, planning_municipality
from .forms import CancelForm, SeriesForm, ShiftForm, SpecialNightForm, choices, optional_int
from .models import PatrolArea, Shift, ShiftSeries, ShiftStatus
from .month import local_day_bounds
from .services_areas import areas_of
from .special_nights import special_nights_between


def _planned_days(session, municipality_id: int, first: date, last: date) -> set[date]:  # type: ignore[no-untyped-def]
    start, end = local_day_bounds(first, last)
    rows = session.exec(
        select(Shift.start_at).where(
            Shift.municipality_id == municipality_id,
            Shift.start_at >= start,
            Shift.start_at < end,
            Shift.status != ShiftStatus.CANCELLED,
        )
    )
    return {to_local(start_at).date() for start_at in rows}


def _day_of(field) -> date | None:  # type: ignore[no-untyped-def]
    """A date field's date when it parsed and lies in the window (a refused form shows the
    page again, and a year-9999 date would overflow the special nights)."""
    value = field.data
    return value if isinstance(value, date) and dates.day_in_window(value) else None


def _render_planner(municipality: Municipality, form: SeriesForm, status: int = 200):  # type: ignore[no-untyped-def]
    session = db_session()
    first, last = _day_of(form.start_date), _day_of(form.end_date)
    nights = []
    planned: set[date] = set()
    if first and last and last >= first and (last - first).days <= 400:
        nights = special_nights_between(first, last, last_school_day=_day_of(form.last_school_day))
        planned = _planned_days(session, municipality.id, first, last)  # type: ignore[arg-type]
    active_areas = [a for a in areas_of(session, municipality.id) if a.active]  # type: ignore[arg-type]
    return render_template(
        "planning/series_new.html",
        municipality=municipality,
        form=form,
        nights=nights,
        planned=planned,
        areas=active_areas,
        weekday_name=lambda day: format_date(day, "EEEE"),
    ), status


def _fresh_planner(
    session: Session,
    municipality_id: int,
    *,
    start_date: date | None,
    end_date: date | None,
    last_school_day: date | None,
) -> SeriesForm:
    """The planner as first shown: Fridays and Saturdays in every active area, the next 90
    days unless a period is given, the first area's times."""
    today = to_local(utcnow()).date()
    active_areas = [a for a in areas_of(session, municipality_id) if a.active]
    form = SeriesForm(formdata=None)
    form.area_ids.choices = choices((a.id, a.name) for a in active_areas)  # type: ignore[misc]
    form.weekdays.data = [4, 5]
    form.area_ids.data = [a.id for a in active_areas]  # type: ignore[misc]
    form.start_date.data = start_date or today
    form.end_date.data = end_date or today + timedelta(days=90)
    form.last_school_day.data = last_school_day
    if active_areas:
        form.start_time.data = active_areas[0].default_start
        form.end_time.data = active_areas[0].default_end
    return form


@bp.route("/planning/<int:municipality_id>/series/new", methods=["GET", "POST"])
@login_required
def series_new(municipality_id: int):  # type: ignore[no-untyped-def]
    municipality = planning_municipality(municipality_id)
    session = db_session()
    if request.method == "GET":
        form = _fresh_planner(
            session,
            municipality_id,
            start_date=date_arg("start_date", None),
            end_date=date_arg("end_date", None),
            last_school_day=date_arg("last_school_day", None),
        )
        return _render_planner(municipality, form)
    form = SeriesForm()
    active_areas = [a for a in areas_of(session, municipality_id) if a.active]
    form.area_ids.choices = choices((a.id, a.name) for a in active_areas)  # type: ignore[misc]
    if request.form.get("action") == "specials":
        # Only shows the special nights of the period; a field it cannot read is a 422.
        return _render_planner(municipality, form, 200 if form.validate() else 422)
    if not form.validate_on_submit():
        return _render_planner(municipality, form, 422)
    data = services_series.SeriesInput(
        area_ids=form.area_ids.data or [],
        weekdays=form.weekdays.data or [],
        start_date=form.start_date.data,  # type: ignore[arg-type]
        end_date=form.end_date.data,  # type: ignore[arg-type]
        start_time=form.start_time.data,  # type: ignore[arg-type]
        end_time=form.end_time.data,  # type: ignore[arg-type]
        min_walkers=optional_int(form.min_walkers),
        max_walkers=optional_int(form.max_walkers),
        min_age=optional_int(form.min_age),
        name=form.name.data or "",
    )
    try:
        result = services_series.create_series(
            session, municipality=municipality, data=data, actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(form, violation)
        return _render_planner(municipality, form, 422)
    flash(
        _(
            "Skapade %(created)s pass. %(skipped)s fanns redan och hoppades över.",
            created=len(result.created),
            skipped=result.skipped,
        ),
        "success",
    )
    start = data.start_date
    return redirect(
        url_for(
            "planning.calendar",
            municipality_id=municipality_id,
            month=f"{start.year:04d}-{start.month:02d}",
        )
    )


@bp.post("/planning/<int:municipality_id>/special-nights")
@login_required
def special_night_add(municipality_id: int):  # type: ignore[no-untyped-def]
    municipality = planning_municipality(municipality_id)
    session = db_session()
    form = SpecialNightForm()
    form.area_ids.choices = choices((a.id, a.name) for a in areas_of(session, municipality_id))  # type: ignore[misc]
    # The planner's period travels along in hidden fields; only dates in the window go back
    # into the URL, never the text as posted (it would be copied into the Location header).
    period = {
        name: dates.parse_day(request.form.get(posted))
        for name, posted in (
            ("start_date", "range_start"),
            ("end_date", "range_end"),
            ("last_school_day", "last_school_day"),
        )
    }
    back = url_for(
        "planning.series_new",
        municipality_id=municipality_id,
        **{name: day.isoformat() for name, day in period.items() if day is not None},
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _render_planner(
            municipality, _fresh_planner(session, municipality_id, **period), 422
        )
    try:
        result = services_series.add_special_night(
            session,
            municipality=municipality,
            day=form.day.data,  # type: ignore[arg-type]
            key=form.key.data or "",
            area_ids=form.area_ids.data or [],
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(back), 303
    flash(
        _(
            "Skapade %(created)s pass den %(day)s. %(skipped)s fanns redan.",
            created=len(result.created),
            day=form.day.data.isoformat(),  # type: ignore[union-attr]
            skipped=result.skipped,
        ),
        "success",
    )
    return redirect(back)


def _shift_context(shift: Shift) -> dict:
    session = db_session()
    area = session.get(PatrolArea, shift.area_id)
    bookings = session.exec(
        select(Association.name)
        .join(Booking, Booking.association_id == Association.id)
        .where(Booking.shift_id == shift.id, Booking.status == BookingStatus.ACTIVE)
    ).all()
    series = session.get(ShiftSeries, shift.series_id) if shift.series_id else None
    return {
        "shift": shift,
        "area": area,
        "associations": list(bookings),
        "walkers": services_shifts.current_walkers(session, shift.id),  # type: ignore[arg-type]
        "series": series,
        "municipality": session.get(Municipality, shift.municipality_id),
    }


def _load_shift(shift_id: int, action: str) -> Shift:
    authz.require_role(current_user, Role.COORDINATOR)
    return load_for(Shift, shift_id, action)


def _shift_form(session: Session, shift: Shift, form: ShiftForm) -> ShiftForm:
    """The shift's edit form with its area choices: active areas, and the shift's own."""
    form.area_id.choices = choices(
        (a.id, f"{a.name} – {a.meeting_point}" if a.meeting_point else a.name)
        for a in areas_of(session, shift.municipality_id)
        if a.active or a.id == shift.area_id
    )
    return form


@bp.route("/planning/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@login_required
def shift_edit(shift_id: int):  # type: ignore[no-untyped-def]
    shift = _load_shift(shift_id, "edit")
    session = db_session()
    form = _shift_form(session, shift, ShiftForm())
    if request.method == "GET":
        current = services_shifts.shift_input_from(shift)
        form.process(data=current.__dict__)
    elif form.validate_on_submit():
        data = services_shifts.ShiftInput(
            day=form.day.data,  # type: ignore[arg-type]
            start_time=form.start_time.data,  # type: ignore[arg-type]
            end_time=form.end_time.data,  # type: ignore[arg-type]
            area_id=form.area_id.data,  # type: ignore[arg-type]
            min_walkers=form.min_walkers.data,  # type: ignore[arg-type]
            max_walkers=optional_int(form.max_walkers),
            min_age=form.min_age.data,  # type: ignore[arg-type]
            notes=form.notes.data or "",
        )
        try:
            services_shifts.edit_shift(session, shift, data=data, actor_id=current_user.id)
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Passet är sparat."), "success")
            return redirect(url_for("planning.shift_edit", shift_id=shift.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "planning/shift_edit.html",
        form=form,
        cancel_form=CancelForm(formdata=None),
        **_shift_context(shift),
    ), status


def _cancel_refused(shift_id: int, cancel_form: CancelForm):  # type: ignore[no-untyped-def]
    """The shift page again, with the cancel form's errors (422)."""
    session = db_session()
    shift = session.get(Shift, shift_id)
    assert shift is not None
    data = services_shifts.shift_input_from(shift).__dict__
    form = _shift_form(session, shift, ShiftForm(formdata=None, data=data))
    return render_template(
        "planning/shift_edit.html", form=form, cancel_form=cancel_form, **_shift_context(shift)
    ), 422


@bp.post("/planning/shifts/<int:shift_id>/cancel")
@login_required
def shift_cancel(shift_id: int):  # type: ignore[no-untyped-def]
    shift = _load_shift(shift_id, "cancel")
    session = db_session()
    cancel_form = CancelForm()
    if not cancel_form.validate_on_submit():
        return _cancel_refused(shift_id, cancel_form)
    try:
        hit = services_shifts.cancel_shift(
            session, shift, reason=cancel_form.reason.data or "", actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(cancel_form, violation)
        return _cancel_refused(shift_id, cancel_form)
    flash(_("Passet är inställt. Avbokade bokningar: %(count)s.", count=hit), "success")
    return redirect(url_for("planning.shift_edit", shift_id=shift.id))
