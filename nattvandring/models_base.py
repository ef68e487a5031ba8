"""Shared column helpers for SQLModel tables."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from .clock import utcnow


def created_at_field() -> datetime:
    return Field(default_factory=utcnow, nullable=False)


def fk(target: str, *, nullable: bool = False, index: bool = True, ondelete: str | None = None):
    """A foreign key column; ``ondelete`` is passed to the database constraint."""
    return Field(
        default=None if nullable else ...,
        foreign_key=target,
        nullable=nullable,
        index=index,
        ondelete=ondelete,
    )
