"""Filing a patrol report: start a draft from the roster, save what the group reports, submit.

Services flush, never commit. Hours per walker come from UTC instants (``times``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from ..accounts.models import Membership, Role, User
from ..booking.locking import lock_association, lock_shift
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..checkins.queries import times_by_walker
from ..checkins.rules import report_times
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..planning.models import Shift, ShiftStatus
from ..planning.schedule import duration_minutes
from .models import (
    EDITABLE,
    Incident,
    IncidentCategory,
    PatrolReport,
    ReportStatus,
    ReportWalker,
    UnsafePlace,
)
from .times import SLACK, walker_interval

log = logging.getLogger(__name__)

MAX_YOUNG_PEOPLE = 5000


@dataclass(frozen=True)
class WalkerInput:
    user_id: int
    start: str  # local HH:MM
    end: str  # local HH:MM


@dataclass(frozen=True)
class IncidentInput:
    category: str
    description: str
    place: str = ""


@dataclass(frozen=True)
class PlaceInput:
    description: str
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class ReportInput:
    young_people_met: int
    summary: str
    walkers: list[WalkerInput] = field(default_factory=list)
    incidents: list[IncidentInput] = field(default_factory=list)
    places: list[PlaceInput] = field(default_factory=list)


def report_for_booking(session: Session, booking_id: int) -> PatrolReport | None:
    return session.exec(select(PatrolReport).where(PatrolReport.booking_id == booking_id)).first()


def roster_user_ids(session: Session, booking_id: int) -> list[int]:
    """Walkers on the booking's roster who have not declined, in roster order."""
    rows = session.exec(
        select(Assignment.user_id)
        .where(
            Assignment.booking_id == booking_id,
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .order_by(col(Assignment.id))
    ).all()
    return list(rows)


def member_ids(session: Session, association_id: int) -> set[int]:
    """Active users who walk for the association (volunteers and leaders)."""
    rows = session.exec(
        select(Membership.user_id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            Membership.association_id == association_id,
            col(Membership.role).in_([Role.VOLUNTEER, Role.LEADER]),
            col(User.is_active).is_(True),
        )
    ).all()
    return set(rows)


def may_file_personally(session: Session, user_id: int, booking: Booking) -> bool:
    """A walker of the group: on the roster (not declined) or listed in the report."""
    if user_id in roster_user_ids(session, booking.id):  # type: ignore[arg-type]
        return True
    report = report_for_booking(session, booking.id)  # type: ignore[arg-type]
    return report is not None and any(w.user_id == user_id for w in walkers_of(session, report))


def walkers_of(session: Session, report: PatrolReport) -> list[ReportWalker]:
    return list(
        session.exec(
            select(ReportWalker)
            .where(ReportWalker.report_id == report.id)
            .order_by(col(ReportWalker.id))
        ).all()
    )


def walkers_from_log(
    session: Session, booking_id: int, shift: Shift
) -> list[tuple[int, datetime, datetime]]:
    """(user, start, end) for each walker of the group and anyone else in the sign-in log,
    with their times from the log rounded to 5 minutes (the planned times if they never
    checked in)."""
    logged = times_by_walker(session, booking_id)
    user_ids = roster_user_ids(session, booking_id)
    user_ids += sorted(set(logged) - set(user_ids))
    found = []
    for user_id in user_ids:
        times = logged.get(user_id)
        start_at, end_at = report_times(
            times.first_in if times else None,
            times.last_out if times else None,
            shift_start=shift.start_at,
            shift_end=shift.end_at,
            slack=SLACK,
        )
        found.append((user_id, start_at, end_at))
    return found


def untouched(report: PatrolReport) -> bool:
    """A draft nobody has saved yet. It may have been opened while the group was still out,
    so its form keeps following the sign-in log (``editing``) until the leader saves it."""
    return report.status == ReportStatus.DRAFT and report.updated_at == report.created_at


def start_report(session: Session, booking: Booking, *, actor_id: int | None) -> PatrolReport:
    """The booking's report, created as a draft pre-filled on first use: each walker of the
    group (and anyone else in the sign-in log) with their times from the log, rounded to 5
    minutes; walkers who never checked in get the planned times (the form flags them)."""
    existing = report_for_booking(session, booking.id)  # type: ignore[arg-type]
    if existing is not None:
        return existing
    shift = session.get(Shift, booking.shift_id)
    assert shift is not None
    _may_start(booking, shift)  # before the locks: a walk not begun takes none
    # Two first visits at once: the later waits here until the earlier has committed, then
    # finds its draft. In booking's lock order, as a cancellation takes them.
    lock_association(session, booking.association_id)
    shift = lock_shift(session, booking.shift_id)
    session.refresh(booking)
    existing = report_for_booking(session, booking.id)  # type: ignore[arg-type]
    if existing is not None:
        return existing
    _may_start(booking, shift)
    report = PatrolReport(
        shift_id=shift.id,  # type: ignore[arg-type]
        booking_id=booking.id,  # type: ignore[arg-type]
        association_id=booking.association_id,
        municipality_id=shift.municipality_id,
        filed_by_id=actor_id,
    )
    report.updated_at = report.created_at  # untouched until saved (see ``untouched``)
    session.add(report)
    session.flush()
    for user_id, start_at, end_at in walkers_from_log(session, booking.id, shift):  # type: ignore[arg-type]
        session.add(
            ReportWalker(
                report_id=report.id,  # type: ignore[arg-type]
                user_id=user_id,
                start_at=start_at,
                end_at=end_at,
                minutes=duration_minutes(start_at, end_at),
            )
        )
    session.flush()
    log.info("Report %s started for booking %s", report.id, booking.id)
    return report


def _may_start(booking: Booking, shift: Shift) -> None:
    if booking.status != BookingStatus.ACTIVE or shift.status == ShiftStatus.CANCELLED:
        raise RuleViolation("booking_cancelled", _l("Passet är inställt eller avbokat."))
    if shift.start_at > utcnow():
        raise RuleViolation(
            "walk_not_started", _l("Rapporten kan lämnas först när vandringen har börjat.")
        )


def lock(session: Session, report: PatrolReport) -> PatrolReport:
    """Re-read the report under a row lock (PostgreSQL), so two coordinators approving or
    correcting at once are serialized and see each other's result. On SQLite the write
    transaction (BEGIN IMMEDIATE) already serializes writers."""
    return session.exec(
        select(PatrolReport)
        .where(PatrolReport.id == report.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def ensure_editable(report: PatrolReport) -> None:
    if report.status not in EDITABLE:
        raise RuleViolation(
            "report_locked",
            _l("Rapporten är inskickad eller godkänd och kan inte längre ändras."),
        )


def filled_incidents(incidents: list[IncidentInput]) -> list[IncidentInput]:
    """The incidents to keep: a row left empty is skipped, a row with only a place is refused
    (rows are numbered as the form's, in the field names), no category means "other"."""
    kept = []
    for index, incident in enumerate(incidents):
        described = incident.category or incident.description.strip()
        if not described:
            if incident.place.strip():
                raise RuleViolation(
                    "incident_description_required",
                    _l("Beskriv vad som hände, eller töm raden för att ta bort den."),
                    field=f"incidents-{index}-what",
                )
            continue
        category = incident.category or IncidentCategory.OTHER
        if category not in set(IncidentCategory):
            raise RuleViolation("category_invalid", _l("Välj en kategori."), field="incidents")
        kept.append(replace(incident, category=category))
    return kept


def filled_places(places: list[PlaceInput]) -> list[PlaceInput]:
    """The unsafe places to keep: a row left empty is skipped; one without a description, or
    with half a coordinate, is refused (as an area's coordinates are)."""
    kept = []
    for index, place in enumerate(places):
        has_position = place.latitude is not None or place.longitude is not None
        if not place.description.strip():
            if place.place.strip() or has_position:
                raise RuleViolation(
                    "place_description_required",
                    _l("Beskriv vad som gör platsen otrygg, eller töm raden för att ta bort den."),
                    field=f"places-{index}-what",
                )
            continue
        if (place.latitude is None) != (place.longitude is None):
            missing = "latitude" if place.latitude is None else "longitude"
            raise RuleViolation(
                "coordinates_incomplete",
                _l("Ange både latitud och longitud, eller ingen av dem."),
                field=f"places-{index}-{missing}",
            )
        kept.append(place)
    return kept


def save_report(
    session: Session, report: PatrolReport, data: ReportInput, *, actor_id: int | None
) -> PatrolReport:
    """Replace the draft's content with ``data`` (only while draft or returned)."""
    report = lock(session, report)
    ensure_editable(report)
    shift = session.get(Shift, report.shift_id)
    assert shift is not None
    if not 0 <= data.young_people_met <= MAX_YOUNG_PEOPLE:
        raise RuleViolation(
            "young_people_invalid",
            _l("Ange ett antal mellan 0 och %(max)s.", max=MAX_YOUNG_PEOPLE),
            field="young_people_met",
        )
    allowed = member_ids(session, report.association_id)
    allowed |= set(roster_user_ids(session, report.booking_id))
    allowed |= {w.user_id for w in walkers_of(session, report) if w.user_id is not None}
    seen: set[int] = set()
    rows: list[ReportWalker] = []
    for index, walker in enumerate(data.walkers):
        if walker.user_id in seen:
            raise RuleViolation(
                "walker_twice", _l("Samma person står två gånger."), field="walkers"
            )
        if walker.user_id not in allowed:
            raise RuleViolation(
                "walker_not_member",
                _l("Bara föreningens medlemmar kan stå som vandrare."),
                field="walkers",
            )
        seen.add(walker.user_id)
        start_at, end_at, minutes = walker_interval(
            shift.start_at, shift.end_at, walker.start, walker.end, prefix=f"walkers-{index}-"
        )
        rows.append(
            ReportWalker(
                report_id=report.id,  # type: ignore[arg-type]
                user_id=walker.user_id,
                start_at=start_at,
                end_at=end_at,
                minutes=minutes,
            )
        )
    incidents, places = filled_incidents(data.incidents), filled_places(data.places)
    session.exec(delete(ReportWalker).where(col(ReportWalker.report_id) == report.id))
    session.exec(delete(Incident).where(col(Incident.report_id) == report.id))
    session.exec(delete(UnsafePlace).where(col(UnsafePlace.report_id) == report.id))
    session.add_all(rows)
    for incident in incidents:
        session.add(
            Incident(
                report_id=report.id,  # type: ignore[arg-type]
                category=incident.category,
                description=incident.description.strip()[:2000],
                place=incident.place.strip()[:255],
            )
        )
    for place in places:
        session.add(
            UnsafePlace(
                report_id=report.id,  # type: ignore[arg-type]
                municipality_id=shift.municipality_id,
                area_id=shift.area_id,
                description=place.description.strip()[:2000],
                place=place.place.strip()[:255],
                latitude=place.latitude,
                longitude=place.longitude,
            )
        )
    report.young_people_met = data.young_people_met
    report.summary = data.summary.strip()[:4000]
    # Saved: no longer ``untouched``, even if saved in the very instant it was created.
    report.updated_at = max(utcnow(), report.created_at + timedelta(microseconds=1))
    if report.filed_by_id is None:
        report.filed_by_id = actor_id
    session.flush()
    return report


def submit_report(session: Session, report: PatrolReport, *, actor_id: int | None) -> None:
    report = lock(session, report)
    ensure_editable(report)
    if not walkers_of(session, report):
        raise RuleViolation("no_walkers", _l("Ange minst en person som vandrade."), field="walkers")
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = utcnow()
    report.filed_by_id = actor_id or report.filed_by_id
    report.updated_at = utcnow()
    session.flush()
