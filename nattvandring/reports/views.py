"""Report pages for leaders and coordinators: lists, filing, review, corrections.

The hours overview and the lägesbild live in views_hours and views_situation; the routes a
volunteer reaches by their personal link live in volunteers/.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role, User
from ..associations.models import Association
from ..booking.models import Booking
from ..clock import utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..formatting import local_time
from ..i18n import _, _l
from ..planning.models import PatrolArea, Shift
from ..planning.schedule import evening_of
from ..web import nav
from ..web.forms_util import load_for, show_violation
from . import editing
from .approval_checks import ApprovalWarning, ReportedWalker, approval_warnings
from .blueprint import bp, coordinator_municipality_ids, detail_context
from .forms import CorrectionForm, ReturnForm
from .models import EDITABLE, PatrolReport, ReportStatus
from .services_due import missing_reports
from .services_remind import REMIND_INTERVAL, last_reminders
from .services_report import member_ids, start_report, walkers_of
from .services_review import approve, correct_walker, return_report


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
    muni_ids = coordinator_municipality_ids() if authz.coordinator_or_admin(current_user) else set()
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
        overdue = [m.booking.id for m in coordinator["missing"] if m.overdue]
        coordinator["reminded"] = last_reminders(session, overdue)
        coordinator["remind_after"] = utcnow() - REMIND_INTERVAL
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
    if booking is None or not (authz.is_leader_of(current_user, booking.association_id)):
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


def _warning_text(warning: ApprovalWarning) -> str:
    params = dict(warning.params)
    if warning.code == "under_minimum":
        return _("Bara %(count)s vandrare i rapporten; kvällen kräver minst %(minimum)s.", **params)
    if warning.code == "too_young":
        return _("%(name)s fyller %(age)s år i år; åldersgränsen är %(minimum)s år.", **params)
    if warning.code == "birth_year_missing":
        return _("%(name)s har inget födelseår, så åldern kan inte kontrolleras.", **params)
    params.update(start=local_time(params["start"]), end=local_time(params["end"]))
    return _(
        "%(name)s gick %(start)s–%(end)s, mer än %(minutes)s minuter från de planerade tiderna.",
        **params,
    )


def _approval_warnings(context: dict) -> list[str]:
    """The submitted report's deviations from the night's rules, as sentences."""
    shift = context["shift"]
    names, birth_years = context["names"], context["birth_years"]
    walkers = [
        ReportedWalker(
            name=names.get(w.user_id) or _("Raderad person"),
            birth_year=birth_years.get(w.user_id),
            start_at=w.start_at,
            end_at=w.end_at,
        )
        for w in context["walkers"]
        if w.in_filed_report
    ]
    found = approval_warnings(
        walkers=walkers,
        min_walkers=shift.min_walkers,
        min_age=shift.min_age,
        evening=evening_of(shift.start_at),
        planned_start=shift.start_at,
        planned_end=shift.end_at,
    )
    return [_warning_text(warning) for warning in found]


def _render_detail(report: PatrolReport, *, return_form=None, correction_form=None):
    context = detail_context(report)
    can_review = authz.can(current_user, "review", report)
    reviewing = can_review and report.status == ReportStatus.SUBMITTED
    context.update(
        approval_warnings=_approval_warnings(context) if reviewing else [],
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


nav.register(
    "reports.index",
    _l("Rapporter"),
    lambda user: authz.coordinator_or_admin(user) or authz.is_leader(user),
    order=60,
)
