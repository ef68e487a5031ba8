"""Read models of booking rounds: the published result and the rounds due for a draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ..associations.models import Association
from ..planning.models import PatrolArea, Shift
from .models import BookingRound, RoundPick, RoundStatus


@dataclass
class Published:
    """What the round's page shows so that anyone can check the draw."""

    found: BookingRound
    order: list[tuple[int, str]]  # (association id, name) in draw order
    picks: list[tuple[RoundPick, str, Shift, str]]  # pick, association, shift, area


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
    return Published(found, order, [tuple(row) for row in picks])  # type: ignore[misc]


def due_rounds(session: Session, now: datetime) -> list[int]:
    found = session.exec(
        select(col(BookingRound.id)).where(
            BookingRound.status == RoundStatus.OPEN, BookingRound.deadline <= now
        )
    )
    return [round_id for round_id in found if round_id is not None]
