"""The suite's fixtures and hooks live in the plugin tests/support/plugin.py, registered here.

No test may reach a non-local host (tests/support/network_guard.py).
"""

from __future__ import annotations

pytest_plugins = [
    "tests.support.plugin",
    "tests.support.network_guard",
    "tests.support.fake_twilio",
]
