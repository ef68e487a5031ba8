"""Booking rounds: open a round, rank nights, draw it once. Flush only; the edge commits.

While a round is open its nights cannot be booked the ordinary way (``check_not_in_round``,
called by ``booking.services_booking``). At the deadline the round is drawn (``draw_round``,
from the worker's job or the coordinator's button): the winners' bookings are made, unmet
wishes for nights that filled up join those nights' reserve lists in draw order, and the
remaining nights open for ordinary booking because the round is no longer open.

Drawing twice, or concurrently, gives one result: the round row is locked (FOR UPDATE on
PostgreSQL, the write lock on SQLite) and a drawn round is returned as it is; the unique pick
numbers would refuse a second set of picks anyway.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, delete, func, select

from .. import events
from ..associations.models import Association
from ..audit.services import record
from ..booking.models import Booking, BookingStatus, ReserveEntry, ReserveStatus
from ..booking.rules import check_association_may_book
from ..clock import local_to_utc, to_local, utcnow
from ..errors import NotFound, RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .draw import DrawResult, Pick, draw, seed_commitment
from .models import BookingRound, RoundPick, RoundShift, RoundStatus, RoundWish
from .queries import free_shifts
from .rules import RoundInput, check_input, chosen_nights


def open_round_of(session: Session, shift_id: int) -> BookingRound | None:
    return session.exec(
        select(BookingRound)
        .join(RoundShift, col(RoundShift.round_id) == BookingRound.id)
        .where(RoundShift.shift_id == shift_id, BookingRound.status == RoundStatus.OPEN)
    ).first()


def check_not_in_round(session: Session, shift_id: int) -> None:
    """A night of an open round is wished for in the round, not booked by the fastest."""
    found = open_round_of(session, shift_id)
    if found is not None:
        raise RuleViolation(
            "in_booking_round",
            _l(
                "Passet ingår i bokningsomgången %(name)s och lottas %(deadline)s. "
                "Önska det i bokningsomgången.",
                name=found.name,
                deadline=f"{to_local(found.deadline):%Y-%m-%d %H:%M}",
            ),
        )


def open_round(
    session: Session,
    *,
    municipality: Municipality,
    data: RoundInput,
    actor_id: int | None,
    now: datetime | None = None,
) -> BookingRound:
    """A round over the municipality's free nights from ``first_day`` to ``last_day``, or
    over the chosen ones among them (``data.shift_ids``)."""
    moment = now or utcnow()
    name = check_input(data, moment)
    start = local_to_utc(data.first_day, time(0))
    end = local_to_utc(data.last_day + timedelta(days=1), time(0))
    free = free_shifts(
        session,
        municipality_id=municipality.id,  # type: ignore[arg-type]
        start=start,
        end=end,
        after=data.deadline,
    )
    shifts = [shift.id for shift, _name in free]
    if data.shift_ids is not None:
        shifts = chosen_nights(shifts, data.shift_ids)
    if not shifts:
        raise RuleViolation(
            "no_free_nights",
            _l("Det finns inga lediga pass i perioden som börjar efter sista dag att önska."),
            field="first_day",
        )
    seed = secrets.token_hex(16)
    found = BookingRound(
        municipality_id=municipality.id,  # type: ignore[arg-type]
        name=name[:120],
        deadline=data.deadline,
        max_nights_per_association=data.max_nights_per_association,
        seed=seed,
        seed_sha256=seed_commitment(seed),
        created_by_id=actor_id,
        created_at=moment,
    )
    session.add(found)
    session.flush()
    session.add_all(RoundShift(round_id=found.id, shift_id=shift_id) for shift_id in shifts)  # type: ignore[arg-type]
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="round.opened",
        object_type="booking_round",
        object_id=found.id,
        municipality_id=municipality.id,
        details=f"{name[:80]}; pass {len(shifts)}; sista dag {data.deadline.isoformat()}",
    )
    return found


def round_shifts(session: Session, found: BookingRound) -> list[tuple[Shift, str]]:
    rows = session.exec(
        select(Shift, PatrolArea.name)
        .join(RoundShift, col(RoundShift.shift_id) == Shift.id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(RoundShift.round_id == found.id)
        .order_by(col(Shift.start_at), PatrolArea.name, col(Shift.id))
    ).all()
    return [(shift, name) for shift, name in rows]


def wishes_of(session: Session, found: BookingRound, association_id: int) -> list[int]:
    """The association's wished shift ids, most wanted first."""
    return list(
        session.exec(
            select(RoundWish.shift_id)
            .where(RoundWish.round_id == found.id, RoundWish.association_id == association_id)
            .order_by(col(RoundWish.rank))
        )
    )


def _check_open(found: BookingRound, moment: datetime) -> None:
    if found.status != RoundStatus.OPEN or moment >= found.deadline:
        raise RuleViolation(
            "round_closed", _l("Omgången är stängd för önskemål. Resultatet visas när den lottats.")
        )


def set_wishes(
    session: Session,
    *,
    found: BookingRound,
    association: Association,
    ranked: Sequence[int],
    actor_id: int | None,
    now: datetime | None = None,
) -> list[int]:
    """Replace the association's wishes with ``ranked`` (most wanted first)."""
    moment = now or utcnow()
    _check_open(found, moment)
    if association.municipality_id != found.municipality_id:
        raise NotFound()
    check_association_may_book(association.status)
    allowed = {shift.id for shift, _name in round_shifts(session, found)}
    wanted = list(dict.fromkeys(int(s) for s in ranked))
    if any(s not in allowed for s in wanted):
        raise RuleViolation("not_in_round", _l("Välj bland omgångens kvällar."))
    session.exec(
        delete(RoundWish).where(
            col(RoundWish.round_id) == found.id, col(RoundWish.association_id) == association.id
        )
    )
    session.add_all(
        RoundWish(
            round_id=found.id,  # type: ignore[arg-type]
            association_id=association.id,  # type: ignore[arg-type]
            shift_id=shift_id,
            rank=rank,
            updated_at=moment,
        )
        for rank, shift_id in enumerate(wanted, start=1)
    )
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="round.wishes",
        object_type="booking_round",
        object_id=found.id,
        municipality_id=found.municipality_id,
        association_id=association.id,
        details=f"önskemål {len(wanted)}",
    )
    return wanted


def _lock_round(session: Session, round_id: int) -> BookingRound:
    found = session.exec(
        select(BookingRound)
        .where(BookingRound.id == round_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise NotFound()
    return found


def draw_round(
    session: Session, *, round_id: int, actor_id: int | None, now: datetime | None = None
) -> BookingRound:
    """Draw the round once; a drawn round is returned unchanged."""
    moment = now or utcnow()
    found = _lock_round(session, round_id)
    if found.status == RoundStatus.DRAWN:
        return found
    if moment < found.deadline:
        raise RuleViolation(
            "before_deadline",
            _l(
                "Omgången kan lottas först efter sista dag att önska (%(deadline)s).",
                deadline=f"{to_local(found.deadline):%Y-%m-%d %H:%M}",
            ),
        )
    municipality = session.get(Municipality, found.municipality_id)
    assert municipality is not None
    shifts = [shift for shift, _name in round_shifts(session, found)]
    for shift in sorted(shifts, key=lambda s: s.id or 0):  # one fixed order of shift locks
        session.exec(select(Shift.id).where(Shift.id == shift.id).with_for_update()).all()
    active = dict(
        session.exec(
            select(Booking.shift_id, func.count())
            .where(
                col(Booking.shift_id).in_([s.id for s in shifts]),
                Booking.status == BookingStatus.ACTIVE,
            )
            .group_by(col(Booking.shift_id))
        ).all()
    )
    capacity = {
        shift.id: _groups_that_fit(session, shift, municipality, active.get(shift.id, 0))  # type: ignore[arg-type]
        for shift in shifts
        if shift.status != ShiftStatus.CANCELLED and shift.start_at > moment
    }
    approved = set(
        session.exec(
            select(Association.id).where(
                Association.municipality_id == found.municipality_id,
                Association.status == "approved",
            )
        )
    )
    wishes: dict[int, list[int]] = {}
    for aid, shift_id in session.exec(
        select(RoundWish.association_id, RoundWish.shift_id)
        .where(RoundWish.round_id == found.id)
        .order_by(col(RoundWish.association_id), col(RoundWish.rank))
    ):
        if aid in approved:
            wishes.setdefault(aid, []).append(shift_id)
    result = draw(
        seed=found.seed,
        wishes=wishes,
        capacity=capacity,  # type: ignore[arg-type]
        max_per_association=found.max_nights_per_association,
    )
    by_id = {shift.id: shift for shift in shifts}
    for pick in result.picks:
        _store_pick(session, found, pick, by_id[pick.shift_id], moment)
    _unmet_to_reserve_lists(session, result, wishes, capacity, moment)  # type: ignore[arg-type]
    found.status = RoundStatus.DRAWN
    found.drawn_at = moment
    found.drawn_order = ",".join(str(aid) for aid in result.order)
    session.add(found)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="round.drawn",
        object_type="booking_round",
        object_id=found.id,
        municipality_id=found.municipality_id,
        details=f"frö {found.seed}; föreningar {len(result.order)}; val {len(result.picks)}",
    )
    events.emit(session, events.BookingRoundDrawn(round_id=found.id))  # type: ignore[arg-type]
    return found


def _groups_that_fit(
    session: Session, shift: Shift, municipality: Municipality, booked: int
) -> int:
    """How many more associations the draw may give the shift: the free places per pass, and
    no more groups than can each still reach the minimum within the shared maximum."""
    from ..booking.capacity import held
    from ..booking.services_booking import walkers_by_booking

    slots = max(municipality.max_associations_per_shift - booked, 0)
    if shift.max_walkers is None or shift.min_walkers <= 0:
        return slots
    groups = walkers_by_booking(session, shift.id) if booked else {}  # type: ignore[arg-type]
    left = shift.max_walkers - sum(held(w, shift.min_walkers) for w in groups.values())
    return min(slots, max(left, 0) // shift.min_walkers)


def _store_pick(
    session: Session, found: BookingRound, pick: Pick, shift: Shift, moment: datetime
) -> None:
    booking = Booking(shift_id=pick.shift_id, association_id=pick.association_id, created_at=moment)
    session.add(booking)
    shift.status = ShiftStatus.BOOKED
    shift.updated_at = moment
    session.add(shift)
    session.flush()
    session.add(
        RoundPick(
            round_id=found.id,  # type: ignore[arg-type]
            number=pick.number,
            draft_round=pick.draft_round,
            association_id=pick.association_id,
            shift_id=pick.shift_id,
            booking_id=booking.id,
        )
    )
    events.emit(
        session,
        events.BookingCreated(
            booking_id=booking.id,  # type: ignore[arg-type]
            shift_id=pick.shift_id,
            association_id=pick.association_id,
            actor_id=None,
        ),
    )


def _unmet_to_reserve_lists(
    session: Session,
    result: DrawResult,
    wishes: dict[int, list[int]],
    capacity: dict[int, int],
    moment: datetime,
) -> None:
    """Wishes for nights that filled up join their reserve lists, in draw order (the queue
    is ordered by ``created_at``, so each later entry is one microsecond later)."""
    taken: dict[int, int] = {}
    for pick in result.picks:
        taken[pick.shift_id] = taken.get(pick.shift_id, 0) + 1
    position = 0
    for aid in result.order:
        got = set(result.nights_of(aid))
        for shift_id in wishes.get(aid, []):
            if shift_id in got or shift_id not in capacity:
                continue
            if taken.get(shift_id, 0) < capacity[shift_id]:
                continue  # the night still has room: it opens for ordinary booking
            entry = session.exec(
                select(ReserveEntry).where(
                    ReserveEntry.shift_id == shift_id, ReserveEntry.association_id == aid
                )
            ).first()
            if entry is not None and entry.status in (ReserveStatus.WAITING, ReserveStatus.OFFERED):
                continue
            entry = entry or ReserveEntry(shift_id=shift_id, association_id=aid)
            entry.status = ReserveStatus.WAITING
            entry.created_at = moment + timedelta(microseconds=position)
            entry.offered_at = None
            entry.offer_expires_at = None
            position += 1
            session.add(entry)
    session.flush()
