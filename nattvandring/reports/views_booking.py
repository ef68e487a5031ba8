"""A walk's report reached by its booking: the link in the report-due SMS, and the
coordinator's "Påminn" on an overdue report."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import authz
from ..associations.models import Association
from ..booking.models import Booking
from ..db import db_session
from ..errors import Forbidden, NotFound, RuleViolation
from ..i18n import _
from ..planning.models import PatrolArea, Shift
from ..web.forms_util import show_violation
from . import services_remind
from .blueprint import bp
from .models import EDITABLE
from .services_report import report_for_booking
from .views import index


def _booking(booking_id: int) -> tuple[Booking, Shift]:
    session = db_session()
    booking = session.get(Booking, booking_id)
    shift = session.get(Shift, booking.shift_id) if booking is not None else None
    if booking is None or shift is None:
        raise NotFound()
    return booking, shift


@bp.get("/reports/booking/<int:booking_id>")
@login_required
def for_booking(booking_id: int):
    """The SMS link: the leader lands on the report (started or not); a coordinator of the
    municipality on the report or the list; anyone else gets 404."""
    booking, shift = _booking(booking_id)
    report = report_for_booking(db_session(), booking_id)
    if authz.is_leader_of(current_user, booking.association_id):
        if report is not None and report.status in EDITABLE:
            return redirect(url_for("reports.edit", report_id=report.id))
        if report is not None:
            return redirect(url_for("reports.detail", report_id=report.id))
        session = db_session()
        return render_template(
            "reports/start.html",
            booking=booking,
            shift=shift,
            area=session.get(PatrolArea, shift.area_id),
            association=session.get(Association, booking.association_id),
        )
    if authz.is_coordinator_of(current_user, shift.municipality_id):
        if report is not None:
            return redirect(url_for("reports.detail", report_id=report.id))
        return redirect(url_for("reports.index") + "#missing")
    raise NotFound()


@bp.post("/reports/booking/<int:booking_id>/remind")
@login_required
def remind(booking_id: int):
    booking, shift = _booking(booking_id)
    if not authz.is_coordinator_of(current_user, shift.municipality_id):
        if authz.is_leader_of(current_user, booking.association_id):
            raise Forbidden()  # the leader sees the walk but may not remind
        raise NotFound()
    session = db_session()
    try:
        services_remind.remind(session, booking, actor_id=current_user.id)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return index(), 409
    flash(_("Påminnelsen är skickad till föreningens ledare."), "success")
    return redirect(url_for("reports.index") + "#missing")
