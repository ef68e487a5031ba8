"""The special nights page: the coming special nights and school breaks of a municipality,
each added to chosen areas with one form, and the school-break weeks."""

from __future__ import annotations

from datetime import date, timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..clock import to_local, utcnow
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _
from ..municipalities.models import Municipality
from ..web.forms_util import show_violation
from ..web.query import date_arg
from . import special_nights as specials
from .blueprint import bp, planning_municipality
from .forms import SchoolBreakForm
from .services_areas import areas_of
from .services_special import (
    MAX_PERIOD_DAYS,
    save_school_breaks,
    school_breaks,
    suggestions,
)

#: The page shows this many days from today unless a period is asked for.
DEFAULT_DAYS = 365


def render_special_nights(
    municipality: Municipality,
    form: SchoolBreakForm,
    status: int = 200,
    *,
    start: date | None = None,
    end: date | None = None,
):
    """The page for the period ``start``–``end`` (default: a year from today)."""
    session = db_session()
    start = start or to_local(utcnow()).date()
    end = end or start + timedelta(days=DEFAULT_DAYS)
    too_long = end < start or (end - start).days > MAX_PERIOD_DAYS
    if too_long:
        end = start + timedelta(days=DEFAULT_DAYS)
    items = suggestions(session, municipality, start, end)
    areas = [a for a in areas_of(session, municipality.id) if a.active]  # type: ignore[arg-type]
    return render_template(
        "planning/special_nights.html",
        municipality=municipality,
        form=form,
        items=items,
        areas=areas,
        start=start,
        end=end,
        too_long=too_long,
        max_days=MAX_PERIOD_DAYS,
    ), status


@bp.get("/planning/<int:municipality_id>/special-nights")
@login_required
def special_nights(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    weeks = school_breaks(db_session(), municipality_id)
    form = SchoolBreakForm(formdata=None, data=weeks)
    start, end = date_arg("start_date", None), date_arg("end_date", None)
    return render_special_nights(municipality, form, start=start, end=end)


@bp.post("/planning/<int:municipality_id>/school-breaks")
@login_required
def school_breaks_save(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    session = db_session()
    form = SchoolBreakForm()
    if not form.validate_on_submit():
        return render_special_nights(municipality, form, 422)
    weeks = {kind: getattr(form, kind).data for kind in specials.BREAK_KEYS}
    try:
        save_school_breaks(
            session, municipality=municipality, weeks=weeks, actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(form, violation)
        return render_special_nights(municipality, form, 422)
    flash(_("Loven är sparade."), "success")
    return redirect(url_for("planning.special_nights", municipality_id=municipality_id))
