"""The coordinator's side: approve, return with a comment, correct after approval, follow up
unsafe places. Approval locks the report; hours change only through new ledger entries."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from ..associations.models import Association
from ..audit.services import record as audit
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..planning.models import PatrolArea, Shift
from . import ledger
from .models import PatrolReport, ReportStatus, ReportWalker, UnsafePlace, UnsafePlaceStatus
from .services_report import lock, member_ids, walkers_of
from .times import MAX_WALK

_PLACE_ORDER = [UnsafePlaceStatus.REPORTED, UnsafePlaceStatus.FORWARDED, UnsafePlaceStatus.FIXED]


def _require_submitted(report: PatrolReport) -> None:
    if report.status != ReportStatus.SUBMITTED:
        raise RuleViolation(
            "report_not_submitted",
            _l("Bara inskickade rapporter kan godkännas eller skickas tillbaka."),
        )


def approve(session: Session, report: PatrolReport, *, actor_id: int | None) -> None:
    """Lock the report and write one approval entry per walker to the ledger."""
    report = lock(session, report)
    _require_submitted(report)
    shift = session.get(Shift, report.shift_id)
    assert shift is not None
    now = utcnow()
    report.status = ReportStatus.APPROVED
    report.approved_by_id = actor_id
    report.approved_at = now
    report.updated_at = now
    ledger.record_approval(session, report, shift, walkers_of(session, report), actor_id=actor_id)
    audit(
        session,
        actor_id=actor_id,
        action="report.approve",
        object_type="PatrolReport",
        object_id=report.id,
        municipality_id=report.municipality_id,
        association_id=report.association_id,
    )
    session.flush()


def return_report(
    session: Session, report: PatrolReport, *, comment: str, actor_id: int | None
) -> None:
    report = lock(session, report)
    _require_submitted(report)
    text = (comment or "").strip()
    if not text:
        raise RuleViolation(
            "comment_required", _l("Skriv vad som behöver rättas."), field="comment"
        )
    report.status = ReportStatus.RETURNED
    report.return_comment = text[:2000]
    report.returned_at = utcnow()
    report.updated_at = report.returned_at
    audit(
        session,
        actor_id=actor_id,
        action="report.return",
        object_type="PatrolReport",
        object_id=report.id,
        municipality_id=report.municipality_id,
        association_id=report.association_id,
    )
    session.flush()


def correct_walker(
    session: Session,
    report: PatrolReport,
    *,
    user_id: int,
    minutes: int,
    reason: str,
    actor_id: int | None,
) -> int:
    """Set a walker's approved minutes to ``minutes`` by appending the difference.

    ``minutes = 0`` removes the walker; a member not yet on the report is added. Returns the
    signed delta written to the ledger.
    """
    report = lock(session, report)
    if report.status != ReportStatus.APPROVED:
        raise RuleViolation(
            "report_not_approved", _l("Bara godkända rapporter rättas i efterhand.")
        )
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("reason_required", _l("Ange varför timmarna ändras."), field="reason")
    if not 0 <= minutes <= MAX_WALK.total_seconds() // 60:
        raise RuleViolation(
            "minutes_invalid", _l("Ange minuter mellan 0 och 840."), field="minutes"
        )
    shift = session.get(Shift, report.shift_id)
    assert shift is not None
    walker = next((w for w in walkers_of(session, report) if w.user_id == user_id), None)
    if walker is None:
        if user_id not in member_ids(session, report.association_id):
            raise RuleViolation(
                "walker_not_member",
                _l("Bara föreningens medlemmar kan stå som vandrare."),
                field="user_id",
            )
        walker = ReportWalker(
            report_id=report.id,  # type: ignore[arg-type]
            user_id=user_id,
            start_at=shift.start_at,
            end_at=shift.start_at + timedelta(minutes=max(minutes, 1)),
            minutes=minutes,
            in_filed_report=False,
        )
        session.add(walker)
        session.flush()
    current = ledger.walker_totals(session, report.id).get(walker.id, 0)  # type: ignore[arg-type]
    delta = minutes - current
    if delta == 0:
        raise RuleViolation(
            "no_change",
            _l("Timmarna är redan %(minutes)s minuter.", minutes=minutes),
            field="minutes",
        )
    ledger.record_correction(
        session, report, shift, walker, delta=delta, reason=text, actor_id=actor_id
    )
    audit(
        session,
        actor_id=actor_id,
        action="report.correct",
        object_type="PatrolReport",
        object_id=report.id,
        municipality_id=report.municipality_id,
        association_id=report.association_id,
        details=f"walker={walker.id} delta={delta}",
    )
    session.flush()
    return delta


def set_place_status(
    session: Session, place: UnsafePlace, status: UnsafePlaceStatus, *, actor_id: int | None
) -> None:
    """Move an unsafe place forward: reported -> forwarded -> fixed (never back)."""
    if _PLACE_ORDER.index(status) <= _PLACE_ORDER.index(UnsafePlaceStatus(place.status)):
        raise RuleViolation(
            "place_status_backwards", _l("Statusen kan bara flyttas framåt."), field="status"
        )
    now = utcnow()
    if status in (UnsafePlaceStatus.FORWARDED, UnsafePlaceStatus.FIXED) and not place.forwarded_at:
        place.forwarded_at = now
    if status == UnsafePlaceStatus.FIXED:
        place.fixed_at = now
    place.status = status
    place.status_changed_by_id = actor_id
    session.flush()


def places_of(session: Session, report_id: int) -> list[UnsafePlace]:
    return list(
        session.exec(
            select(UnsafePlace)
            .where(UnsafePlace.report_id == report_id)
            .order_by(col(UnsafePlace.id))
        ).all()
    )


def awaiting_review(
    session: Session, *, municipality_ids: set[int], limit: int
) -> list[tuple[PatrolReport, Shift, str, str]]:
    """Submitted reports of ``municipality_ids``, oldest submission first, with the
    association's and the area's names (at most ``limit``, one query)."""
    if not municipality_ids:
        return []
    return list(
        session.exec(
            select(PatrolReport, Shift, Association.name, PatrolArea.name)
            .join(Shift, col(Shift.id) == PatrolReport.shift_id)
            .join(Association, col(Association.id) == PatrolReport.association_id)
            .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
            .where(
                col(PatrolReport.municipality_id).in_(municipality_ids),
                PatrolReport.status == ReportStatus.SUBMITTED,
            )
            .order_by(col(PatrolReport.submitted_at), col(PatrolReport.id))
            .limit(limit)
        ).all()
    )


def places_to_follow_up(
    session: Session, *, municipality_ids: set[int], limit: int
) -> list[tuple[UnsafePlace, Shift, str]]:
    """Unsafe places of approved reports still only reported (neither forwarded nor fixed),
    newest first, with the walk and the area's name (at most ``limit``, one query)."""
    if not municipality_ids:
        return []
    return list(
        session.exec(
            select(UnsafePlace, Shift, PatrolArea.name)
            .join(PatrolReport, col(PatrolReport.id) == UnsafePlace.report_id)
            .join(Shift, col(Shift.id) == PatrolReport.shift_id)
            .join(PatrolArea, col(PatrolArea.id) == UnsafePlace.area_id)
            .where(
                col(UnsafePlace.municipality_id).in_(municipality_ids),
                PatrolReport.status == ReportStatus.APPROVED,
                UnsafePlace.status == UnsafePlaceStatus.REPORTED,
            )
            .order_by(col(UnsafePlace.reported_at).desc(), col(UnsafePlace.id).desc())
            .limit(limit)
        ).all()
    )
