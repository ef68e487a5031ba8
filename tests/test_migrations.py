"""Migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from nattvandring import migrate
from nattvandring.db import make_engine
from nattvandring.models import metadata
from tests.support import database as test_database


def _drift(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, metadata)


def _assert_upgrade_from_empty(engine) -> None:
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
def _empty_postgres():
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


def _fill(table, **given):
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


def _upgrade_populated(engine) -> None:
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


def _duplicates_are_reported_not_deleted(engine) -> None:
    """A night created twice before the unique index stops the upgrade with a report."""
    from sqlalchemy import MetaData, Table

    migrate.upgrade(engine, "7c3e9a1f4b20")
    with engine.begin() as connection:
        old = MetaData()
        tables = {
            name: Table(name, old, autoload_with=connection)
            for name in ("municipality", "patrolarea", "shift")
        }
        connection.execute(tables["municipality"].insert(), _fill(tables["municipality"], id=1))
        connection.execute(
            tables["patrolarea"].insert(), _fill(tables["patrolarea"], id=1, municipality_id=1)
        )
        for shift_id, status in ((1, "planned"), (2, "booked"), (3, "cancelled"), (4, "planned")):
            connection.execute(
                tables["shift"].insert(),
                _fill(
                    tables["shift"],
                    id=shift_id,
                    municipality_id=1,
                    area_id=1,
                    status=status,
                    series_id=None,
                    special_key=None,
                    # Shift 4 is another night: not a duplicate.
                    start_at=datetime(2025, 5, 2 if shift_id == 4 else 1, 19, tzinfo=UTC),
                ),
            )
    with pytest.raises(Exception, match="1 kvällar finns mer än en gång") as raised:
        migrate.upgrade(engine)
    assert "pass 1 (0 aktiva bokningar), pass 2 (0 aktiva bokningar)" in str(raised.value)
    assert "pass 3" not in str(raised.value) and "pass 4" not in str(raised.value)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM shift")).scalar() == 4
    assert not migrate.is_current(engine)
    # Once a person has cancelled the extra copy, the upgrade goes through.
    with engine.begin() as connection:
        connection.execute(text("UPDATE shift SET status = 'cancelled' WHERE id = 1"))
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert _drift(engine) == []


def test_sqlite_upgrade_reports_duplicate_nights(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'duplicates.sqlite3'}")
    _duplicates_are_reported_not_deleted(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_upgrade_reports_duplicate_nights():
    with _empty_postgres() as engine:
        _duplicates_are_reported_not_deleted(engine)


def _memberships_become_open_periods(engine) -> None:
    """e5c1a7d3b9f2: every covered municipality and enrolment becomes an open period, and
    an association paid before it was withdrawn gets a period over what was paid."""
    from datetime import date

    from sqlalchemy import MetaData, Table

    migrate.upgrade(engine, "b3e8f1c2d4a6")
    names = ("municipality", "association", "sponsor", "sponsor_agreement")
    names += ("agreement_municipality", "agreement_association", "payout_run", "payout_line")
    march = {"covers_start": date(2026, 3, 1), "covers_end": date(2026, 3, 31)}
    with engine.begin() as connection:
        old = MetaData()
        tables = {name: Table(name, old, autoload_with=connection) for name in names}
        rows = [
            ("municipality", {"id": 1}),
            *(
                ("association", {"id": n, "municipality_id": 1, "org_number": str(n)})
                for n in (1, 2, 3)
            ),
            ("sponsor", {"id": 1}),
            (
                "sponsor_agreement",
                {"id": 1, "sponsor_id": 1, "rule": {}, "valid_from": date(2026, 1, 1)}
                | {"valid_to": date(2028, 12, 31)},
            ),
            ("agreement_municipality", {"agreement_id": 1, "municipality_id": 1}),
            # 1: enrolled all along; 2: withdrawn after March was paid, enrolled again
            # from June; 3: withdrawn after March was paid.
            (
                "agreement_association",
                {"agreement_id": 1, "association_id": 1, "joined_on": date(2026, 2, 1)},
            ),
            (
                "agreement_association",
                {"agreement_id": 1, "association_id": 2, "joined_on": date(2026, 6, 1)}
                | {"created_at": datetime(2026, 5, 10, 12, tzinfo=UTC)},
            ),
            (
                "payout_run",
                {"id": 1, "agreement_id": 1, "sponsor_id": 1, "status": "paid"}
                | {"period_start": date(2026, 3, 1), "period_end": date(2026, 3, 31)}
                | {"cutoff_at": datetime(2026, 4, 2, 8, tzinfo=UTC), "details": {}},
            ),
            (  # computed before the agreement's last change (updated_at 2025-05-01 12:00)
                "payout_run",
                {"id": 2, "agreement_id": 1, "sponsor_id": 1, "status": "draft"}
                | {"period_start": date(2026, 4, 1), "period_end": date(2026, 4, 30)}
                | {"cutoff_at": datetime(2025, 4, 30, 8, tzinfo=UTC), "details": {}},
            ),
            *(
                (
                    "payout_line",
                    {"id": n, "run_id": 1, "association_id": n, "municipality_id": 1}
                    | march
                    | {"details": {}},
                )
                for n in (1, 2, 3)
            ),
        ]
        for name, values in rows:
            connection.execute(tables[name].insert(), _fill(tables[name], **values))
    migrate.upgrade(engine)
    assert _drift(engine) == []
    with engine.connect() as connection:
        covered = connection.execute(
            text("SELECT municipality_id, covered_from, covered_until FROM agreement_municipality")
        ).all()
        enrolled = connection.execute(
            text(
                "SELECT association_id, joined_on, left_on FROM agreement_association"
                " ORDER BY association_id, joined_on"
            )
        ).all()
        revisions = connection.execute(
            text("SELECT id, agreement_revision FROM payout_run ORDER BY id")
        ).all()
    assert [tuple(row) for row in revisions] == [(1, 0), (2, -1)]  # the draft is stale
    assert [tuple(row) for row in covered] == [(1, None, None)]
    assert [(a, str(joined), left and str(left)) for a, joined, left in enrolled] == [
        (1, "2026-02-01", None),
        (2, "2026-01-01", "2026-04-01"),
        (2, "2026-06-01", None),
        (3, "2026-01-01", "2026-04-01"),
    ]
    for table in ("agreement_association", "agreement_municipality"):
        keys = inspect(engine).get_foreign_keys(table)
        if engine.dialect.name == "postgresql":
            assert {key["name"] for key in keys} == {
                f"{table}_{key['constrained_columns'][0]}_fkey" for key in keys
            }


def test_sqlite_memberships_become_open_periods(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'memberships.sqlite3'}")
    _memberships_become_open_periods(engine)
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_memberships_become_open_periods():
    with _empty_postgres() as engine:
        _memberships_become_open_periods(engine)
