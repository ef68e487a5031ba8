"""Fixtures for the HTTPS journeys: one demo database and certificate for the package, and
the app deployed on them twice, TLS ending at nginx and then at gunicorn (see deployed.py).

Both deployments share the database (the demo takes a while to load); each journey works
with its own association, so neither depends on what the other did.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from ..browser import browser_tests_required
from ..conftest import People
from ..deployed import (
    Certificate,
    DemoDatabase,
    Deployed,
    demo_database,
    deploy,
    find_nginx,
    self_signed_certificate,
)


@pytest.fixture(scope="package")
def certificate(tmp_path_factory) -> Certificate:
    return self_signed_certificate(tmp_path_factory.mktemp("certificate"))


@pytest.fixture(scope="package")
def demo(tmp_path_factory) -> Iterator[DemoDatabase]:
    with demo_database(tmp_path_factory.mktemp("deployed-db")) as database:
        yield database


def _nginx() -> str:
    found = find_nginx()
    if found is None:
        reason = "no nginx found (install Debian's nginx, or set NATTVANDRING_E2E_NGINX)"
        if browser_tests_required():
            pytest.fail(f"make test and CI need the HTTPS journeys: {reason}")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module", params=["nginx", "gunicorn"], ids=["nginx", "gunicorn-tls"])
def deployed(request, tmp_path_factory, browser, demo, certificate) -> Iterator[Deployed]:
    """The app over HTTPS, TLS ending at nginx (PROXY_FIX_HOPS=1) or at gunicorn itself.

    Asks for the browser first, so that a missing browser skips (or fails) before anything
    is started."""
    nginx = _nginx() if request.param == "nginx" else None
    workdir = tmp_path_factory.mktemp(f"deployed-{request.param}")
    with deploy(workdir, demo, certificate, tls=request.param, nginx=nginx) as app:
        yield app


@pytest.fixture
def people(request, browser: Browser, deployed: Deployed) -> Iterator[People]:
    """As the journeys' ``people``, with browsers that accept the test's own certificate."""
    opened = People(browser, deployed, ignore_https_errors=True)
    yield opened
    opened.close(request.node.name, getattr(request.node, "e2e_failed", True))
