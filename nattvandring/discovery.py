"""Finds each domain package's optional modules by file name.

Areas plug in by file name, not by editing a central list: ``blueprint.py`` defines ``bp``
and every ``views.py`` / ``views_*.py`` beside it adds routes to it; ``models.py`` defines
tables; ``policy.py`` registers authorization rules; ``subscribers.py`` reacts to events;
``tasks.py`` exposes ``JOBS``; ``demo_data.py`` is a step of ``nattvandring demo``.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from functools import cache
from types import ModuleType

from flask import Blueprint

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


@cache
def area_blueprints() -> tuple[Blueprint, ...]:
    """Every area's ``blueprint.bp``, after importing the area's view modules (their routes).

    Looked up once per process: the files do not change while it runs, and every app the
    process builds (each test builds its own) registers the same blueprints."""
    found = []
    for area in area_packages():
        dotted = f"nattvandring.{area}.blueprint"
        if importlib.util.find_spec(dotted) is None:
            continue
        blueprint = importlib.import_module(dotted)
        package = importlib.import_module(f"nattvandring.{area}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name == "views" or info.name.startswith("views_"):
                importlib.import_module(f"nattvandring.{area}.{info.name}")
        found.append(blueprint.bp)
    return tuple(found)
