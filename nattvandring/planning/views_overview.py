"""Calendar, coverage, audit log and rules for coordinators; the public page per municipality."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import groupby

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required
from sqlmodel import col, select

from ..accounts.models import User
from ..audit import texts as audit_texts
from ..audit.models import AuditEntry
from ..booking import services_rules
from ..clock import local_day_end, to_local, utcnow
from ..db import db_session
from ..errors import RuleViolation
from ..i18n import _
from ..municipalities.blueprint import public_municipality
from ..municipalities.models import Municipality
from ..opendata import services as opendata
from ..web import page_cache
from ..web.forms_util import show_violation
from ..web.query import int_arg, month_arg
from . import coverage as coverage_mod
from .blueprint import bp, planning_municipality
from .forms import RulesForm, optional_int
from .month import load_shift_rows, local_day_bounds, month_grid
from .services_areas import areas_of
from .services_special import nights_by_day, special_nights_between

PUBLIC_WEEKS = 8
AUDIT_PAGE_SIZE = 100


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@bp.get("/planning/<int:municipality_id>/calendar")
@login_required
def calendar(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    first = month_arg("month", to_local(utcnow()).date().replace(day=1))
    view = "month" if request.args.get("view") == "month" else "list"
    area_id = int_arg("area")
    content = page_cache.fragment(
        "planning.calendar",
        municipality_ids=[municipality_id],
        parts=(first, view, area_id),
        render=lambda: (_calendar_content(municipality, first, view, area_id), None),
    )
    return render_template("planning/calendar.html", municipality=municipality, content=content)


def _calendar_content(
    municipality: Municipality, first: date, view: str, area_id: int | None
) -> str:
    """The month's content: the same for every coordinator of the municipality."""
    session = db_session()
    municipality_id: int = municipality.id  # type: ignore[assignment]
    next_first = _shift_month(first, 1)
    areas = areas_of(session, municipality_id)
    if area_id not in {a.id for a in areas}:
        area_id = None
    start, end = local_day_bounds(first, next_first - timedelta(days=1))
    rows = load_shift_rows(
        session, municipality_id=municipality_id, start=start, end=end, area_id=area_id
    )
    by_day = {day: list(items) for day, items in groupby(rows, key=lambda r: r.local_day)}
    nights = special_nights_between(session, municipality, first, next_first - timedelta(days=1))
    return render_template(
        "planning/_calendar_content.html",
        specials=nights_by_day(nights),
        municipality=municipality,
        areas=areas,
        area_id=area_id,
        view=view,
        first=first,
        prev_month=_shift_month(first, -1),
        next_month=next_first,
        weeks=month_grid(first.year, first.month),
        by_day=by_day,
        rows=rows,
        format_day=lambda day: format_date(day, "EEEE d MMMM"),
        format_month=lambda day: format_date(day, "LLLL yyyy"),
        weekday_headers=[
            format_date(date(2024, 1, 1) + timedelta(days=n), "EEE") for n in range(7)
        ],
    )


@bp.get("/planning/<int:municipality_id>/coverage")
@login_required
def coverage(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    session = db_session()
    asked = int_arg("weeks") or coverage_mod.DEFAULT_WEEKS
    weeks = max(1, min(asked, coverage_mod.MAX_WEEKS))
    areas = areas_of(session, municipality_id)
    result = coverage_mod.coverage(
        session, municipality_id=municipality_id, areas=areas, weeks=weeks
    )
    return render_template(
        "planning/coverage.html",
        municipality=municipality,
        coverage=result,
        weeks=weeks,
        weeks_asked=asked,
        weeks_limited=asked > weeks,
        # A cell opens the calendar at the month of the week's Friday, the patrol night.
        week_month=lambda monday: (monday + timedelta(days=4)).strftime("%Y-%m"),
    )


@bp.get("/planning/<int:municipality_id>/audit")
@login_required
def audit(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    page = max(1, int_arg("page") or 1)
    rows = (
        db_session()
        .exec(
            select(AuditEntry, User.name)
            .outerjoin(User, col(User.id) == AuditEntry.actor_user_id)
            .where(AuditEntry.municipality_id == municipality_id)
            .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
            .offset((page - 1) * AUDIT_PAGE_SIZE)
            .limit(AUDIT_PAGE_SIZE + 1)
        )
        .all()
    )
    return render_template(
        "planning/audit.html",
        municipality=municipality,
        rows=rows[:AUDIT_PAGE_SIZE],
        page=page,
        has_more=len(rows) > AUDIT_PAGE_SIZE,
        audit_sentence=audit_texts.sentence,
        audit_details=audit_texts.details_text,
    )


@bp.route("/planning/<int:municipality_id>/rules", methods=["GET", "POST"])
@login_required
def rules(municipality_id: int):
    municipality = planning_municipality(municipality_id)
    form = RulesForm(obj=municipality)
    if form.validate_on_submit():
        session = db_session()
        data = services_rules.RulesInput(
            max_associations_per_shift=form.max_associations_per_shift.data,
            monthly_booking_cap=optional_int(form.monthly_booking_cap),
            cancel_deadline_hours=form.cancel_deadline_hours.data,
            report_due_days=form.report_due_days.data,
            allow_reserve_list=bool(form.allow_reserve_list.data),
            reserve_offer_hours=form.reserve_offer_hours.data,
        )
        try:
            services_rules.update_rules(session, municipality, data=data, actor_id=current_user.id)
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Reglerna är sparade."), "success")
            return redirect(url_for("planning.rules", municipality_id=municipality_id))
    status = 422 if request.method == "POST" else 200
    return render_template("planning/rules.html", municipality=municipality, form=form), status


@bp.get("/kommun/<slug>")
def public(slug: str):
    municipality = public_municipality(slug)
    today = to_local(utcnow()).date()
    content = page_cache.fragment(
        "planning.public",
        municipality_ids=[municipality.id],  # type: ignore[list-item]
        # Its links are absolute (feeds to subscribe to): one fragment per host.
        parts=(today, request.host_url),
        render=lambda: _public_content(municipality, today),
    )
    return render_template("planning/public.html", municipality=municipality, content=content)


def _public_content(municipality: Municipality, today: date) -> tuple[str, datetime]:
    """The public page's content, and when the clock changes it: when the first night on it
    ends (it leaves the page) or the day turns."""
    session = db_session()
    last = today + timedelta(weeks=PUBLIC_WEEKS, days=-1)
    found = opendata.municipality_nights(
        session, municipality, first=today, last=last, upcoming_only=True
    )
    by_day = [
        (day, list(items)) for day, items in groupby(found.nights, key=lambda n: n.row.local_day)
    ]
    nights = special_nights_between(session, municipality, today, last)
    html = render_template(
        "planning/_public_content.html",
        specials=nights_by_day(nights),
        municipality=municipality,
        by_day=by_day,
        weeks=PUBLIC_WEEKS,
        covered=found.tally.covered,
        total=found.tally.total,
        areas=[
            (item.area, opendata.map_links(item.area.latitude, item.area.longitude))
            for item in found.areas
        ],
        associations=opendata.approved_associations(session, municipality.id),  # type: ignore[arg-type]
        format_day=lambda day: format_date(day, "EEEE d MMMM"),
    )
    ends = [night.row.shift.end_at for night in found.nights]
    return html, min([*ends, local_day_end(today)])
