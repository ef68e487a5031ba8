"""The test suite's pytest plugin: the database per test, the shared fixtures and settings.

Registered by tests/conftest.py. Set NATTVANDRING_TEST_DATABASE_URL=postgresql://... to run
the whole suite on PostgreSQL; tests marked ``postgres`` run only then. Under pytest-xdist
every worker has a database of its own (tests/support/database.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import argon2
import pytest
from hypothesis import settings as hypothesis_settings

from nattvandring import clock, passwords
from nattvandring.app import create_app
from nattvandring.db import get_engine, session_scope
from tests.support import (
    database,
    demo,
    pages_checked,
    scheduling,
    template_code,
    url_builders,
    world_snapshot,
)
from tests.support.database import app_settings, make_test_app

os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost,::1")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost,::1")

url_builders.install()
template_code.install()

# Hundreds of logins: at argon2's defaults each would spend a tenth of a second hashing. The
# servers and workers the slow tests and the journeys start use the defaults.
passwords.use_parameters(argon2.profiles.CHEAPEST)

# Example runs slow down with the machine's load and with xdist's parallel workers: a deadline
# would turn that into failures. The example database is hypothesis' default directory
# (.hypothesis/), which several processes may share.
hypothesis_settings.register_profile("nattvandring", deadline=None)
hypothesis_settings.load_profile("nattvandring")


def pytest_configure(config):
    database.ensure_postgres_database()


def pytest_collection_modifyitems(config, items):
    if database.PG_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set NATTVANDRING_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller prints the sum
        workeroutput[pages_checked.KEY] = pages_checked.here()
    # The workers end before the controller, which drops the demo's template.
    demo.drop_postgres(template=workeroutput is None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup``: the browser journeys on one worker (tests/support/scheduling.py)."""
    if config.getvalue("dist") == "loadgroup":
        return scheduling.PathGroupScheduling(config, log)
    return None


def pytest_testnodedown(node, error):
    pages_checked.add(getattr(node, "workeroutput", {}).get(pages_checked.KEY, 0))


def pytest_terminal_summary(terminalreporter):
    if pages_checked.here():
        terminalreporter.write_line(
            f"e2e: {pages_checked.here()} page views checked with axe-core, at 390 px and for "
            "error messages tied to their fields"
        )


def pytest_report_header(config):
    if database.BASE_URL:
        return f"database: PostgreSQL {database.BASE_URL} (a database per xdist worker)"
    return "database: SQLite (a copy of the schema template per test)"


@pytest.fixture(autouse=True)
def _no_outside_network(network_guard):
    yield


@pytest.fixture(autouse=True)
def _unfrozen_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path)
    yield app
    database.release(app)


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF protection on, as in production."""
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=True)
    yield app
    database.release(app)


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory) -> demo.DemoSnapshot:
    """The demo, loaded once per run at DEMO_AT, copied per test (tests/support/demo.py)."""
    return demo.DemoSnapshot(demo.run_dir(tmp_path_factory))


@pytest.fixture
def demo_app(tmp_path, demo_snapshot):
    """An app on a copy of the demo (on the test database's backend), the clock at DEMO_AT.

    A module whose tests start from the demo makes this its ``app`` fixture, and with it
    ``db`` and ``client``."""
    copy = demo_snapshot.copy(tmp_path)
    app = create_app(app_settings(tmp_path, DATABASE_URL=copy.url))
    clock.freeze(demo.DEMO_AT)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session for arranging and inspecting data.

    Its transactions begin deferred, so reading never blocks the app's writers; commit (or
    roll back) before using the client so that rows are visible and the next read is fresh.
    """
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        yield session


@pytest.fixture
def world(app):
    """Two municipalities with a coordinator, two associations each, leaders and volunteers."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        built = world_snapshot.world_in(session)
    return built
