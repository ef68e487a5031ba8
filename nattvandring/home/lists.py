"""Shared by the role modules: a list cut to what a home page shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

#: At most this many rows of one kind on a home page; the rest are behind "Visa alla".
SHOWN = 5

T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The rows a home list shows, and whether there are more than that."""

    rows: list[T] = field(default_factory=list)
    more: bool = False

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def shown(rows: Sequence[T], limit: int = SHOWN) -> Shown[T]:
    """``rows`` fetched with ``limit + 1`` (or all of them): the first ``limit`` and a flag."""
    return Shown(list(rows[:limit]), len(rows) > limit)
