"""Reuse Werkzeug's compiled URL builders across the apps that the tests create.

Every test builds its own app, and most of ``create_app``'s time (0.15-0.2 s of ~0.2 s) goes
to Werkzeug compiling two URL-builder functions for each of the ~640 rules (``ast`` plus
``compile``). The generated code depends only on the rule's parts, its defaults already
converted to URL text, and ``append_unknown``; it reaches the rule's converters through
``self`` when called, so one compiled function serves every app's copy of the rule. Routing
itself is untouched: each app still binds, matches and builds with its own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing.rules import Rule

_compiled: dict[tuple[Any, ...], Callable[..., tuple[str, str]]] = {}


def _key(rule: Rule, append_unknown: bool) -> tuple[Any, ...]:
    defaults = rule.defaults or {}
    parts = tuple(
        (is_dynamic, data, rule._converters[data].to_url(defaults[data]))
        if is_dynamic and data in defaults
        else (is_dynamic, data)
        for is_dynamic, data in rule._trace
    )
    return (append_unknown, parts)


def install() -> None:
    """Wrap ``Rule._compile_builder`` with the cache (once; a no-op if Werkzeug changed)."""
    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "cached_for_tests", False):
        return

    def _compile_builder(self: Rule, append_unknown: bool = True):  # type: ignore[no-untyped-def]
        key = _key(self, append_unknown)
        function = _compiled.get(key)
        if function is None:
            function = _compiled[key] = original(self, append_unknown)
        return function

    _compile_builder.cached_for_tests = True  # type: ignore[attr-defined]
    Rule._compile_builder = _compile_builder  # type: ignore[method-assign]
