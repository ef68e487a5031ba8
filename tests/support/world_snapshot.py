"""The ``world`` fixture's data: built once per test process, restored for every later test.

``factories.build_world`` goes through the services: each grant with its audit row and page
versions, a flush per row, about a tenth of the in-process tests' time. The first test of a
process builds it on its empty database and keeps every row it left; a later test whose
database is empty too gets those rows back, one multi-row INSERT per table, with the same
ids (each test's database hands out ids from 1). A database that already holds rows (a test
that starts from the demo, say) gets the world built on it as before.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlmodel import Session

from nattvandring.models import metadata
from tests.factories import World, build_world


class _Saved:
    world: World | None = None
    rows: list[tuple[Table, list[dict[str, Any]]]] = []


def world_in(session: Session) -> World:
    """The world on ``session``'s database, built or restored; flushed, not committed."""
    if not _is_empty(session):
        return build_world(session)
    if _Saved.world is None:
        world = build_world(session)
        session.flush()
        _Saved.rows = _rows_of(session)
        _Saved.world = copy.deepcopy(world)
        return world
    for table, rows in _Saved.rows:
        session.execute(insert(table), rows)
    _restart_sequences(session)
    return copy.deepcopy(_Saved.world)


def _is_empty(session: Session) -> bool:
    any_row = " UNION ALL ".join(
        f'SELECT 1 WHERE EXISTS (SELECT 1 FROM "{table.name}")' for table in metadata.sorted_tables
    )
    return session.execute(text(any_row)).first() is None


def _rows_of(session: Session) -> list[tuple[Table, list[dict[str, Any]]]]:
    saved = []
    for table in metadata.sorted_tables:  # parents before children
        rows = [dict(row) for row in session.execute(select(table)).mappings()]
        if rows:
            saved.append((table, rows))
    return saved


def _restart_sequences(session: Session) -> None:
    """PostgreSQL: the next id of each restored table follows its rows, as after a build."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite takes the next rowid from the rows themselves
    calls = []
    for table, rows in _Saved.rows:
        column = table.autoincrement_column
        if column is not None:
            newest = max(row[column.name] for row in rows)
            calls.append(
                f"setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), {newest})"
            )
    if calls:
        session.execute(text("SELECT " + ", ".join(calls)))
