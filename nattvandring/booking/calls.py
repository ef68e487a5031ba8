""" "Vi behöver en till": the leader asks the members who can walk for one more, by SMS.

``start_call`` asks every member who can walk that night (``candidates``: old enough, not
busy, no STOPP), is not in a group of the shift, has a working number and has no walk
waiting for their answer (so a bare JA is never ambiguous). ``answer_by_sms`` is called by
the SMS webhook for a JA or NEJ: the first JA joins the group (added and confirmed through
``services_roster``), later ones are thanked ("Tack, vi är fulltaliga").

Concurrency: an answer locks association -> shift (the booking order) and then reads the call
row again under that lock, so two JA at the same instant queue up and only the first finds the
call open; the group's capacity is checked by ``add_to_roster`` under the same locks.
This is a group's call to its own members; the reserve list (``services_reserve``) is an
association's turn at a whole shift, offered in order, and is not reused here.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from .. import events
from ..accounts.models import User
from ..audit.services import record
from ..clock import utcnow
from ..errors import NotFound, RuleViolation
from ..i18n import _l
from ..planning.models import Shift, ShiftStatus
from .candidates import candidates
from .locking import lock_association, lock_shift
from .models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    CallAnswer,
    WalkerCall,
    WalkerCallInvite,
    WalkerCallStatus,
)
from .services_roster import add_to_roster, confirm_assignment, places_taken_for


def open_call(session: Session, booking_id: int) -> WalkerCall | None:
    return session.exec(
        select(WalkerCall).where(
            WalkerCall.booking_id == booking_id, WalkerCall.status == WalkerCallStatus.OPEN
        )
    ).first()


def asked_ids(session: Session, call_id: int) -> list[int]:
    return list(
        session.exec(select(WalkerCallInvite.user_id).where(WalkerCallInvite.call_id == call_id))
    )


def _waiting_for_answer(session: Session, user_ids: list[int], now: datetime) -> set[int]:
    """Who of ``user_ids`` has a coming walk they have not answered yet."""
    rows = session.exec(
        select(Assignment.user_id)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(
            col(Assignment.user_id).in_(user_ids),
            Assignment.status == AssignmentStatus.ASSIGNED,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at > now,
        )
    ).all()
    return set(rows)


def askable(session: Session, booking: Booking, shift: Shift, now: datetime) -> list[int]:
    """The members a call for this group would ask (ids, by name)."""
    found = [
        c
        for c in candidates(
            session,
            association_id=booking.association_id,
            shift=shift,
            booking_id=booking.id,  # type: ignore[arg-type]
        )
        if c.eligible and c.phone_e164
    ]
    ids = [c.user_id for c in found]
    if not ids:
        return []
    invalid = set(
        session.exec(
            select(User.id).where(col(User.id).in_(ids), col(User.phone_invalid).is_(True))
        ).all()
    )
    waiting = _waiting_for_answer(session, ids, now)
    return [uid for uid in ids if uid not in invalid and uid not in waiting]


def start_call(
    session: Session, *, booking_id: int, actor_id: int | None, now: datetime | None = None
) -> tuple[WalkerCall, int]:
    """Ask the members for one more walker. Returns the call and how many were asked."""
    moment = now or utcnow()
    found = session.get(Booking, booking_id)
    if found is None:
        raise NotFound()
    lock_association(session, found.association_id)
    shift = lock_shift(session, found.shift_id)
    booking = session.exec(
        select(Booking).where(Booking.id == booking_id).execution_options(populate_existing=True)
    ).one()
    if booking.status != BookingStatus.ACTIVE or shift.status == ShiftStatus.CANCELLED:
        raise RuleViolation("booking_not_active", str(_l("Bokningen är avbokad.")))
    if moment >= shift.start_at:
        raise RuleViolation(
            "shift_started", str(_l("Passet har redan börjat. Gruppen kan inte ändras nu."))
        )
    if open_call(session, booking_id) is not None:
        raise RuleViolation(
            "call_open",
            str(_l("Ni har redan frågat medlemmarna. Den första som svarar JA kommer med.")),
        )
    taken = places_taken_for(session, shift, booking_id, now=moment)
    if shift.max_walkers is not None and taken >= shift.max_walkers:
        raise RuleViolation(
            "roster_full", str(_l("Gruppen är full: det finns inga platser kvar på passet."))
        )
    asked = askable(session, booking, shift, moment)
    if not asked:
        raise RuleViolation(
            "nobody_to_ask",
            str(
                _l(
                    "Det finns ingen att fråga: alla medlemmar som kan gå den kvällen är redan "
                    "med, väntar på svar om ett annat pass eller kan inte få SMS."
                )
            ),
        )
    call = WalkerCall(
        booking_id=booking_id,
        shift_id=shift.id,  # type: ignore[arg-type]
        created_by_id=actor_id,
        created_at=moment,
    )
    session.add(call)
    session.flush()
    for user_id in asked:
        session.add(WalkerCallInvite(call_id=call.id, user_id=user_id, created_at=moment))  # type: ignore[arg-type]
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="roster.call_opened",
        object_type="walker_call",
        object_id=call.id,
        municipality_id=shift.municipality_id,
        association_id=booking.association_id,
        details=f"shift={shift.id}; asked={len(asked)}",
    )
    events.emit(
        session,
        events.WalkerCallOpened(
            call_id=call.id,  # type: ignore[arg-type]
            shift_id=shift.id,  # type: ignore[arg-type]
            association_id=booking.association_id,
            user_ids=tuple(asked),
        ),
    )
    return call, len(asked)


def open_invite(session: Session, user_id: int, now: datetime) -> WalkerCallInvite | None:
    """The person's newest unanswered ask whose walk has not started (open or filled call).
    An ask of a cancelled shift or booking is withdrawn: a JA/NEJ then answers something else."""
    return session.exec(
        select(WalkerCallInvite)
        .join(WalkerCall, col(WalkerCall.id) == WalkerCallInvite.call_id)
        .join(Shift, col(Shift.id) == WalkerCall.shift_id)
        .join(Booking, col(Booking.id) == WalkerCall.booking_id)
        .where(
            WalkerCallInvite.user_id == user_id,
            WalkerCallInvite.answer == CallAnswer.NONE,
            Shift.start_at > now,
            Shift.status != ShiftStatus.CANCELLED,
            Booking.status == BookingStatus.ACTIVE,
        )
        .order_by(col(WalkerCallInvite.created_at).desc(), col(WalkerCallInvite.id).desc())
    ).first()


def _fill(session: Session, call: WalkerCall, booking: Booking, moment: datetime) -> None:
    call.status = WalkerCallStatus.FILLED
    call.open_key = None
    call.filled_at = moment
    session.add(call)
    session.flush()
    events.emit(
        session,
        events.WalkerCallFilled(
            call_id=call.id,  # type: ignore[arg-type]
            shift_id=call.shift_id,
            association_id=booking.association_id,
        ),
    )


def answer_by_sms(
    session: Session, invite: WalkerCallInvite, *, yes: bool, now: datetime | None = None
) -> tuple[str, Assignment | None]:
    """Act on a JA/NEJ to ``invite``. Returns the outcome (a ``CallAnswer``) and, when the
    person joined, their assignment."""
    moment = now or utcnow()
    found = session.get(WalkerCall, invite.call_id)
    assert found is not None
    booking = session.get(Booking, found.booking_id)
    assert booking is not None
    if not yes:
        return _answer(session, invite, CallAnswer.DECLINED, moment), None
    lock_association(session, booking.association_id)
    lock_shift(session, found.shift_id)
    call = session.exec(
        select(WalkerCall)
        .where(WalkerCall.id == invite.call_id)
        .execution_options(populate_existing=True)
    ).one()
    booking = session.exec(
        select(Booking)
        .where(Booking.id == call.booking_id)
        .execution_options(populate_existing=True)
    ).one()
    if call.status != WalkerCallStatus.OPEN or booking.status != BookingStatus.ACTIVE:
        return _answer(session, invite, CallAnswer.TOO_LATE, moment), None
    try:
        with session.begin_nested():
            assignment = add_to_roster(
                session,
                booking_id=booking.id,  # type: ignore[arg-type]
                user_id=invite.user_id,
                actor_id=invite.user_id,
                now=moment,
            )
            confirm_assignment(session, assignment, now=moment)
    except RuleViolation as violation:
        if violation.code == "roster_full":  # filled by the leader meanwhile
            _fill(session, call, booking, moment)
            return _answer(session, invite, CallAnswer.TOO_LATE, moment), None
        return _answer(session, invite, CallAnswer.REFUSED, moment), None
    call.joined += 1
    session.add(call)
    if call.joined >= call.needed:
        _fill(session, call, booking, moment)
    return _answer(session, invite, CallAnswer.JOINED, moment), assignment


def _answer(
    session: Session, invite: WalkerCallInvite, answer: CallAnswer, moment: datetime
) -> str:
    invite.answer = answer
    invite.answered_at = moment
    session.add(invite)
    session.flush()
    return answer
