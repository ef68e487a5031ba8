"""Coverage overview: per area and ISO week, and the shifts that need attention soon."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from ..booking.rules import FILL_BELOW_MINIMUM, FILL_OK, FILL_OPEN
from ..clock import to_local, utcnow
from .models import PatrolArea
from .month import ShiftRow, load_shift_rows, local_day_bounds

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
ATTENTION_DAYS = 7


@dataclass
class Cell:
    booked: int = 0
    open: int = 0
    below_minimum: int = 0

    @property
    def total(self) -> int:
        return self.booked + self.open


@dataclass
class Coverage:
    weeks: list[tuple[int, int, date]]  # (ISO year, ISO week, Monday)
    areas: list[PatrolArea]
    cells: dict[tuple[int, tuple[int, int]], Cell] = field(default_factory=dict)
    attention: list[ShiftRow] = field(default_factory=list)

    def cell(self, area_id: int, week: tuple[int, int]) -> Cell:
        return self.cells.get((area_id, week), Cell())


def count_into(cell: Cell, state: str) -> None:
    if state == FILL_OPEN:
        cell.open += 1
    elif state in (FILL_OK, FILL_BELOW_MINIMUM):
        cell.booked += 1
        if state == FILL_BELOW_MINIMUM:
            cell.below_minimum += 1


def coverage(
    session: Session, *, municipality_id: int, areas: list[PatrolArea], weeks: int = DEFAULT_WEEKS
) -> Coverage:
    """Counts for the current ISO week and the following ``weeks - 1`` (cancelled left out)."""
    weeks = max(1, min(weeks, MAX_WEEKS))
    now = utcnow()
    today = to_local(now).date()
    monday = today - timedelta(days=today.weekday())
    week_list = []
    for n in range(weeks):
        start = monday + timedelta(weeks=n)
        iso = start.isocalendar()
        week_list.append((iso.year, iso.week, start))
    start_utc, end_utc = local_day_bounds(monday, monday + timedelta(weeks=weeks, days=-1))
    horizon = now + timedelta(days=ATTENTION_DAYS)
    rows = load_shift_rows(
        session,
        municipality_id=municipality_id,
        start=start_utc,
        end=max(end_utc, horizon),
        include_cancelled=False,
    )
    result = Coverage(weeks=week_list, areas=areas)
    for row in rows:
        iso = row.local_day.isocalendar()
        key = (row.shift.area_id, (iso.year, iso.week))
        cell = result.cells.setdefault(key, Cell())
        state = row.fill_state
        count_into(cell, state)
        if now <= row.shift.start_at < horizon and state in (FILL_OPEN, FILL_BELOW_MINIMUM):
            result.attention.append(row)
    return result
