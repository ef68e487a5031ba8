"""Shared column helpers for SQLModel tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlmodel import Field

from .clock import utcnow


def created_at_field() -> datetime:
    return Field(default_factory=utcnow, nullable=False)


def updated_at_field() -> datetime:
    """The row's last change: set on insert and by every ORM or Core UPDATE of the row.

    Calendars fold it into ETag, Last-Modified and each event's LAST-MODIFIED, so an edit
    of joined text (an area's meeting point, a leader's phone) is seen by every client.
    """
    return Field(default_factory=utcnow, nullable=False, sa_column_kwargs={"onupdate": utcnow})


def fk(
    target: str,
    *,
    nullable: bool = False,
    index: bool = True,
    ondelete: Literal["CASCADE", "SET NULL", "RESTRICT"] | None = None,
) -> Any:
    """A foreign key column; ``ondelete`` is passed to the database constraint."""
    default = None if nullable else ...
    if ondelete is None:
        return Field(default=default, foreign_key=target, nullable=nullable, index=index)
    return Field(
        default=default, foreign_key=target, nullable=nullable, index=index, ondelete=ondelete
    )
