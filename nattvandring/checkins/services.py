"""Checking in and out: by SMS, from the personal page, or by the leader for the group.

Every check is one ``CheckEvent`` row (source, instant, who recorded it). Functions here
take the caller's session and flush; the request or job commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..clock import ensure_utc
from ..errors import RuleViolation
from ..i18n import _l
from ..planning.models import Shift, ShiftStatus
from . import nudges, rules
from .models import CheckEvent, CheckKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checked:
    """The outcome of a check: the event that holds the walker's state, and whether it is new
    (False: they were already checked in, or out, and nothing was written)."""

    event: CheckEvent
    new: bool


class CheckRefused(RuleViolation):
    """A check outside its window; ``shift`` says which walk, for the SMS reply."""

    def __init__(self, code: str, message: str, *, shift: Shift | None = None) -> None:
        super().__init__(code, message)
        self.shift = shift


def events_of(session: Session, booking_id: int, user_id: int | None = None) -> list[CheckEvent]:
    query = select(CheckEvent).where(CheckEvent.booking_id == booking_id)
    if user_id is not None:
        query = query.where(CheckEvent.user_id == user_id)
    return list(session.exec(query.order_by(col(CheckEvent.at), col(CheckEvent.id))).all())


def last_event(session: Session, booking_id: int, user_id: int) -> CheckEvent | None:
    return session.exec(
        select(CheckEvent)
        .where(CheckEvent.booking_id == booking_id, CheckEvent.user_id == user_id)
        .order_by(col(CheckEvent.seq).desc())
        .limit(1)
    ).first()


def checked_in_user_ids(session: Session, booking_id: int) -> set[int]:
    """Walkers whose latest event for the booking is a check-in."""
    latest = (
        select(CheckEvent.user_id, func.max(CheckEvent.seq).label("seq"))
        .where(CheckEvent.booking_id == booking_id)
        .group_by(col(CheckEvent.user_id))
        .subquery()
    )
    rows = session.exec(
        select(CheckEvent.user_id)
        .join(
            latest,
            (col(CheckEvent.user_id) == latest.c.user_id) & (col(CheckEvent.seq) == latest.c.seq),
        )
        .where(CheckEvent.booking_id == booking_id, CheckEvent.kind == CheckKind.IN)
    ).all()
    return {user_id for user_id in rows if user_id is not None}


def _live(session: Session, assignment: Assignment) -> tuple[Shift, Booking]:
    shift = session.get(Shift, assignment.shift_id)
    booking = session.get(Booking, assignment.booking_id)
    if (
        shift is None
        or booking is None
        or booking.status != BookingStatus.ACTIVE
        or shift.status == ShiftStatus.CANCELLED
        or assignment.status == AssignmentStatus.DECLINED
    ):
        raise CheckRefused("no_walk", _l("Det finns ingen vandring att checka in på."))
    return shift, booking


def _refuse_outside(kind: str, shift: Shift, at: datetime) -> None:
    if kind == CheckKind.IN:
        opens, closes = rules.check_in_window(shift.start_at, shift.end_at)
        if at < opens:
            raise CheckRefused(
                "checkin_too_early",
                _l("Incheckningen öppnar en timme före starten."),
                shift=shift,
            )
        if at > closes:
            raise CheckRefused(
                "checkin_too_late",
                _l("Vandringen är slut: det går inte längre att checka in."),
                shift=shift,
            )
    else:
        opens, closes = rules.check_out_window(shift.start_at, shift.end_at)
        if at > closes:
            raise CheckRefused(
                "checkout_too_late",
                _l("Utcheckningen stängde sex timmar efter passets slut."),
                shift=shift,
            )


def check(
    session: Session,
    assignment: Assignment,
    *,
    kind: str,
    source: str,
    at: datetime,
    actor_id: int | None = None,
) -> Checked:
    """Check the assignment's walker in or out at ``at`` (a UTC instant).

    Checking in while checked in (or out while out) writes nothing and returns the event that
    already says so. A check-out needs a check-in first.
    """
    at = ensure_utc(at)
    shift, booking = _live(session, assignment)
    _refuse_outside(kind, shift, at)
    for _attempt in range(3):
        last = last_event(session, booking.id, assignment.user_id)  # type: ignore[arg-type]
        if last is not None and last.kind == kind:
            return Checked(last, False)
        if kind == CheckKind.OUT and last is None:
            raise CheckRefused(
                "not_checked_in", _l("Du är inte incheckad på den här vandringen."), shift=shift
            )
        event = CheckEvent(
            shift_id=shift.id,  # type: ignore[arg-type]
            booking_id=booking.id,  # type: ignore[arg-type]
            user_id=assignment.user_id,
            seq=(last.seq + 1) if last is not None else 1,
            kind=kind,
            source=source,
            at=at,
            recorded_by_id=actor_id,
        )
        try:
            with session.begin_nested():
                session.add(event)
                session.flush()
        except IntegrityError:
            # The same walker was checked at this very moment by another request: read again.
            continue
        log.info(
            "User %s checked %s for booking %s (%s)", assignment.user_id, kind, booking.id, source
        )
        nudges.withdraw(session, booking.id, shift.id, kind)  # type: ignore[arg-type]
        return Checked(event, True)
    raise CheckRefused("busy", _l("Försök igen om en stund."))


def walks_of(session: Session, user_id: int) -> list[tuple[Assignment, Shift]]:
    return list(
        session.exec(
            select(Assignment, Shift)
            .join(Shift, col(Shift.id) == Assignment.shift_id)
            .join(Booking, col(Booking.id) == Assignment.booking_id)
            .where(
                Assignment.user_id == user_id,
                Assignment.status != AssignmentStatus.DECLINED,
                Booking.status == BookingStatus.ACTIVE,
                Shift.status != ShiftStatus.CANCELLED,
            )
            .order_by(col(Shift.start_at), col(Assignment.id))
        ).all()
    )


def walk_to_check(session: Session, user_id: int, kind: str, now: datetime) -> Assignment:
    """The walk a bare START/SLUT is about (the walker's only way to say which).

    Check in: the walk whose window holds ``now``. Check out: the walk they are checked in on
    whose window is still open. Otherwise a ``CheckRefused`` that names the nearest walk.
    """
    walks = walks_of(session, user_id)
    if kind == CheckKind.IN:
        for assignment, shift in walks:
            if rules.within(now, rules.check_in_window(shift.start_at, shift.end_at)):
                return assignment
        upcoming = [s for _a, s in walks if s.start_at > now]
        if upcoming:
            _refuse_outside(kind, upcoming[0], now)
        ended = [s for _a, s in walks if s.start_at <= now]
        if ended and now <= ended[-1].end_at + rules.CHECK_OUT_CLOSES:
            _refuse_outside(kind, ended[-1], now)
        raise CheckRefused("no_walk", _l("Det finns ingen vandring att checka in på."))
    open_walk = None
    for assignment, shift in walks:
        last = last_event(session, assignment.booking_id, user_id)
        if last is not None and last.kind == CheckKind.IN:
            if now <= shift.end_at + rules.CHECK_OUT_CLOSES:
                return assignment
            open_walk = shift
    if open_walk is not None:
        _refuse_outside(kind, open_walk, now)
    for assignment, shift in walks:
        if rules.within(now, rules.check_out_window(shift.start_at, shift.end_at)):
            return assignment  # check() answers "not checked in" or "already out"
    upcoming = [s for _a, s in walks if now < s.start_at <= now + timedelta(hours=24)]
    if upcoming:
        raise CheckRefused(
            "not_checked_in",
            _l("Du är inte incheckad på den här vandringen."),
            shift=upcoming[0],
        )
    raise CheckRefused("no_walk", _l("Det finns ingen vandring att checka ut från."))


def check_group(session: Session, booking: Booking, *, at: datetime, actor_id: int | None) -> int:
    """The leader checks in everyone in the group who has not checked in yet (a walker who
    already checked out stays out); returns how many were checked in."""
    assignments = session.exec(
        select(Assignment)
        .where(
            Assignment.booking_id == booking.id,
            Assignment.status != AssignmentStatus.DECLINED,
        )
        .order_by(col(Assignment.id))
    ).all()
    count = 0
    for assignment in assignments:
        if last_event(session, booking.id, assignment.user_id) is not None:  # type: ignore[arg-type]
            continue
        result = check(
            session, assignment, kind=CheckKind.IN, source="leader", at=at, actor_id=actor_id
        )
        count += int(result.new)
    return count
