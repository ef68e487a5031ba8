"""End-to-end fixtures: one served app and one Chromium for this package.

Package scope, not session: the served processes stop as soon as the last e2e test is done.
On PostgreSQL the rest of the suite shares the database, and a worker still running would
claim other tests' outbox rows (and trip over their dropped tables).

Without a browser the tests skip with the reason, except in CI (``CI=true``), where that is
a failure: CI installs Debian's chromium (see .ci/run). The journeys run in file order and
hand each other what they made through ``story``.

The HTTPS journeys in ``https/`` deploy the app themselves (production mode, nginx or
gunicorn TLS; see deployed.py). In one process they run before the others, while ``served``
is not running; ``make test`` runs them on the other xdist worker, which has a database of
its own (tests/support/scheduling.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests.support import pages_checked

from .browser import browser_tests_required, find_chromium, launch
from .checks import PHONE, SCREENSHOTS, PageChecks, screenshot
from .deployed import Deployed
from .keyboard import Keyboard
from .served import Served, serve
from .story import Story

HERE = Path(__file__).parent
DEPLOYED = HERE / "https"
DESKTOP = {"width": 1280, "height": 900}
STARTED = time.time()  # when this process's run began (it imports this file as it collects)


def pytest_collection_modifyitems(config, items):
    positions = [n for n, item in enumerate(items) if HERE in Path(str(item.path)).parents]
    for n in positions:
        items[n].add_marker(pytest.mark.e2e)
    # The HTTPS journeys (tests/e2e/https) first: each deployment rebuilds this process's
    # database, which on PostgreSQL is the one `served` uses until the package ends.
    journeys = [items[n] for n in positions]
    deployed = [item for item in journeys if DEPLOYED in Path(str(item.path)).parents]
    ordered = deployed + [item for item in journeys if item not in deployed]
    for n, item in zip(positions, ordered, strict=True):
        items[n] = item


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A journey whose steps passed fails when a page it visited failed a check."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call":
        return
    people = item.funcargs.get("people")
    problems = people.problems() if isinstance(people, People) else []
    if problems and report.passed:
        report.outcome = "failed"
        report.longrepr = f"{len(problems)} accessibility or layout problems:\n" + "\n".join(
            problems
        )
    elif problems:
        report.sections.append(
            ("accessibility and layout (before the failure)", "\n".join(problems))
        )
    item.e2e_failed = report.failed


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        reason = (
            "no Chromium found (install Debian's chromium and chromium-l10n, or set "
            "NATTVANDRING_E2E_CHROMIUM)"
        )
        if browser_tests_required():
            pytest.fail(f"make test and CI need the browser tests: {reason}")
        pytest.skip(reason)
    # Failure screenshots of an earlier run go; another xdist worker's of this run stay (and
    # that worker may be removing the same old files at the same moment).
    for stale in SCREENSHOTS.glob("failed-*.png"):
        with suppress(FileNotFoundError):
            if stale.stat().st_mtime < STARTED:
                stale.unlink()
    with sync_playwright() as playwright:
        started = launch(playwright, executable)
        yield started
        started.close()


@pytest.fixture(scope="package")
def served(tmp_path_factory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("e2e")) as app:
        yield app


@pytest.fixture(scope="package")
def story() -> Story:
    return Story()


class People:
    """Opens a fresh browser (context) per person: their own cookies, screen and checks."""

    def __init__(
        self, browser: Browser, served: Served | Deployed, **context_options: object
    ) -> None:
        self.browser = browser
        self.served = served
        self.context_options = context_options  # e.g. ignore_https_errors for a test cert
        self.opened: list[tuple[BrowserContext, Keyboard]] = []

    def _open(self, viewport: dict[str, int], *, mobile: bool) -> Keyboard:
        context = self.browser.new_context(
            viewport=viewport,
            device_scale_factor=2 if mobile else 1,
            is_mobile=mobile,
            has_touch=mobile,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            accept_downloads=True,
            **self.context_options,
        )
        context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=self.served.base_url
        )
        context.set_default_timeout(15_000)
        keys = Keyboard(context.new_page(), PageChecks())
        self.opened.append((context, keys))
        return keys

    def phone(self) -> Keyboard:
        """390 × 844, as an iPhone 12-14."""
        return self._open(PHONE, mobile=True)

    def desktop(self) -> Keyboard:
        return self._open(DESKTOP, mobile=False)

    def problems(self) -> list[str]:
        return [str(finding) for _context, keys in self.opened for finding in keys.checks.findings]

    def pages_checked(self) -> int:
        return sum(len(keys.checks.visited) for _context, keys in self.opened)

    def close(self, name: str, failed: bool) -> None:
        for index, (context, keys) in enumerate(self.opened):
            if failed and not keys.page.is_closed():
                screenshot(keys.page, f"failed-{name}-{index}")
            context.close()


@pytest.fixture
def people(request, browser: Browser, served: Served) -> Iterator[People]:
    opened = People(browser, served)
    yield opened
    pages_checked.add(opened.pages_checked())
    opened.close(request.node.name, getattr(request.node, "e2e_failed", True))
