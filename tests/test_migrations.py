"""Migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from nattvandring import migrate
from nattvandring.db import make_engine
from nattvandring.models import metadata
from tests.support import database as test_database


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


@contextmanager
def _empty_postgres():  # type: ignore[no-untyped-def]
    """The test database with an empty public schema, emptied again afterwards."""
    engine = make_engine(test_database.PG_URL)

    def empty() -> None:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))

    empty()
    try:
        yield engine
    finally:
        empty()
        engine.dispose()
        test_database.forget_schema()  # the next app fixture recreates the test schema


@pytest.mark.postgres
def test_postgresql_upgrade_from_empty_has_no_drift():
    with _empty_postgres() as engine:
        _assert_upgrade_from_empty(engine)


def test_there_is_one_head():
    assert migrate.head_revision() is not None


def _fill(table, **given):  # type: ignore[no-untyped-def]
    """A row for a reflected table: ``given`` plus a plain value for every other NOT NULL."""
    from datetime import UTC, datetime, time

    from sqlalchemy import Boolean, DateTime, Integer, Time

    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if isinstance(column.type, Boolean):
            row[column.name] = False
        elif isinstance(column.type, Integer):
            row[column.name] = 1
        elif isinstance(column.type, DateTime):
            row[column.name] = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
        elif isinstance(column.type, Time):
            row[column.name] = time(21, 0)
        else:
            row[column.name] = "x"
    return row


def _upgrade_populated(engine) -> None:  # type: ignore[no-untyped-def]
    """Rows written under the first schema survive every later migration."""
    from sqlalchemy import MetaData, Table

    migrate.upgrade(engine, "b024ef0b0458")
    with engine.begin() as connection:
        old = MetaData()
        tables = {
            name: Table(name, old, autoload_with=connection)
            for name in ("municipality", "patrolarea", "association")
        }
        connection.execute(tables["municipality"].insert(), _fill(tables["municipality"], id=1))
        connection.execute(
            tables["patrolarea"].insert(), _fill(tables["patrolarea"], id=1, municipality_id=1)
        )
        connection.execute(
            tables["association"].insert(), _fill(tables["association"], id=1, municipality_id=1)
        )
    migrate.upgrade(engine)
    assert _drift(engine) == []
    with engine.connect() as connection:
        for name in ("municipality", "patrolarea", "association"):
            created, updated = connection.execute(
                text(f"SELECT created_at, updated_at FROM {name}")  # noqa: S608 - fixed names
            ).one()
            assert updated == created


def test_sqlite_upgrade_keeps_existing_rows(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'populated.sqlite3'}")
    _upgrade_populated(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_upgrade_keeps_existing_rows():
    with _empty_postgres() as engine:
        _upgrade_populated(engine)
