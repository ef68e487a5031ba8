"""The ``world`` fixture's data: built once per test process, restored for every later test.

``factories.build_world`` goes through the services: each grant with its audit row and page
versions, a flush per row, about a tenth of the in-process tests' time. The first test of a
process builds it on its empty database, commits and keeps every row it left (page versions
included); a later test whose database is empty too gets those rows back, one multi-row
INSERT per table on the session's connection (no ORM events: the rows are the build's own),
with the same ids, since each test's database hands out ids from 1. The instants the build
took from the clock move to the restoring test's clock, which it may have frozen elsewhere,
as if the world had been built then. A database that already holds rows (a test that starts
from the demo, say) gets the world built on it as before.
"""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, insert, select, text
from sqlmodel import Session

from nattvandring.calendars.models import EventVersion, FeedVersion
from nattvandring.clock import utcnow
from nattvandring.models import metadata
from nattvandring.web.models import PageVersion
from tests.factories import World, build_world
from tests.support.database import filled_tables


class _Saved:
    world: World | None = None
    rows: list[tuple[Table, list[dict[str, Any]]]] = []
    built: tuple[datetime, datetime] = (datetime.min.replace(tzinfo=UTC),) * 2


def world_in(session: Session) -> World:
    """The world on ``session``'s database, built or restored, and committed."""
    if filled_tables(session.connection()):
        return build_world(session)
    if _Saved.world is None:
        started = utcnow()
        world = build_world(session)
        session.commit()  # page versions are written at the commit
        _Saved.built = (started, utcnow())
        _Saved.rows = _rows_of(session)
        _Saved.world = copy.deepcopy(world)
        return world
    connection = session.connection()
    moved = utcnow() - _Saved.built[0]
    for table, rows in _Saved.rows:
        connection.execute(insert(table), [_moved(table, row, moved) for row in rows])
    _restart_sequences(connection)
    session.commit()
    return copy.deepcopy(_Saved.world)


def _moved(table: Table, row: dict[str, Any], by: timedelta) -> dict[str, Any]:
    """The row with the instants the build took from the clock moved ``by``; a page version
    is new, as in a database made anew (``web.page_cache``)."""
    moved = {name: value + by if _from_build(value) else value for name, value in row.items()}
    if table.name in _CHANGED_SECONDS and _from_build(_instant(moved["changed"])):
        moved["changed"] += round(by.total_seconds())
    if table.name == PageVersion.__tablename__:
        moved["created"] = time.time_ns() // 1000
    return moved


#: Calendar versions keep the instant of their last change as whole seconds on the clock.
_CHANGED_SECONDS = frozenset({EventVersion.__tablename__, FeedVersion.__tablename__})


def _instant(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _from_build(value: Any) -> bool:
    """Whether ``value`` is an instant the build took from the clock (whole seconds too)."""
    if not isinstance(value, datetime):
        return False
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    started, ended = _Saved.built
    return started.replace(microsecond=0) <= aware <= ended


def _rows_of(session: Session) -> list[tuple[Table, list[dict[str, Any]]]]:
    saved = []
    for table in metadata.sorted_tables:  # parents before children
        rows = [dict(row) for row in session.execute(select(table)).mappings()]
        if rows:
            saved.append((table, rows))
    return saved


def _restart_sequences(connection: Connection) -> None:
    """PostgreSQL: the next id of each restored table follows its rows, as after a build."""
    if connection.dialect.name != "postgresql":
        return  # SQLite takes the next rowid from the rows themselves
    calls = []
    for table, rows in _Saved.rows:
        column = table.autoincrement_column
        if column is not None:
            newest = max(row[column.name] for row in rows)
            sequence = f"pg_get_serial_sequence('\"{table.name}\"', '{column.name}')"
            calls.append(f"setval({sequence}, {newest})")
    if calls:
        connection.execute(text("SELECT " + ", ".join(calls)))
