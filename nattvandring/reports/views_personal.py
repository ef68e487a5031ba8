"""Routes under the volunteer's personal link: file a report for their walk, download their
data, ask to be erased. The link (TokenPurpose.PERSONAL_PAGE) is the authorization; anything
unknown or revoked answers 404."""

from __future__ import annotations

import json

from flask import Response, current_app, render_template, url_for
from sqlmodel import Session, col, select

from .. import tokens
from ..accounts.models import Membership, TokenPurpose, User
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..clock import utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..municipalities.models import PatrolArea
from ..planning.models import Shift, ShiftStatus
from ..web.downloads import content_disposition
from ..web.forms_util import show_violation
from . import editing
from .forms import EraseForm
from .models import EDITABLE, PatrolReport, ReportWalker
from .privacy import STAFF_ROLES, erase_user, export_data
from .queries import user_walks
from .services_report import may_file_personally, start_report
from .views import bp, detail_context


def _person(token: str) -> User:
    session = db_session()
    found = tokens.resolve(
        session,
        TokenPurpose.PERSONAL_PAGE,
        token,
        secret_key=tokens.signing_keys(current_app.config),
    )
    user = session.get(User, found.user_id) if found and found.user_id else None
    if user is None or not user.is_active:
        raise NotFound()
    return user


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
    user = _person(token)
    booking = _booking_for(session, user, shift_id)
    try:
        report = start_report(session, booking, actor_id=user.id)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return render_template("reports/personal_message.html", token=token), 409
    edit_url = url_for("reports.personal_report", token=token, shift_id=shift_id)
    if report.status not in EDITABLE:
        return render_template("reports/personal_view.html", token=token, **detail_context(report))
    return editing.handle(
        session,
        report,
        actor_id=user.id,
        edit_url=edit_url,
        done_url=edit_url,
        context={"personal_token": token},
    )


@bp.get("/me/<token>/privacy/export.json")
def personal_export(token: str):
    user = _person(token)
    data = export_data(db_session(), user)
    stamp = utcnow().strftime("%Y%m%d")
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={
            "Content-Disposition": content_disposition(f"mina-uppgifter-{stamp}.json"),
            "Cache-Control": "no-store",
        },
    )


@bp.route("/me/<token>/privacy/erase", methods=["GET", "POST"])
def personal_erase(token: str):
    session = db_session()
    user = _person(token)
    staff = session.exec(
        select(Membership).where(
            Membership.user_id == user.id,
            col(Membership.role).in_(STAFF_ROLES),
        )
    ).first()
    form = EraseForm()
    if staff is None and form.validate_on_submit():
        erase_user(session, user)
        return render_template("reports/erased.html")
    status = 422 if form.is_submitted() else 200
    return render_template(
        "reports/erase_confirm.html", form=form, token=token, staff=staff is not None
    ), status


@bp.app_template_global("reports_personal_summary")
def personal_summary(user_id: int) -> dict:
    """Data for templates/reports/_personal_block.html: own walks, hours, reports to file."""
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
