"""The season planner, one-click special nights, and single shift edit/cancel."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import Session, col, select

from .. import authz, dates
from ..accounts.models import Role
from ..associations.models import Association
from ..booking.models import Booking, BookingStatus
from ..clock import to_local, utcnow
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _, ngettext
from ..municipalities.models import Municipality
from ..web.forms_util import load_for, show_violation
from ..web.query import date_arg
from . import services_series, services_shifts, services_special
from .blueprint import bp, planning_municipality
from .forms import (
    CancelForm,
    SchoolBreakForm,
    SeriesForm,
    ShiftForm,
    SpecialNightForm,
    choices,
    optional_int,
)
from .models import PatrolArea, Shift, ShiftSeries
from .services_areas import areas_of
from .services_special import school_breaks, suggestions
from .views_special import render_special_nights


def _day_of(field) -> date | None:
    """A date field's date when it parsed and lies in the window (a refused form shows the
    page again, and a year-9999 date would overflow the special nights)."""
    value = field.data
    return value if isinstance(value, date) and dates.day_in_window(value) else None


def _render_planner(municipality: Municipality, form: SeriesForm, status: int = 200):
    session = db_session()
    first, last = _day_of(form.start_date), _day_of(form.end_date)
    nights: list = []
    if first and last and last >= first:
        nights = suggestions(
            session, municipality, first, last, last_school_day=_day_of(form.last_school_day)
        )
    active_areas = [a for a in areas_of(session, municipality.id) if a.active]  # type: ignore[arg-type]
    return render_template(
        "planning/series_new.html",
        municipality=municipality,
        form=form,
        nights=nights,
        breaks=school_breaks(session, municipality.id),  # type: ignore[arg-type]
        areas=active_areas,
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
    form.area_ids.choices = choices((a.id, a.name) for a in active_areas)
    form.weekdays.data = [4, 5]
    form.area_ids.data = [a.id for a in active_areas]
    form.start_date.data = start_date or today
    form.end_date.data = end_date or today + timedelta(days=90)
    form.last_school_day.data = last_school_day
    if active_areas:
        form.start_time.data = active_areas[0].default_start
        form.end_time.data = active_areas[0].default_end
    return form


@bp.route("/planning/<int:municipality_id>/series/new", methods=["GET", "POST"])
@login_required
def series_new(municipality_id: int):
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
    form.area_ids.choices = choices((a.id, a.name) for a in active_areas)
    if request.form.get("action") == "specials":
        # Only shows the special nights of the period; a field it cannot read is a 422.
        return _render_planner(municipality, form, 200 if form.validate() else 422)
    if not form.validate_on_submit():
        return _render_planner(municipality, form, 422)
    data = services_series.SeriesInput(
        area_ids=form.area_ids.data or [],
        weekdays=form.weekdays.data or [],
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        start_time=form.start_time.data,
        end_time=form.end_time.data,
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
    if result.created:
        flash(
            _(
                "Skapade %(created)s pass. %(skipped)s fanns redan och hoppades över.",
                created=len(result.created),
                skipped=result.skipped,
            ),
            "success",
        )
    else:
        # A second identical post (double click, another tab, a colleague): nothing new.
        flash(
            _(
                "Inga nya pass skapades: alla %(skipped)s kvällar fanns redan.",
                skipped=result.skipped,
            ),
            "warning",
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
def special_night_add(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    session = db_session()
    form = SpecialNightForm()
    form.area_ids.choices = choices((a.id, a.name) for a in areas_of(session, municipality_id))
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
    days: dict[str, Any] = {
        name: day.isoformat() for name, day in period.items() if day is not None
    }
    to_page = request.form.get("return_to") == "special_nights"
    back = url_for(
        "planning.special_nights" if to_page else "planning.series_new",
        municipality_id=municipality_id,
        **days,
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        if to_page:
            weeks = school_breaks(session, municipality_id)
            return render_special_nights(
                municipality,
                SchoolBreakForm(formdata=None, data=weeks),
                422,
                start=period["start_date"],
                end=period["end_date"],
            )
        return _render_planner(
            municipality, _fresh_planner(session, municipality_id, **period), 422
        )
    try:
        result = services_special.add_special_night(
            session,
            municipality=municipality,
            day=form.day.data,
            key=form.key.data or "",
            area_ids=form.area_ids.data or [],
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(back), 303
    day = form.day.data.isoformat()
    if result.created:
        flash(
            _(
                "Skapade %(created)s pass den %(day)s. %(skipped)s fanns redan.",
                created=len(result.created),
                day=day,
                skipped=result.skipped,
            ),
            "success",
        )
    else:
        # A second identical post (double click, another tab, a colleague): nothing new.
        flash(
            ngettext(
                "Inga nya pass skapades: passet den %(day)s fanns redan.",
                "Inga nya pass skapades: alla %(num)s pass den %(day)s fanns redan.",
                result.skipped,
                day=day,
            ),
            "warning",
        )
    return redirect(back)


def _shift_context(shift: Shift) -> dict:
    session = db_session()
    area = session.get(PatrolArea, shift.area_id)
    bookings = session.exec(
        select(Association.name)
        .join(Booking, col(Booking.association_id) == Association.id)
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
def shift_edit(shift_id: int):
    shift = _load_shift(shift_id, "edit")
    session = db_session()
    form = _shift_form(session, shift, ShiftForm())
    if request.method == "GET":
        current = services_shifts.shift_input_from(shift)
        form.process(data=current.__dict__)
    elif form.validate_on_submit():
        data = services_shifts.ShiftInput(
            day=form.day.data,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            area_id=form.area_id.data,
            min_walkers=form.min_walkers.data,
            max_walkers=optional_int(form.max_walkers),
            min_age=form.min_age.data,
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


def _cancel_refused(shift_id: int, cancel_form: CancelForm):
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
def shift_cancel(shift_id: int):
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
