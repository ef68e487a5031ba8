"""What the pages show: a group's log and walkers' states, and the groups out right now."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..accounts.models import User
from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking, BookingStatus
from ..planning.models import PatrolArea, Shift, ShiftStatus
from . import rules
from .models import CheckEvent, CheckKind


@dataclass(frozen=True)
class LogLine:
    event: CheckEvent
    walker: str  # "" once erased
    recorded_by: str  # the leader who checked the walker, "" when they did it themselves


def log_of(session: Session, booking_id: int) -> list[LogLine]:
    """The sign-in log of one group, in time order (one query)."""
    walker, recorder = aliased(User), aliased(User)
    rows = session.exec(
        select(CheckEvent, walker.name, recorder.name)
        .outerjoin(walker, col(walker.id) == CheckEvent.user_id)
        .outerjoin(recorder, col(recorder.id) == CheckEvent.recorded_by_id)
        .where(CheckEvent.booking_id == booking_id)
        .order_by(col(CheckEvent.at), col(CheckEvent.id))
    ).all()
    return [
        LogLine(event, name or "", by or "" if event.recorded_by_id != event.user_id else "")
        for event, name, by in rows
    ]


@dataclass(frozen=True)
class WalkerTimes:
    """One walker's evening from the log: their first check-in and last check-out."""

    user_id: int
    checked_in: bool  # checked in now
    first_in: datetime | None
    last_out: datetime | None


def times_by_walker(session: Session, booking_id: int) -> dict[int, WalkerTimes]:
    return times_by_booking(session, [booking_id]).get(booking_id, {})


def times_by_booking(session: Session, booking_ids: list[int]) -> dict[int, dict[int, WalkerTimes]]:
    """Each walker's times per booking, for any number of bookings (one query)."""
    if not booking_ids:
        return {}
    events: dict[tuple[int, int], list[tuple[str, datetime]]] = {}
    for event in session.exec(
        select(CheckEvent)
        .where(col(CheckEvent.booking_id).in_(booking_ids))
        .order_by(col(CheckEvent.booking_id), col(CheckEvent.user_id), col(CheckEvent.seq))
    ).all():
        if event.user_id is not None:
            events.setdefault((event.booking_id, event.user_id), []).append((event.kind, event.at))
    found: dict[int, dict[int, WalkerTimes]] = {}
    for (booking_id, user_id), history in events.items():
        pairs = rules.intervals(history)
        if not pairs:
            continue
        found.setdefault(booking_id, {})[user_id] = WalkerTimes(
            user_id=user_id,
            checked_in=pairs[-1][1] is None,
            first_in=pairs[0][0],
            last_out=pairs[-1][1],
        )
    return found


def group_walkers(session: Session, booking_id: int) -> list[tuple[Assignment, User]]:
    return list(
        session.exec(
            select(Assignment, User)
            .join(User, col(User.id) == Assignment.user_id)
            .where(
                Assignment.booking_id == booking_id,
                Assignment.status != AssignmentStatus.DECLINED,
            )
            .order_by(col(User.name), col(Assignment.id))
        ).all()
    )


def checkable_walks(
    session: Session, user_id: int, now: datetime
) -> list[tuple[Assignment, Shift, str]]:
    """The user's live walks whose check-out window holds ``now``, with the area's name."""
    return list(
        session.exec(
            _checkable(),
            params={
                "user_id": user_id,
                "opens_by": now + rules.CHECK_IN_OPENS,
                "closes_after": now - rules.CHECK_OUT_CLOSES,
            },
        ).all()
    )


@functools.cache
def _checkable() -> Any:
    """The statement of ``checkable_walks``, built once (the personal page runs it on every
    view)."""
    return (
        select(Assignment, Shift, PatrolArea.name)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(
            col(Assignment.user_id) == bindparam("user_id"),
            Assignment.status != AssignmentStatus.DECLINED,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            col(Shift.start_at) <= bindparam("opens_by"),
            col(Shift.end_at) >= bindparam("closes_after"),
        )
        .order_by(col(Shift.start_at), col(Assignment.id))
    )


def latest_events(session: Session, user_id: int, booking_ids: list[int]) -> dict[int, CheckEvent]:
    """The user's latest event per booking (one query)."""
    if not booking_ids:
        return {}
    found: dict[int, CheckEvent] = {}
    for event in session.exec(
        select(CheckEvent)
        .where(CheckEvent.user_id == user_id, col(CheckEvent.booking_id).in_(booking_ids))
        .order_by(col(CheckEvent.seq))
    ).all():
        found[event.booking_id] = event
    return found


@dataclass(frozen=True)
class GroupOut:
    booking_id: int
    shift: Shift
    area: str
    association: str
    walkers: int  # checked in now
    since: datetime  # the group's first check-in


def live_bookings(
    session: Session, municipality_ids: set[int], now: datetime
) -> list[tuple[Booking, Shift, str, str]]:
    """Active bookings whose walk could have someone checked in at ``now``."""
    if not municipality_ids:
        return []
    return list(
        session.exec(
            select(Booking, Shift, PatrolArea.name, Association.name)
            .join(Shift, col(Shift.id) == Booking.shift_id)
            .join(PatrolArea, col(PatrolArea.id) == Shift.area_id)
            .join(Association, col(Association.id) == Booking.association_id)
            .where(
                col(Shift.municipality_id).in_(municipality_ids),
                Booking.status == BookingStatus.ACTIVE,
                Shift.status != ShiftStatus.CANCELLED,
                Shift.start_at <= now + rules.CHECK_IN_OPENS,
                Shift.end_at >= now - rules.CHECK_OUT_CLOSES,
            )
            .order_by(col(Shift.start_at), col(Booking.id))
        ).all()
    )


def out_now(session: Session, municipality_ids: set[int], now: datetime) -> list[GroupOut]:
    """The groups with at least one walker checked in right now (two queries)."""
    groups = []
    live = live_bookings(session, municipality_ids, now)
    by_booking = times_by_booking(session, [booking.id for booking, *_ in live])  # type: ignore[misc]
    for booking, shift, area, association in live:
        times = by_booking.get(booking.id, {})  # type: ignore[arg-type]
        inside = [t for t in times.values() if t.checked_in]
        if not inside:
            continue
        since = min(t.first_in for t in times.values() if t.first_in is not None)
        groups.append(
            GroupOut(booking.id, shift, area, association, len(inside), since)  # type: ignore[arg-type]
        )
    return groups


def started_without_check_in(
    session: Session, municipality_ids: set[int], now: datetime
) -> list[tuple[Booking, Shift, str, str]]:
    """Walks under way where nobody of the group has checked in."""
    return [
        (booking, shift, area, association)
        for booking, shift, area, association in live_bookings(session, municipality_ids, now)
        if shift.start_at <= now <= shift.end_at
        and session.exec(
            select(CheckEvent.id).where(CheckEvent.booking_id == booking.id).limit(1)
        ).first()
        is None
    ]


__all__ = ["CheckKind", "GroupOut", "LogLine", "WalkerTimes"]
