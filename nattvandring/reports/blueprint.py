"""The reports blueprint and the helpers its view modules share (the coordinator's period,
a report's detail page)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from flask import Blueprint
from flask_login import current_user
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role, User
from ..associations.models import Association
from ..clock import to_local, utcnow
from ..db import db_session
from ..i18n import _l
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
from ..web.query import date_arg
from . import ledger
from .models import Incident, PatrolReport, ReportStatus
from .services_report import walkers_of
from .services_review import places_of
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
    if authz.is_admin(current_user):
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
        start = end - relativedelta(years=3)  # 29 February: the 28th, never a 500
    return coordinator_municipality_ids(), start, end


def detail_context(report: PatrolReport) -> dict:
    session = db_session()
    shift = session.get(Shift, report.shift_id)
    walkers = walkers_of(session, report)
    user_ids = {w.user_id for w in walkers} | {report.filed_by_id, report.approved_by_id}
    user_ids.discard(None)
    users = session.exec(select(User).where(col(User.id).in_(user_ids))).all()
    names = {u.id: u.name for u in users}
    totals = ledger.walker_totals(session, report.id)  # type: ignore[arg-type]
    return {
        "report": report,
        "shift": shift,
        "area": session.get(PatrolArea, shift.area_id) if shift else None,
        "association": session.get(Association, report.association_id),
        "walkers": walkers,
        "names": names,
        "birth_years": {u.id: u.birth_year for u in users},
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
