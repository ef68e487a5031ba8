"""Navigation entries contributed by each area's views module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy translated string
    visible: Callable[[Any], bool]
    order: int


_items: list[NavItem] = []


def register(endpoint: str, label: Any, visible: Callable[[Any], bool], order: int = 50) -> None:
    if any(item.endpoint == endpoint for item in _items):
        return
    _items.append(NavItem(endpoint, label, visible, order))
    _items.sort(key=lambda item: (item.order, item.endpoint))


def items_for_current_user() -> list[tuple[str, str]]:
    # The identity itself, not the proxy: every attribute read through ``current_user``
    # goes through Flask-Login's lookup again, and the predicates read several each.
    user = current_user._get_current_object()
    if not getattr(user, "is_authenticated", False):
        return []
    return [(item.endpoint, str(item.label)) for item in _items if item.visible(user)]
