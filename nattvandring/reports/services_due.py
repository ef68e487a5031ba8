"""When reports are due, which are missing or overdue, and the once-per-booking reminder."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from .. import events
from ..associations.models import Association
from ..booking.models import Booking, BookingStatus
from ..clock import utcnow
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .models import EDITABLE, PatrolReport, ReportReminder

log = logging.getLogger(__name__)

#: The leader's reminder is sent this long after the walk ended if no report is filed yet.
REMINDER_AFTER = timedelta(hours=12)


@dataclass(frozen=True)
class MissingReport:
    booking: Booking
    shift: Shift
    association: Association
    area: PatrolArea
    report: PatrolReport | None  # a draft or returned report, or None if never started
    due_at: datetime
    overdue: bool


def due_at(shift: Shift, municipality: Municipality) -> datetime:
    return shift.end_at + timedelta(days=municipality.report_due_days)


def missing_reports(
    session: Session,
    *,
    municipality_ids: set[int] | None = None,
    association_ids: set[int] | None = None,
    now: datetime | None = None,
) -> list[MissingReport]:
    """Active bookings of walks that ended, without a submitted or approved report."""
    moment = now or utcnow()
    query = (
        select(Booking, Shift, Association, PatrolArea, Municipality, PatrolReport)  # type: ignore[call-overload]  # sqlmodel types up to 4 entities
        .join(Shift, Shift.id == Booking.shift_id)
        .join(Association, Association.id == Booking.association_id)
        .join(PatrolArea, PatrolArea.id == Shift.area_id)
        .join(Municipality, Municipality.id == Shift.municipality_id)
        .outerjoin(PatrolReport, PatrolReport.booking_id == Booking.id)
        .where(
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.end_at <= moment,
            # Walks whose report was submitted or approved stay behind in SQL: the rows
            # read do not grow with an association's history.
            or_(col(PatrolReport.id).is_(None), col(PatrolReport.status).in_(EDITABLE)),
        )
        .order_by(Shift.start_at, Booking.id)
    )
    if municipality_ids is not None:
        query = query.where(col(Shift.municipality_id).in_(municipality_ids))
    if association_ids is not None:
        query = query.where(col(Booking.association_id).in_(association_ids))
    result = []
    for booking, shift, association, area, municipality, report in session.exec(query).all():
        due = due_at(shift, municipality)
        result.append(
            MissingReport(booking, shift, association, area, report, due, overdue=due < moment)
        )
    return result


def emit_due_reminders(session: Session, *, now: datetime | None = None) -> int:
    """Emit ``events.ReportDue`` once per booking whose report is missing after the walk.

    Only while the report is still due (a reminder after the deadline is pointless; the
    coordinator's overdue list covers those). A ``ReportReminder`` row with a unique booking
    id records the emission, so concurrent or repeated runs emit at most once.
    """
    moment = now or utcnow()
    already = set(session.exec(select(ReportReminder.booking_id)).all())
    emitted = 0
    for missing in missing_reports(session, now=moment - REMINDER_AFTER):
        if missing.booking.id in already or missing.due_at <= moment:
            continue
        try:
            with session.begin_nested():
                session.add(ReportReminder(booking_id=missing.booking.id, emitted_at=moment))  # type: ignore[arg-type]
                session.flush()
        except IntegrityError:
            continue
        events.emit(
            session,
            events.ReportDue(
                shift_id=missing.shift.id,  # type: ignore[arg-type]
                booking_id=missing.booking.id,  # type: ignore[arg-type]
                association_id=missing.association.id,  # type: ignore[arg-type]
                due_at=missing.due_at,
            ),
        )
        emitted += 1
    if emitted:
        log.info("Emitted %s report reminders", emitted)
    return emitted
