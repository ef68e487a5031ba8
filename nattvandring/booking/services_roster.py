"""Walking groups: the leader (or the member themself) adds volunteers to a booked shift.

The rules are ``booking.rules.check_roster_add``. Writers lock association -> shift ->
user, so concurrent adds to one shift queue up (maximum walkers) and concurrent adds of one
volunteer to overlapping shifts do too; ``uq_assignment_shift_user`` backs that up.
Declined assignments keep their row (the leader sees the answer) but free the place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from .. import events
from ..accounts.models import Membership, Role
from ..associations.models import Association
from ..audit.services import record
from ..clock import utcnow
from ..errors import NotFound, RuleViolation
from ..i18n import _l
from ..planning.models import Shift, ShiftStatus
from . import capacity, rules
from .locking import lock_association, lock_shift, lock_user
from .models import Assignment, AssignmentStatus, Booking, BookingStatus

OCCUPYING = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)


def walkers_on_shift(session: Session, shift_id: int) -> int:
    """Places taken on the shift (declined answers do not take a place)."""
    return session.exec(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.shift_id == shift_id, col(Assignment.status).in_(OCCUPYING))
    ).one()


def places_taken_for(
    session: Session, shift: Shift, booking_id: int, *, now: datetime | None = None
) -> int:
    """Places on the shift this group cannot fill: its own walkers plus what the other groups
    hold (each at least the group minimum, ``capacity.held``), an open offer from the reserve
    list counting as a group (``capacity.groups_holding_room``)."""
    from .services_booking import offered_groups, walkers_by_booking

    walkers = walkers_by_booking(session, shift.id)  # type: ignore[arg-type]
    offers = offered_groups(session, shift.id, now=now)  # type: ignore[arg-type]
    others = capacity.groups_holding_room(walkers, offers, besides=booking_id)
    return walkers.get(booking_id, 0) + sum(capacity.held(w, shift.min_walkers) for w in others)


def is_volunteer_of(session: Session, user_id: int, association_id: int) -> bool:
    return (
        session.exec(
            select(Membership.id).where(
                Membership.user_id == user_id,
                Membership.association_id == association_id,
                Membership.role == Role.VOLUNTEER,
            )
        ).first()
        is not None
    )


def other_shifts_of(
    session: Session, user_id: int, shift: Shift
) -> list[tuple[datetime, datetime]]:
    """The volunteer's other live walks that touch this shift's time (any association)."""
    rows = session.exec(
        select(Shift.start_at, Shift.end_at)
        .join(Assignment, col(Assignment.shift_id) == Shift.id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(
            Assignment.user_id == user_id,
            col(Assignment.status).in_(OCCUPYING),
            Assignment.shift_id != shift.id,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at < shift.end_at,
            Shift.end_at > shift.start_at,
        )
    )
    return [(start, end) for start, end in rows]


def add_to_roster(
    session: Session,
    *,
    booking_id: int,
    user_id: int,
    actor_id: int | None,
    self_signup: bool = False,
    now: datetime | None = None,
) -> Assignment:
    """Put a volunteer of the booking's association in the walking group."""
    moment = now or utcnow()
    found = session.get(Booking, booking_id)
    if found is None:
        raise NotFound()
    association = lock_association(session, found.association_id)
    shift = lock_shift(session, found.shift_id)
    user = lock_user(session, user_id)
    booking = session.exec(
        select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
    ).one()
    if booking.status != BookingStatus.ACTIVE or shift.status == ShiftStatus.CANCELLED:
        raise RuleViolation("booking_not_active", _l("Bokningen är avbokad."))
    if self_signup and not association.allow_self_signup:
        raise RuleViolation("self_signup_closed", _l("Föreningen tar inte emot egna anmälningar."))
    if not is_volunteer_of(session, user_id, association.id):  # type: ignore[arg-type]
        raise RuleViolation(
            "not_member", _l("Personen är inte medlem i föreningen."), field="user_id"
        )
    existing = session.exec(
        select(Assignment)
        .where(Assignment.shift_id == shift.id, Assignment.user_id == user_id)
        .execution_options(populate_existing=True)
    ).first()
    rules.check_roster_add(
        now=moment,
        shift_start=shift.start_at,
        shift_end=shift.end_at,
        max_walkers=shift.max_walkers,
        current_walkers=places_taken_for(session, shift, booking_id, now=moment),
        min_age=shift.min_age,
        birth_year=user.birth_year,
        already_on_shift=existing is not None
        and (existing.status in OCCUPYING or existing.booking_id != booking_id),
        overlapping=other_shifts_of(session, user_id, shift),
    )
    if existing is not None:  # a declined answer taken back: same row, fresh status
        assignment = existing
        assignment.status = AssignmentStatus.ASSIGNED
        assignment.responded_at = None
        assignment.self_signed_up = self_signup
        assignment.created_at = moment
    else:
        assignment = Assignment(
            shift_id=shift.id,  # type: ignore[arg-type]
            booking_id=booking_id,
            user_id=user_id,
            self_signed_up=self_signup,
            created_at=moment,
        )
    session.add(assignment)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # only reachable if the locks were bypassed
        raise RuleViolation(
            "already_on_shift", _l("Nattvandraren är redan med på det här passet.")
        ) from exc
    record(
        session,
        actor_id=actor_id,
        action="roster.self_signup" if self_signup else "roster.added",
        object_type="assignment",
        object_id=assignment.id,
        municipality_id=shift.municipality_id,
        association_id=association.id,
        details=f"shift={shift.id}; user={user_id}",
    )
    events.emit(
        session,
        events.AssignmentAdded(
            assignment_id=assignment.id,  # type: ignore[arg-type]
            shift_id=shift.id,  # type: ignore[arg-type]
            user_id=user_id,
            association_id=association.id,  # type: ignore[arg-type]
            actor_id=actor_id,
        ),
    )
    return assignment


def remove_from_roster(
    session: Session, *, assignment_id: int, actor_id: int | None, now: datetime | None = None
) -> None:
    """Take a volunteer out of the walking group (before the walk starts)."""
    moment = now or utcnow()
    found = session.get(Assignment, assignment_id)
    if found is None:
        raise NotFound()
    booking = session.get(Booking, found.booking_id)
    assert booking is not None
    lock_association(session, booking.association_id)
    shift = lock_shift(session, found.shift_id)
    if moment >= shift.start_at:
        raise RuleViolation(
            "shift_started", _l("Passet har redan börjat. Gruppen kan inte ändras nu.")
        )
    _remove(session, found, booking, shift, actor_id=actor_id)


def _remove(
    session: Session, assignment: Assignment, booking: Booking, shift: Shift, *, actor_id
) -> None:
    payload = events.AssignmentRemoved(
        assignment_id=assignment.id,  # type: ignore[arg-type]
        shift_id=assignment.shift_id,
        user_id=assignment.user_id,
        association_id=booking.association_id,
        actor_id=actor_id,
    )
    record(
        session,
        actor_id=actor_id,
        action="roster.removed",
        object_type="assignment",
        object_id=assignment.id,
        municipality_id=shift.municipality_id,
        association_id=booking.association_id,
        details=f"shift={shift.id}; user={assignment.user_id}",
    )
    events.emit(session, payload)
    session.delete(assignment)
    session.flush()


def remove_upcoming_for_member(
    session: Session,
    *,
    association_id: int,
    user_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> int:
    """When a membership ends: drop the person from the association's coming walks."""
    moment = now or utcnow()
    rows = session.exec(
        select(Assignment, Booking, Shift)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .where(
            Assignment.user_id == user_id,
            Booking.association_id == association_id,
            Shift.start_at > moment,
        )
    ).all()
    for assignment, booking, shift in rows:
        _remove(session, assignment, booking, shift, actor_id=actor_id)
    return len(rows)


def _context(session: Session, assignment: Assignment) -> tuple[Booking, Shift]:
    booking = session.get(Booking, assignment.booking_id)
    shift = session.get(Shift, assignment.shift_id)
    assert booking is not None and shift is not None
    return booking, shift


def confirm_assignment(
    session: Session, assignment: Assignment, *, now: datetime | None = None
) -> Assignment:
    """The volunteer says yes (web or SMS "JA"). Idempotent; emits AssignmentConfirmed.

    Confirming after a decline needs a free place again (``roster_full``).
    """
    moment = now or utcnow()
    booking, shift = _context(session, assignment)
    if moment >= shift.start_at:
        raise RuleViolation("shift_started", _l("Passet har redan börjat."))
    if booking.status != BookingStatus.ACTIVE:
        raise RuleViolation("booking_not_active", _l("Bokningen är avbokad."))
    if assignment.status == AssignmentStatus.CONFIRMED:
        return assignment
    if assignment.status == AssignmentStatus.DECLINED:
        lock_association(session, booking.association_id)
        lock_shift(session, shift.id)  # type: ignore[arg-type]
        taken = walkers_on_shift(session, shift.id)  # type: ignore[arg-type]
        if shift.max_walkers is not None and taken >= shift.max_walkers:
            raise RuleViolation(
                "roster_full",
                _l("Passet är fullt (högst %(max)s nattvandrare).", max=shift.max_walkers),
            )
    assignment.status = AssignmentStatus.CONFIRMED
    assignment.responded_at = moment
    session.add(assignment)
    session.flush()
    _audit_answer(session, assignment, booking, shift, "roster.confirmed")
    events.emit(
        session,
        events.AssignmentConfirmed(
            assignment_id=assignment.id,  # type: ignore[arg-type]
            shift_id=assignment.shift_id,
            user_id=assignment.user_id,
            association_id=booking.association_id,
        ),
    )
    return assignment


def decline_assignment(
    session: Session, assignment: Assignment, *, now: datetime | None = None
) -> Assignment:
    """The volunteer says no (web or SMS "NEJ"). Idempotent; emits AssignmentDeclined."""
    moment = now or utcnow()
    booking, shift = _context(session, assignment)
    if moment >= shift.start_at:
        raise RuleViolation("shift_started", _l("Passet har redan börjat."))
    if assignment.status == AssignmentStatus.DECLINED:
        return assignment
    assignment.status = AssignmentStatus.DECLINED
    assignment.responded_at = moment
    session.add(assignment)
    session.flush()
    _audit_answer(session, assignment, booking, shift, "roster.declined")
    events.emit(
        session,
        events.AssignmentDeclined(
            assignment_id=assignment.id,  # type: ignore[arg-type]
            shift_id=assignment.shift_id,
            user_id=assignment.user_id,
            association_id=booking.association_id,
        ),
    )
    return assignment


def _audit_answer(
    session: Session, assignment: Assignment, booking: Booking, shift: Shift, action: str
) -> None:
    record(
        session,
        actor_id=assignment.user_id,
        action=action,
        object_type="assignment",
        object_id=assignment.id,
        municipality_id=shift.municipality_id,
        association_id=booking.association_id,
        details=f"shift={shift.id}",
    )


def association_of(session: Session, booking: Booking) -> Association:
    association = session.get(Association, booking.association_id)
    assert association is not None
    return association
