"""How many page views the browser journeys checked with axe-core, summed over xdist workers.

A worker hands its count to the controller in ``workeroutput``; the controller prints the
total (tests/support/plugin.py).
"""

from __future__ import annotations

_count = {"pages": 0}
KEY = "e2e_pages_checked"


def add(pages: int) -> None:
    _count["pages"] += pages


def here() -> int:
    return _count["pages"]
