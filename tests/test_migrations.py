"""Migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from nattvandring import migrate
from nattvandring.db import make_engine
from nattvandring.models import metadata
from tests import conftest


def _drift(engine) -> list:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, metadata)


def _assert_upgrade_from_empty(engine) -> None:  # type: ignore[no-untyped-def]
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    tables = set(inspect(engine).get_table_names())
    assert {table.name for table in metadata.sorted_tables} <= tables
    assert _drift(engine) == []


def test_sqlite_upgrade_from_empty_has_no_drift(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    assert not migrate.is_current(engine)
    _assert_upgrade_from_empty(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_upgrade_from_empty_has_no_drift():
    engine = make_engine(conftest.PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    try:
        _assert_upgrade_from_empty(engine)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        conftest._pg_schema_ready = False  # the next app fixture recreates the test schema


def test_there_is_one_head():
    assert migrate.head_revision() is not None
