"""Each night exists once: at most one live shift per patrol area and start instant.

The database promises it (the partial unique index ``uq_shift_area_start_active``); these
helpers make the promise pleasant. Creators first lock the municipality row, so on PostgreSQL
two identical "Planera säsong" posts queue up and the second one sees the nights the first
one committed (READ COMMITTED takes a fresh snapshot per statement) and skips them. On SQLite
the request's ``BEGIN IMMEDIATE`` already serializes writers. Should a writer ever slip past
the lock (a shift moved onto a night another request just created), the index refuses the
row and ``flush_nights`` turns that into a clear ``RuleViolation`` instead of a 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import RuleViolation
from ..i18n import _l
from ..municipalities.models import Municipality
from .models import Shift, ShiftStatus

UNIQUE_INDEX = "uq_shift_area_start_active"


def lock_planning(session: Session, municipality_id: int) -> None:
    """Serialize the creation of nights in one municipality (FOR UPDATE; no-op on SQLite)."""
    session.exec(
        select(Municipality.id).where(Municipality.id == municipality_id).with_for_update()
    ).all()


def taken_nights(
    session: Session, area_ids: Iterable[int], starts: Iterable[datetime]
) -> dict[tuple[int, datetime], Shift]:
    """The live shifts among ``area_ids`` × ``starts``, keyed by (area, start) (one query)."""
    areas, instants = sorted(set(area_ids)), sorted(set(starts))
    if not areas or not instants:
        return {}
    rows = session.exec(
        select(Shift).where(
            col(Shift.area_id).in_(areas),
            Shift.start_at >= instants[0],
            Shift.start_at <= instants[-1],
            Shift.status != ShiftStatus.CANCELLED,
        )
    )
    wanted = set(instants)
    return {(s.area_id, s.start_at): s for s in rows if s.start_at in wanted}


def night_taken_violation() -> RuleViolation:
    return RuleViolation(
        "night_exists",
        _l(
            "Det finns redan ett pass i området som börjar samma tid. "
            "Varje kväll finns bara en gång; ladda om sidan och se efter."
        ),
    )


def check_night_free(
    session: Session, *, area_id: int, start: datetime, shift_id: int | None
) -> None:
    """Refuse moving a shift onto a night that another live shift of the area holds."""
    other = session.exec(
        select(Shift.id).where(
            Shift.area_id == area_id,
            Shift.start_at == start,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.id != shift_id,
        )
    ).first()
    if other is not None:
        raise night_taken_violation()


def flush_nights(session: Session) -> None:
    """Flush new or moved shifts; a night that exists already becomes ``night_exists``.

    The flush runs in a savepoint so that SQLite and PostgreSQL leave the transaction usable
    for the rollback the edge does on a refused request.
    """
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        if UNIQUE_INDEX in str(exc.orig) or "shift.area_id, shift.start_at" in str(exc.orig):
            raise night_taken_violation() from exc
        raise
