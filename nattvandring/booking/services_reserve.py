"""The reserve list: associations waiting for a booked shift, offered it in order.

When a booking is cancelled (``services_booking.cancel_booking``) the first waiting entry is
marked offered and ``ReserveOffered`` is emitted (SMS and e-mail to its leaders). For the
municipality's window (``offers.offer_expiry``) only that association may book the shift;
it books the normal way and its entry becomes ``accepted``. When the window ends unanswered
the sweep (``pass_on_expired_offers``, a worker job) marks the entry ``expired``, tells its
leaders and offers the shift to the next in line; once nobody is left, anyone may book.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from .. import events
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .locking import lock_association, lock_shift
from .models import ReserveEntry, ReserveStatus
from .offers import offer_expiry
from .rules import check_association_may_book
from .services_booking import active_bookings, lock_for_booking, room_for_another_group


def offer_to_first_waiting(
    session: Session, shift: Shift, *, now: datetime | None = None
) -> ReserveEntry | None:
    entry = session.exec(
        select(ReserveEntry)
        .where(ReserveEntry.shift_id == shift.id, ReserveEntry.status == ReserveStatus.WAITING)
        .order_by(col(ReserveEntry.created_at), col(ReserveEntry.id))
    ).first()
    if entry is None:
        return None
    municipality = session.get(Municipality, shift.municipality_id)
    assert municipality is not None
    entry.status = ReserveStatus.OFFERED
    entry.offered_at = now or utcnow()
    entry.offer_expires_at = offer_expiry(
        offered_at=entry.offered_at,
        shift_start=shift.start_at,
        window_hours=municipality.reserve_offer_hours,
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor_id=None,
        action="reserve.offered",
        object_type="reserve_entry",
        object_id=entry.id,
        municipality_id=shift.municipality_id,
        association_id=entry.association_id,
        details=f"shift={shift.id}",
    )
    events.emit(
        session,
        events.ReserveOffered(
            reserve_entry_id=entry.id,  # type: ignore[arg-type]
            shift_id=shift.id,  # type: ignore[arg-type]
            association_id=entry.association_id,
            expires_at=entry.offer_expires_at,
        ),
    )
    return entry


def pass_on_expired_offers(session: Session, *, now: datetime | None = None) -> int:
    """Expire every offer whose window has ended and offer its shift to the next in line.

    Returns the number of offers expired. Each shift is locked first (the booking order
    association -> shift is kept: no association lock is needed, nothing about one changes),
    and the entry is read again under the lock, so a booking that won the race is respected.
    """
    moment = now or utcnow()
    due = session.exec(
        select(ReserveEntry.id, ReserveEntry.shift_id)
        .where(
            ReserveEntry.status == ReserveStatus.OFFERED,
            (col(ReserveEntry.offer_expires_at) <= moment)
            | (col(ReserveEntry.offer_expires_at).is_(None)),
        )
        .order_by(col(ReserveEntry.shift_id), col(ReserveEntry.id))
    ).all()
    expired = 0
    for entry_id, shift_id in due:
        shift = lock_shift(session, shift_id)
        entry = session.exec(
            select(ReserveEntry)
            .where(ReserveEntry.id == entry_id)
            .execution_options(populate_existing=True)
        ).one()
        if entry.status != ReserveStatus.OFFERED:
            continue
        municipality = session.get(Municipality, shift.municipality_id)
        assert municipality is not None
        if entry.offer_expires_at is None:  # offered before windows existed: give it one
            entry.offer_expires_at = offer_expiry(
                offered_at=entry.offered_at or moment,
                shift_start=shift.start_at,
                window_hours=municipality.reserve_offer_hours,
            )
            session.add(entry)
            if entry.offer_expires_at > moment:
                continue
        entry.status = ReserveStatus.EXPIRED
        session.add(entry)
        session.flush()
        expired += 1
        record(
            session,
            actor_id=None,
            action="reserve.offer_expired",
            object_type="reserve_entry",
            object_id=entry.id,
            municipality_id=shift.municipality_id,
            association_id=entry.association_id,
            details=f"shift={shift.id}",
        )
        events.emit(
            session,
            events.ReserveOfferExpired(
                reserve_entry_id=entry.id,  # type: ignore[arg-type]
                shift_id=shift.id,  # type: ignore[arg-type]
                association_id=entry.association_id,
            ),
        )
        taken = len(active_bookings(session, shift.id))  # type: ignore[arg-type]
        if (
            shift.status != ShiftStatus.CANCELLED
            and moment < shift.start_at
            and taken < municipality.max_associations_per_shift
        ):
            offer_to_first_waiting(session, shift, now=moment)
    return expired


def open_offers(session: Session, shift_id: int) -> list[ReserveEntry]:
    """The shift's open offers from the reserve list (one per free place at most)."""
    return list(
        session.exec(
            select(ReserveEntry).where(
                ReserveEntry.shift_id == shift_id, ReserveEntry.status == ReserveStatus.OFFERED
            )
        )
    )


def join_reserve(
    session: Session,
    *,
    association_id: int,
    shift_id: int,
    actor_id: int | None,
    now: datetime | None = None,
) -> ReserveEntry:
    """Put the association on the shift's reserve list (at the back of the queue)."""
    moment = now or utcnow()
    association, shift, municipality = lock_for_booking(session, association_id, shift_id)
    if not municipality.allow_reserve_list:
        raise RuleViolation("reserve_disabled", _l("Kommunen använder inte reservlistor."))
    check_association_may_book(association.status)
    if shift.status == ShiftStatus.CANCELLED:
        raise RuleViolation("shift_cancelled", _l("Passet är inställt och kan inte bokas."))
    if moment >= shift.start_at:
        raise RuleViolation("shift_started", _l("Passet har redan börjat och kan inte bokas."))
    current = active_bookings(session, shift_id)
    if any(b.association_id == association_id for b in current):
        raise RuleViolation("already_booked", _l("Föreningen har redan bokat det här passet."))
    if (
        len(current) < municipality.max_associations_per_shift
        and not open_offers(session, shift_id)
        and room_for_another_group(session, shift, now=moment)
    ):
        raise RuleViolation("shift_open", _l("Passet är ledigt. Boka det i stället."))
    entry = session.exec(
        select(ReserveEntry).where(
            ReserveEntry.shift_id == shift_id, ReserveEntry.association_id == association_id
        )
    ).first()
    if entry is not None and entry.status in (ReserveStatus.WAITING, ReserveStatus.OFFERED):
        raise RuleViolation("already_reserve", _l("Föreningen står redan på reservlistan."))
    if entry is None:
        entry = ReserveEntry(shift_id=shift_id, association_id=association_id)
    entry.status = ReserveStatus.WAITING
    entry.created_at = moment
    entry.offered_at = None
    entry.offer_expires_at = None
    session.add(entry)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="reserve.joined",
        object_type="reserve_entry",
        object_id=entry.id,
        municipality_id=shift.municipality_id,
        association_id=association_id,
        details=f"shift={shift_id}",
    )
    return entry


def withdraw_reserve(
    session: Session, *, association_id: int, shift_id: int, actor_id: int | None
) -> ReserveEntry:
    lock_association(session, association_id)
    shift = lock_shift(session, shift_id)
    entry = session.exec(
        select(ReserveEntry).where(
            ReserveEntry.shift_id == shift_id,
            ReserveEntry.association_id == association_id,
            col(ReserveEntry.status).in_([ReserveStatus.WAITING, ReserveStatus.OFFERED]),
        )
    ).first()
    if entry is None:
        raise RuleViolation("not_on_reserve", _l("Föreningen står inte på reservlistan."))
    was_offered = entry.status == ReserveStatus.OFFERED
    entry.status = ReserveStatus.WITHDRAWN
    session.add(entry)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="reserve.withdrawn",
        object_type="reserve_entry",
        object_id=entry.id,
        municipality_id=shift.municipality_id,
        association_id=association_id,
        details=f"shift={shift_id}",
    )
    if was_offered and shift.status != ShiftStatus.CANCELLED and utcnow() < shift.start_at:
        # The offer passes on to the next association in the queue.
        municipality = session.get(Municipality, shift.municipality_id)
        taken = len(active_bookings(session, shift_id))
        if municipality is not None and taken < municipality.max_associations_per_shift:
            offer_to_first_waiting(session, shift)
    return entry


def offers_to(
    session: Session, association_ids: set[int], *, now: datetime
) -> list[tuple[ReserveEntry, Shift, str]]:
    """Open offers from the reserve list to ``association_ids`` (not yet expired, on live
    nights to come), soonest night first, with the area's name (one query)."""
    if not association_ids:
        return []
    return list(
        session.exec(
            select(ReserveEntry, Shift, PatrolArea.name)
            .join(Shift, col(Shift.id) == ReserveEntry.shift_id)
            .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
            .where(
                col(ReserveEntry.association_id).in_(association_ids),
                ReserveEntry.status == ReserveStatus.OFFERED,
                Shift.status != ShiftStatus.CANCELLED,
                Shift.start_at > now,
                (col(ReserveEntry.offer_expires_at).is_(None))
                | (col(ReserveEntry.offer_expires_at) > now),
            )
            .order_by(col(Shift.start_at), col(ReserveEntry.id))
        ).all()
    )
