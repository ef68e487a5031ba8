"""Shared fixtures: an app per test on SQLite (default) or PostgreSQL, clients and factories.

Set NATTVANDRING_TEST_DATABASE_URL=postgresql://... to run the whole suite on PostgreSQL;
tests marked ``postgres`` run only then. No test may reach a non-local host.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from nattvandring import clock
from nattvandring.app import create_app
from nattvandring.db import get_engine, session_scope

pytest_plugins = ["tests.support.network_guard", "tests.support.fake_twilio"]

PG_URL = os.environ.get("NATTVANDRING_TEST_DATABASE_URL", "")
os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost,::1")
os.environ.setdefault("no_proxy", "127.0.0.1,localhost,::1")


def pytest_collection_modifyitems(config, items):
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set NATTVANDRING_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite (per-test file)'}"


@pytest.fixture(autouse=True)
def _no_outside_network(network_guard):
    yield


@pytest.fixture(autouse=True)
def _unfrozen_clock() -> Iterator[None]:
    yield
    clock.freeze(None)


_pg_schema_ready = False


def _reset_postgres(engine) -> None:
    global _pg_schema_ready
    if not _pg_schema_ready:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        SQLModel.metadata.create_all(engine)
        _pg_schema_ready = True
        return
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def make_test_app(tmp_path, **overrides):
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-000",
        "DATABASE_URL": PG_URL or f"sqlite:///{tmp_path / 'test.sqlite3'}",
        "WTF_CSRF_ENABLED": False,
        "PUBLIC_BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    settings.update(overrides)
    app = create_app(settings)
    engine = get_engine(app)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    else:
        SQLModel.metadata.create_all(engine)
    return app


@pytest.fixture
def app(tmp_path):
    app = make_test_app(tmp_path)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF protection on, as in production."""
    app = make_test_app(tmp_path, WTF_CSRF_ENABLED=True)
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
    from tests.factories import build_world

    with app.app_context(), session_scope(get_engine(app)) as session:
        built = build_world(session)
    return built
