"""Report pages for leaders and coordinators: lists, filing, review, corrections.

The hours overview, the lägesbild and the personal-page routes live in views_hours,
views_situation and views_personal; they add routes to this module's blueprint.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role, User
from ..associations.models import Association
from ..booking.models import Booking
from ..clock import to_local, utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..i18n import _, _l
from ..municipalities.models import Municipality, PatrolArea
from ..planning.models import Shift
from ..web import nav
from ..web.forms_util import load_for, show_violation
from ..web.query import date_arg
from . import editing, ledger, policy  # noqa: F401  (policy registers the rules)
from .forms import CorrectionForm, ReturnForm
from .models import EDITABLE, Incident, PatrolReport, ReportStatus
from .services_due import missing_reports
from .services_report import member_ids, start_report, walkers_of
from .services_review import approve, correct_walker, places_of, return_report
from .situation import CATEGORY_LABELS, PLACE_STATUS_LABELS

bp = Blueprint("reports", __name__)

STATUS_LABELS = {
    ReportStatus.DRAFT: _l("Utkast"),
    ReportStatus.SUBMITTED: _l("Väntar på godkännande"),
    ReportStatus.RETURNED: _l("Tillbakaskickad"),
    ReportStatus.APPROVED: _l("Godkänd"),
}


@bp.app_context_processor
def _labels():
    return {
        "report_status_labels": STATUS_LABELS,
        "incident_labels": CATEGORY_LABELS,
        "place_status_labels": PLACE_STATUS_LABELS,
    }


def coordinator_municipality_ids() -> set[int]:
    """The current coordinator's municipalities (all of them for an admin)."""
    if current_user.is_admin:
        ids = db_session().exec(select(col(Municipality.id))).all()
        return {municipality_id for municipality_id in ids if municipality_id is not None}
    return current_user.municipality_ids()


def coordinator_period() -> tuple[set[int], date, date]:
    """The coordinator's municipalities and the ?from=&to= period (this year by default,
    at most three years, swapped when given backwards)."""
    authz.require_role(current_user, Role.COORDINATOR)
    today = to_local(utcnow()).date()
    start = date_arg("from", date(today.year, 1, 1))
    end = date_arg("to", today)
    if end < start:
        start, end = end, start
    if (end - start).days > 3 * 366:
        start = end.replace(year=end.year - 3)
    return coordinator_municipality_ids(), start, end


def _report_rows(query):
    return (
        db_session()
        .exec(
            query.join(Shift, Shift.id == PatrolReport.shift_id)
            .join(Association, Association.id == PatrolReport.association_id)
            .join(PatrolArea, PatrolArea.id == Shift.area_id)
            .order_by(col(Shift.start_at).desc(), col(PatrolReport.id).desc())
            .limit(200)
        )
        .all()
    )


@bp.get("/reports")
@login_required
def index():
    authz.require_role(current_user, Role.LEADER, Role.COORDINATOR)
    session = db_session()
    base = select(PatrolReport, Shift, Association, PatrolArea)
    leader_ids = current_user.association_ids()
    muni_ids = (
        coordinator_municipality_ids()
        if current_user.is_admin or current_user.has_role(Role.COORDINATOR)
        else set()
    )
    status = request.args.get("status", "")
    coordinator = None
    if muni_ids:
        query = base.where(col(PatrolReport.municipality_id).in_(muni_ids))
        if status in set(ReportStatus):
            query = query.where(PatrolReport.status == status)
        coordinator = {
            "awaiting": _report_rows(
                base.where(
                    col(PatrolReport.municipality_id).in_(muni_ids),
                    PatrolReport.status == ReportStatus.SUBMITTED,
                )
            ),
            "missing": missing_reports(session, municipality_ids=muni_ids),
            "reports": _report_rows(query),
        }
    leader = None
    if leader_ids:
        leader = {
            "missing": missing_reports(session, association_ids=leader_ids),
            "reports": _report_rows(base.where(col(PatrolReport.association_id).in_(leader_ids))),
        }
    return render_template(
        "reports/index.html", coordinator=coordinator, leader=leader, status=status
    )


@bp.post("/reports/booking/<int:booking_id>")
@login_required
def start(booking_id: int):
    session = db_session()
    booking = session.get(Booking, booking_id)
    if booking is None or not (
        current_user.is_admin or booking.association_id in current_user.association_ids()
    ):
        raise NotFound()
    try:
        report = start_report(session, booking, actor_id=current_user.id)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("reports.index"))
    return redirect(url_for("reports.edit", report_id=report.id))


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit(report_id: int):
    report = load_for(PatrolReport, report_id, "file")
    if report.status not in EDITABLE:
        flash(_("Rapporten är inskickad eller godkänd och kan inte längre ändras."), "error")
        if request.method == "POST":
            return render_locked(report), 409
        return redirect(url_for("reports.detail", report_id=report.id))
    return editing.handle(
        db_session(),
        report,
        actor_id=current_user.id,
        edit_url=url_for("reports.edit", report_id=report.id),
        done_url=url_for("reports.detail", report_id=report.id),
        context={"back_url": url_for("reports.index")},
    )


def render_locked(report: PatrolReport) -> str:
    return render_template("reports/locked.html", report=report)


def detail_context(report: PatrolReport) -> dict:
    session = db_session()
    shift = session.get(Shift, report.shift_id)
    walkers = walkers_of(session, report)
    user_ids = {w.user_id for w in walkers} | {report.filed_by_id, report.approved_by_id}
    user_ids.discard(None)
    names = {
        u.id: u.name for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()
    }
    totals = ledger.walker_totals(session, report.id)  # type: ignore[arg-type]
    return {
        "report": report,
        "shift": shift,
        "area": session.get(PatrolArea, shift.area_id) if shift else None,
        "association": session.get(Association, report.association_id),
        "walkers": walkers,
        "names": names,
        "totals": totals,
        "total_minutes": sum(totals.values())
        if report.status == ReportStatus.APPROVED
        else sum(w.minutes for w in walkers),
        "incidents": session.exec(
            select(Incident).where(Incident.report_id == report.id).order_by(col(Incident.id))
        ).all(),
        "places": places_of(session, report.id),  # type: ignore[arg-type]
        "history": ledger.history(session, report.id),  # type: ignore[arg-type]
    }


def _correction_form(report: PatrolReport, *, posted: bool) -> CorrectionForm:
    session = db_session()
    form = CorrectionForm() if posted else CorrectionForm(formdata=None)
    ids = member_ids(session, report.association_id) | {
        w.user_id for w in walkers_of(session, report) if w.user_id is not None
    }
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    form.user_id.choices = sorted(((u.id, u.name) for u in users), key=lambda p: p[1])
    return form


@bp.get("/reports/<int:report_id>")
@login_required
def detail(report_id: int):
    report = load_for(PatrolReport, report_id, "view")
    return _render_detail(report)


def _render_detail(report: PatrolReport, *, return_form=None, correction_form=None):
    context = detail_context(report)
    can_review = authz.can(current_user, "review", report)
    context.update(
        can_file=authz.can(current_user, "file", report) and report.status in EDITABLE,
        can_review=can_review,
        return_form=return_form or ReturnForm(formdata=None),
        correction_form=correction_form or _correction_form(report, posted=False),
    )
    return render_template("reports/detail.html", **context)


@bp.post("/reports/<int:report_id>/approve")
@login_required
def approve_report(report_id: int):
    report = load_for(PatrolReport, report_id, "review")
    session = db_session()
    try:
        approve(session, report, actor_id=current_user.id)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return _render_detail(report), 409
    flash(_("Rapporten är godkänd och timmarna är låsta."), "success")
    return redirect(url_for("reports.detail", report_id=report.id))


@bp.post("/reports/<int:report_id>/return")
@login_required
def return_to_group(report_id: int):
    report = load_for(PatrolReport, report_id, "review")
    session = db_session()
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            return_report(
                session, report, comment=form.comment.data or "", actor_id=current_user.id
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return _render_detail(report, return_form=form), 422
        flash(_("Rapporten är skickad tillbaka till föreningen."), "success")
        return redirect(url_for("reports.detail", report_id=report.id))
    return _render_detail(report, return_form=form), 422


@bp.post("/reports/<int:report_id>/correct")
@login_required
def correct(report_id: int):
    report = load_for(PatrolReport, report_id, "review")
    session = db_session()
    form = _correction_form(report, posted=True)
    if form.validate_on_submit():
        try:
            correct_walker(
                session,
                report,
                user_id=form.user_id.data,
                minutes=form.minutes.data,
                reason=form.reason.data or "",
                actor_id=current_user.id,
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
            return _render_detail(report, correction_form=form), 422
        flash(_("Rättelsen är sparad i timliggaren."), "success")
        return redirect(url_for("reports.detail", report_id=report.id) + "#historik")
    return _render_detail(report, correction_form=form), 422


def _is_coordinator(user) -> bool:
    return user.is_admin or user.has_role(Role.COORDINATOR)


nav.register(
    "reports.index",
    _l("Rapporter"),
    lambda user: _is_coordinator(user) or user.has_role(Role.LEADER),
    order=60,
)

# Routes in sibling modules register on ``bp``; imported last to avoid a cycle.
from . import views_hours, views_personal, views_situation  # noqa: E402, F401

__all__ = ["bp"]
