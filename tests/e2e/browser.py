"""Finding and starting Chromium for the end-to-end tests (Playwright's own download is not
used: CI installs Debian's ``chromium`` and ``chromium-l10n``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Browser, Playwright

CANDIDATES = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
)
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Headless, as root in a container, and quiet: no updates, sync or other background traffic.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Belt and braces beside the network guard: the browser resolves no host but loopback.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def find_chromium() -> str | None:
    """NATTVANDRING_E2E_CHROMIUM, else a Chromium or Chrome on the usual paths or the PATH."""
    chosen = os.environ.get("NATTVANDRING_E2E_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    for path in CANDIDATES:
        if Path(path).is_file():
            return path
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def launch(playwright: Playwright, executable: str) -> Browser:
    """Chromium with a Swedish UI, as our users have: date and time fields in 24-hour
    ``åååå-mm-dd`` and ``tt:mm`` (on Debian this needs the chromium-l10n package).

    LANGUAGE picks the UI language; LANG stays C.UTF-8, which every Debian has, because
    with a locale that is not installed Chromium cannot name downloads with å, ä or ö."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NATTVANDRING_")}
    env.update(LANG="C.UTF-8", LANGUAGE="sv", TZ="Europe/Stockholm")
    return playwright.chromium.launch(executable_path=executable, args=ARGS, env=env)


def browser_tests_required() -> bool:
    """``make test`` and CI run every browser test: a missing browser or journey fails.

    Only a bare ``pytest`` outside CI skips them (a journey run alone, no browser here)."""
    required = (os.environ.get(name, "").lower() for name in ("NATTVANDRING_E2E_REQUIRED", "CI"))
    return any(value in {"1", "true", "yes"} for value in required)
