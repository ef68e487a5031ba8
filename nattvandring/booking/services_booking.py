"""Booking a shift for an association, cancelling it, and the reserve list.

Every booking rule goes through here, configured by the shift's municipality
(``max_associations_per_shift``, ``monthly_booking_cap``, ``cancel_deadline_hours``,
``allow_reserve_list``) and decided by the pure functions in ``booking.rules``. Writers lock
association -> shift (see ``locking``); the unique index ``uq_booking_active`` backs that up.
Services flush only; the request or job commits.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from .. import events
from ..associations.models import Association
from ..audit.services import record
from ..clock import local_to_utc, to_local, utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from ..planning.models import Shift, ShiftStatus
from . import rules
from .capacity import check_room_to_book
from .capacity import groups_holding_room as groups_holding_room_of
from .locking import lock_association, lock_shift
from .models import (
    Assignment,
    AssignmentStatus,
    Booking,
    BookingStatus,
    ReserveEntry,
    ReserveStatus,
)
from .offers import check_offer_allows

log = logging.getLogger(__name__)


def month_bounds(instant: datetime) -> tuple[datetime, datetime]:
    """UTC instants of the start of the local calendar month of ``instant`` and the next one."""
    local = to_local(instant)
    first = date(local.year, local.month, 1)
    following = date(local.year + (local.month == 12), local.month % 12 + 1, 1)
    return local_to_utc(first, time(0)), local_to_utc(following, time(0))


def active_bookings(session: Session, shift_id: int) -> list[Booking]:
    return list(
        session.exec(
            select(Booking)
            .where(Booking.shift_id == shift_id, Booking.status == BookingStatus.ACTIVE)
            .order_by(col(Booking.id))
        )
    )


def walkers_by_booking(session: Session, shift_id: int) -> dict[int, int]:
    """Walkers (declined answers excluded) of each active booking on the shift (one query)."""
    occupying = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)
    rows = session.exec(
        select(Booking.id, func.count(col(Assignment.id)))
        .select_from(Booking)
        .outerjoin(
            Assignment,
            (col(Assignment.booking_id) == Booking.id) & col(Assignment.status).in_(occupying),
        )
        .where(Booking.shift_id == shift_id, Booking.status == BookingStatus.ACTIVE)
        .group_by(col(Booking.id))
    ).all()
    return {booking_id: int(count) for booking_id, count in rows}  # type: ignore[misc]


def offer_holds(now: datetime) -> ColumnElement[bool]:
    """SQL condition: an open offer whose window has not ended (``offer_expires_at > now``; an
    offer without an expiry predates windows and is open until the sweep gives it one). An
    expired offer the sweep has not passed on yet holds no room: ``check_offer_allows``
    already treats it as expired."""
    return (col(ReserveEntry.status) == ReserveStatus.OFFERED) & (
        col(ReserveEntry.offer_expires_at).is_(None) | (col(ReserveEntry.offer_expires_at) > now)
    )


def offered_groups(
    session: Session,
    shift_id: int,
    *,
    now: datetime | None = None,
    besides_association: int | None = None,
) -> int:
    """Open offers from the shift's reserve list (``offer_holds``), not counting one to
    ``besides_association``: its own offer is the room it would book, not room taken."""
    query = (
        select(func.count())
        .select_from(ReserveEntry)
        .where(ReserveEntry.shift_id == shift_id, offer_holds(now or utcnow()))
    )
    if besides_association is not None:
        query = query.where(ReserveEntry.association_id != besides_association)
    return session.exec(query).one()


def groups_holding_room(
    session: Session,
    shift_id: int,
    *,
    now: datetime | None = None,
    besides: int | None = None,
    besides_association: int | None = None,
) -> list[int]:
    """The groups holding room on the shift (``capacity.groups_holding_room``: the walkers of
    each active booking but ``besides``, and an empty group per open offer but one to
    ``besides_association``), two queries."""
    return groups_holding_room_of(
        walkers_by_booking(session, shift_id),
        offered_groups(session, shift_id, now=now, besides_association=besides_association),
        besides=besides,
    )


def room_for_another_group(
    session: Session,
    shift: Shift,
    *,
    now: datetime | None = None,
    besides_association: int | None = None,
) -> bool:
    """Whether the walkers' room left on the shift still fits one more group's minimum (for
    ``besides_association``: its own open offer does not count against it)."""
    try:
        check_room_to_book(
            max_walkers=shift.max_walkers,
            min_walkers=shift.min_walkers,
            groups=groups_holding_room(
                session,
                shift.id,  # type: ignore[arg-type]
                now=now,
                besides_association=besides_association,
            ),
        )
    except RuleViolation:
        return False
    return True


def bookings_in_month(session: Session, association_id: int, instant: datetime) -> int:
    """Active bookings of the association on shifts in the local month of ``instant``."""
    start, end = month_bounds(instant)
    return session.exec(
        select(func.count())
        .select_from(Booking)
        .join(Shift, col(Shift.id) == Booking.shift_id)
        .where(
            Booking.association_id == association_id,
            Booking.status == BookingStatus.ACTIVE,
            Shift.start_at >= start,
            Shift.start_at < end,
        )
    ).one()


def lock_for_booking(
    session: Session, association_id: int, shift_id: int
) -> tuple[Association, Shift, Municipality]:
    """Lock the association, then the shift (the fixed order), and load the shift's rules."""
    association = lock_association(session, association_id)
    shift = lock_shift(session, shift_id)
    _same_municipality(association, shift)
    municipality = session.get(Municipality, shift.municipality_id)
    assert municipality is not None
    return association, shift, municipality


def _same_municipality(association: Association, shift: Shift) -> None:
    if association.municipality_id != shift.municipality_id:
        raise RuleViolation(
            "wrong_municipality", _l("Passet hör till en annan kommun än föreningen.")
        )


def book_shift(
    session: Session,
    *,
    association_id: int,
    shift_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> Booking:
    """Book ``shift_id`` for the association, or raise the first rule that refuses it."""
    moment = now or utcnow()
    association, shift, municipality = lock_for_booking(session, association_id, shift_id)
    current = active_bookings(session, shift_id)
    if any(b.association_id == association_id for b in current):
        raise RuleViolation("already_booked", _l("Föreningen har redan bokat det här passet."))
    from ..rounds.services import check_not_in_round  # rounds build on booking

    check_not_in_round(session, shift_id)
    rules.check_can_book(
        now=moment,
        shift_start=shift.start_at,
        shift_status=shift.status,
        association_status=association.status,
        active_bookings_on_shift=len(current),
        max_associations_per_shift=municipality.max_associations_per_shift,
        bookings_this_month=bookings_in_month(session, association_id, shift.start_at),
        monthly_cap=municipality.monthly_booking_cap,
    )
    offers = session.exec(
        select(ReserveEntry.association_id, ReserveEntry.offer_expires_at).where(
            ReserveEntry.shift_id == shift_id, ReserveEntry.status == ReserveStatus.OFFERED
        )
    ).all()
    check_offer_allows(now=moment, association_id=association_id, offers=list(offers))
    check_room_to_book(
        max_walkers=shift.max_walkers,
        min_walkers=shift.min_walkers,
        groups=list(walkers_by_booking(session, shift_id).values()),
    )
    booking = Booking(shift_id=shift_id, association_id=association_id, booked_by_id=actor_id)
    session.add(booking)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # only reachable if the locks were bypassed
        raise RuleViolation(
            "already_booked", _l("Föreningen har redan bokat det här passet.")
        ) from exc
    shift.status = ShiftStatus.BOOKED
    shift.updated_at = moment
    session.add(shift)
    entry = session.exec(
        select(ReserveEntry).where(
            ReserveEntry.shift_id == shift_id, ReserveEntry.association_id == association_id
        )
    ).first()
    if entry is not None and entry.status in (ReserveStatus.WAITING, ReserveStatus.OFFERED):
        entry.status = ReserveStatus.ACCEPTED
        session.add(entry)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="booking.created",
        object_type="booking",
        object_id=booking.id,
        municipality_id=shift.municipality_id,
        association_id=association_id,
        details=f"shift={shift_id}",
    )
    assert booking.id is not None
    events.emit(
        session,
        events.BookingCreated(
            booking_id=booking.id,
            shift_id=shift_id,
            association_id=association_id,
            actor_id=actor_id,
        ),
    )
    log.debug("Association %s booked shift %s", association_id, shift_id)
    return booking


def mark_cancelled(
    session: Session, booking: Booking, *, actor_id: int | None, reason: str, moment: datetime
) -> None:
    """The one place a booking's cancellation is written (the callers check the rules)."""
    booking.status = BookingStatus.CANCELLED
    booking.active_key = None
    booking.cancelled_at = moment
    booking.cancelled_by_id = actor_id
    booking.cancel_reason = (reason or "").strip()[:500]
    session.add(booking)


def end_bookings_of_cancelled_shift(
    session: Session, *, shift_id: int, actor_id: int | None, reason: str
) -> int:
    """The shift was cancelled: its active bookings end with it. Returns how many.

    No ``BookingCancelled`` events (the shift's cancellation is the one notification
    subscribers act on) and the walking groups stay, so the walkers' feeds show the walk
    as cancelled.
    """
    moment = utcnow()
    bookings = session.exec(
        select(Booking)
        .where(Booking.shift_id == shift_id, Booking.status == BookingStatus.ACTIVE)
        .with_for_update()
    ).all()
    for booking in bookings:
        mark_cancelled(session, booking, actor_id=actor_id, reason=reason, moment=moment)
    session.flush()
    return len(bookings)


def cancel_booking(
    session: Session,
    *,
    booking_id: int,
    actor_id: int | None,
    as_coordinator: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Booking:
    """Cancel an active booking.

    A leader may cancel until ``cancel_deadline_hours`` before the start; a coordinator may
    cancel at any time but must give a reason. The walking group of the booking is dropped
    after ``BookingCancelled`` is emitted (subscribers can still read it then; no separate
    ``AssignmentRemoved`` events). The first waiting reserve association is then offered
    the shift.
    """
    moment = now or utcnow()
    found = session.get(Booking, booking_id)
    if found is None:
        from ..errors import NotFound

        raise NotFound()
    lock_association(session, found.association_id)
    shift = lock_shift(session, found.shift_id)
    booking = session.exec(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if booking.status != BookingStatus.ACTIVE:
        raise RuleViolation("booking_not_active", _l("Bokningen är redan avbokad."))
    municipality = session.get(Municipality, shift.municipality_id)
    assert municipality is not None
    if as_coordinator:
        rules.check_coordinator_cancel(reason=reason)
    else:
        rules.check_leader_can_cancel(
            now=moment,
            shift_start=shift.start_at,
            deadline_hours=municipality.cancel_deadline_hours,
        )
    mark_cancelled(session, booking, actor_id=actor_id, reason=reason, moment=moment)
    session.flush()
    remaining = active_bookings(session, shift.id)  # type: ignore[arg-type]
    if not remaining and shift.status == ShiftStatus.BOOKED:
        shift.status = ShiftStatus.PLANNED
    shift.updated_at = moment
    session.add(shift)
    record(
        session,
        actor_id=actor_id,
        action="booking.cancelled_by_coordinator" if as_coordinator else "booking.cancelled",
        object_type="booking",
        object_id=booking.id,
        municipality_id=shift.municipality_id,
        association_id=booking.association_id,
        details=f"shift={shift.id}; reason={booking.cancel_reason}",
    )
    events.emit(
        session,
        events.BookingCancelled(
            booking_id=booking_id,
            shift_id=shift.id,  # type: ignore[arg-type]
            association_id=booking.association_id,
            actor_id=actor_id,
            reason=booking.cancel_reason,
        ),
    )
    for assignment in session.exec(select(Assignment).where(Assignment.booking_id == booking_id)):
        session.delete(assignment)
    session.flush()
    if (
        municipality.allow_reserve_list
        and shift.status != ShiftStatus.CANCELLED
        and moment < shift.start_at
        and len(remaining) < municipality.max_associations_per_shift
    ):
        from .services_reserve import offer_to_first_waiting

        offer_to_first_waiting(session, shift, now=moment)
    return booking
