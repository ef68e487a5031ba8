"""Reports under the volunteer's personal link: file a report for their walk, and the block of
own walks, hours and reports to file on the personal page. The link is the authorization
(see blueprint.py)."""

from __future__ import annotations

from flask import render_template, url_for
from sqlmodel import Session, col, select

from ..accounts.models import User
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..clock import utcnow
from ..db import begin_writing, db_session
from ..errors import NotFound, RuleViolation
from ..planning.models import PatrolArea, Shift, ShiftStatus
from ..reports import editing
from ..reports.blueprint import detail_context
from ..reports.models import EDITABLE, PatrolReport, ReportWalker
from ..reports.queries import user_walks
from ..reports.services_report import may_file_personally, report_for_booking, start_report
from ..web.forms_util import show_violation
from .blueprint import bp, personal_owner


def _booking_for(session: Session, user: User, shift_id: int) -> Booking:
    """The booking of ``shift_id`` in whose group ``user`` walked."""
    candidates = list(
        session.exec(
            select(Booking)
            .join(Assignment, col(Assignment.booking_id) == Booking.id)
            .where(Assignment.shift_id == shift_id, Assignment.user_id == user.id)
        ).all()
    )
    candidates += session.exec(
        select(Booking)
        .join(PatrolReport, col(PatrolReport.booking_id) == Booking.id)
        .join(ReportWalker, col(ReportWalker.report_id) == PatrolReport.id)
        .where(PatrolReport.shift_id == shift_id, ReportWalker.user_id == user.id)
    ).all()
    for booking in candidates:
        if may_file_personally(session, user.id, booking):  # type: ignore[arg-type]
            return booking
    raise NotFound()


@bp.route("/me/<token>/reports/<int:shift_id>", methods=["GET", "POST"])
def personal_report(token: str, shift_id: int):
    session = db_session()
    user = personal_owner(token)
    booking = _booking_for(session, user, shift_id)
    report = report_for_booking(session, booking.id)  # type: ignore[arg-type]
    if report is None:  # the first visit, a GET too, creates the draft
        begin_writing(session)
        session.expire_all()  # decided on as the booking and walk are now
        try:
            report = start_report(session, booking, actor_id=user.id)
        except RuleViolation as violation:
            session.rollback()
            show_violation(None, violation)
            return render_template("volunteers/personal_message.html", token=token), 409
    edit_url = url_for("volunteers.personal_report", token=token, shift_id=shift_id)
    if report.status not in EDITABLE:
        return render_template(
            "volunteers/personal_view.html", token=token, **detail_context(report)
        )
    return editing.handle(
        session,
        report,
        actor_id=user.id,
        edit_url=edit_url,
        done_url=edit_url,
        context={"personal_token": token},
    )


@bp.app_template_global("reports_personal_summary")
def personal_summary(user_id: int) -> dict:
    """Data for templates/volunteers/_personal_block.html: own walks, hours, reports to file."""
    session = db_session()
    walks = user_walks(session, user_id)
    now = utcnow()
    rows = session.exec(
        select(Shift, PatrolArea, PatrolReport)
        .join(Assignment, col(Assignment.shift_id) == Shift.id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .outerjoin(PatrolReport, col(PatrolReport.booking_id) == Booking.id)
        .where(
            Assignment.user_id == user_id,
            Assignment.status != AssignmentStatus.DECLINED,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at <= now,
        )
        .order_by(col(Shift.start_at).desc())
        .limit(30)
    ).all()
    to_report: list[tuple[Shift, PatrolArea, PatrolReport | None]] = [
        (shift, area, report)
        for shift, area, report in rows
        if report is None or report.status in EDITABLE
    ]
    return {
        "walks": walks[:20],
        "walk_count": len(walks),
        "minutes": sum(m for _r, _e, m in walks),
        "to_report": to_report,
        "recent": rows,
        "now": now,
    }
