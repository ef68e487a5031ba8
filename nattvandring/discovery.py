"""Finds each domain package's optional modules (views, models, tasks, demo).

Areas plug in by file name, not by editing a central list: a package with ``views.py``
exposes ``bp``; with ``models.py`` defines tables; with ``tasks.py`` exposes ``JOBS``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from functools import cache
from types import ModuleType

import nattvandring

# Registered first so that "/" and the shell's endpoints exist before area blueprints.
FIRST = ("web", "accounts")


@cache
def area_packages() -> tuple[str, ...]:
    names = [
        info.name
        for info in pkgutil.iter_modules(nattvandring.__path__)
        if info.ispkg and info.name not in {"translations", "demo"}
    ]
    ordered = [name for name in FIRST if name in names]
    ordered += sorted(name for name in names if name not in FIRST)
    return tuple(ordered)


def area_modules(module_name: str) -> list[ModuleType]:
    """Import ``nattvandring.<area>.<module_name>`` for every area that has one."""
    found = []
    for area in area_packages():
        dotted = f"nattvandring.{area}.{module_name}"
        if importlib.util.find_spec(dotted) is not None:
            found.append(importlib.import_module(dotted))
    return found
