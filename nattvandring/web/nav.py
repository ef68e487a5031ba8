"""Navigation entries contributed by each area's views module."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any  # a lazy translated string
    visible: Callable[[Any], bool]
    order: int


_items: list[NavItem] = []
#: Menus kept per process: one per combination of memberships, language and mount point.
MENUS_KEPT = 4096


def register(endpoint: str, label: Any, visible: Callable[[Any], bool], order: int = 50) -> None:
    """Show ``endpoint`` (a page without URL arguments) in the menu of those for whom
    ``visible(identity)`` holds, a predicate of the identity's memberships alone."""
    if any(item.endpoint == endpoint for item in _items):
        return
    _items.append(NavItem(endpoint, label, visible, order))
    _items.sort(key=lambda item: (item.order, item.endpoint))


def items_for_current_user() -> tuple[tuple[str, str, str], ...]:
    """The signed-in person's menu as (endpoint, URL, label).

    The same for everyone with the same memberships in the same language, and asked for on
    every page, so it is made once per process for each such combination: every predicate
    reads the identity's memberships and nothing else."""
    # The identity itself, not the proxy: every attribute read through ``current_user``
    # goes through Flask-Login's lookup again.
    user = current_user._get_current_object()
    if not getattr(user, "is_authenticated", False):
        return ()
    key = (user.memberships_key, str(get_locale()), request.script_root)
    menus: dict[Any, tuple[tuple[str, str, str], ...]] = current_app.extensions.setdefault(
        "navigation_menus", {}
    )
    menu = menus.get(key)
    if menu is None:
        menu = tuple(
            (item.endpoint, url_for(item.endpoint), str(item.label))
            for item in _items
            if item.visible(user)
        )
        if len(menus) >= MENUS_KEPT:
            menus.clear()
        menus[key] = menu
    return menu
