"""The import preview's rows, and the warnings a leader needs before importing.

A row can be fine to import and still not be someone who can walk: a member born 2010 may
join the association, but no patrol area of the municipality lets a 16-year-old walk. The
preview says so next to the row (``warning``), against the lowest minimum age of the
municipality's active patrol areas (the age reached this year, as the booking rules count
it). Whether a member is busy on a night is a question about that night: the group picker
answers it (``booking.candidates``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from ..associations.models import Association
from ..clock import to_local, utcnow
from ..i18n import _l
from ..planning.models import PatrolArea
from .services import CleanMember


@dataclass
class PreviewRow:
    line: int
    name: str
    phone: str
    email: str
    birth_year: str
    # "new"; "ask" (a known person, who is asked to join); "member" (already one); "asked"
    # (asked before); "duplicate"; "error"
    status: str
    message: str = ""
    clean: CleanMember | None = None
    # Importable, but worth knowing first (too young to walk).
    warning: str = ""


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def valid(self) -> list[PreviewRow]:
        return [r for r in self.rows if r.status in ("new", "ask")]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def warned(self) -> int:
        return sum(1 for r in self.valid if r.warning)


def lowest_min_age(session: Session, association_id: int) -> int:
    """The lowest minimum age of the association's municipality's active areas (0: none)."""
    found = session.exec(
        select(func.min(PatrolArea.min_age))
        .join(Association, col(Association.municipality_id) == PatrolArea.municipality_id)
        .where(Association.id == association_id, col(PatrolArea.active).is_(True))
    ).one()
    return int(found or 0)


def age_warning(birth_year: int | None, *, year: int, min_age: int) -> str:
    """The warning for a member born ``birth_year`` in ``year`` ('' when none is due)."""
    if min_age <= 0 or birth_year is None:
        return ""
    age = year - birth_year
    if age >= min_age:
        return ""
    return str(
        _l(
            "Fyller %(age)s i år: för ung för att gå pass (minst %(min)s år). Kan gå från "
            "%(year)s.",
            age=age,
            min=min_age,
            year=birth_year + min_age,
        )
    )


def warn_about_age(session: Session, preview: Preview, association_id: int) -> None:
    """Set ``warning`` on every importable row of a member too young to walk this year."""
    rows = [row for row in preview.valid if row.clean is not None]
    if not rows:
        return
    min_age = lowest_min_age(session, association_id)
    year = to_local(utcnow()).year
    for row in rows:
        row.warning = age_warning(row.clean.birth_year, year=year, min_age=min_age)  # type: ignore[union-attr]
