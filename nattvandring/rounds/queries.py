"""Read models of booking rounds: the published result, the rounds due for a draw, the free
nights a new round may take and the calendar's round nights."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from ..associations.models import Association
from ..booking.models import Booking, BookingStatus
from ..planning.models import PatrolArea, Shift, ShiftStatus
from .models import BookingRound, RoundPick, RoundShift, RoundStatus, RoundWish


@dataclass
class Published:
    """What the round's page shows so that anyone can check the draw."""

    found: BookingRound
    order: list[tuple[int, str]]  # (association id, name) in draw order
    picks: list[tuple[RoundPick, str, Shift, str]]  # pick, association, shift, area
    # What the draw was run on, in draw order: each association's nights, most wanted first.
    wishes: list[tuple[str, list[tuple[Shift, str]]]] = field(default_factory=list)


def published(session: Session, found: BookingRound) -> Published:
    picks = session.exec(
        select(RoundPick, Association.name, Shift, PatrolArea.name)
        .join(Association, col(Association.id) == RoundPick.association_id)
        .join(Shift, col(Shift.id) == RoundPick.shift_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(RoundPick.round_id == found.id)
        .order_by(col(RoundPick.number))
    ).all()
    ids = [int(aid) for aid in found.drawn_order.split(",") if aid]
    names = dict(
        session.exec(
            select(Association.id, Association.name).where(col(Association.id).in_(ids))
        ).all()
    )
    order = [(aid, names.get(aid, "")) for aid in ids]
    ranked: dict[int, list[tuple[Shift, str]]] = {aid: [] for aid in ids}
    for aid, shift, area in session.exec(
        select(RoundWish.association_id, Shift, PatrolArea.name)
        .join(Shift, col(Shift.id) == RoundWish.shift_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(RoundWish.round_id == found.id, col(RoundWish.association_id).in_(ids))
        .order_by(col(RoundWish.association_id), col(RoundWish.rank))
    ):
        ranked[aid].append((shift, area))
    wishes = [(name, ranked[aid]) for aid, name in order]
    return Published(found, order, [tuple(row) for row in picks], wishes)  # type: ignore[misc]


def due_rounds(session: Session, now: datetime) -> list[int]:
    found = session.exec(
        select(col(BookingRound.id)).where(
            BookingRound.status == RoundStatus.OPEN, BookingRound.deadline <= now
        )
    )
    return [round_id for round_id in found if round_id is not None]


def free_shifts(
    session: Session, *, municipality_id: int, start: datetime, end: datetime, after: datetime
) -> list[tuple[Shift, str]]:
    """The municipality's nights a round may take: starting in [start, end) and after
    ``after`` (the deadline), not cancelled, not booked, not already in an open round."""
    booked = select(Booking.shift_id).where(Booking.status == BookingStatus.ACTIVE)
    in_open = (
        select(RoundShift.shift_id)
        .join(BookingRound, col(BookingRound.id) == RoundShift.round_id)
        .where(BookingRound.status == RoundStatus.OPEN)
    )
    rows = session.exec(
        select(Shift, PatrolArea.name)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .where(
            Shift.municipality_id == municipality_id,
            Shift.start_at >= start,
            Shift.start_at < end,
            Shift.start_at > after,
            Shift.status != ShiftStatus.CANCELLED,
            col(Shift.id).not_in(booked),
            col(Shift.id).not_in(in_open),
        )
        .order_by(col(Shift.start_at), col(Shift.id))
    ).all()
    return [(shift, name) for shift, name in rows]


def open_rounds_by_shift(session: Session, shift_ids: list[int]) -> dict[int, BookingRound]:
    """For the calendar: which of these nights wait for an open round's draw (one query,
    also for no nights, so a page's query count does not depend on its data)."""
    rows = session.exec(
        select(RoundShift.shift_id, BookingRound)
        .join(BookingRound, col(BookingRound.id) == RoundShift.round_id)
        .where(BookingRound.status == RoundStatus.OPEN, col(RoundShift.shift_id).in_(shift_ids))
    ).all()
    return {shift_id: found for shift_id, found in rows}
