"""Counting the SQL statements an app runs: the one query counter of the suite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from nattvandring.db import get_engine

DATA_STATEMENTS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"})


class QueryCounter:
    """What the engine executed while counting.

    ``executed`` is every statement (transaction control such as BEGIN or SAVEPOINT too);
    ``statements`` and ``count`` only the ones that read or write data.
    """

    def __init__(self) -> None:
        self.executed: list[str] = []

    @property
    def statements(self) -> list[str]:
        return [s for s in self.executed if s.split(None, 1)[0].upper() in DATA_STATEMENTS]

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(app) -> Iterator[QueryCounter]:  # type: ignore[no-untyped-def]
    """Record the statements run on ``app``'s engine inside the ``with`` block."""
    counter = QueryCounter()
    engine = get_engine(app)

    def before(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        counter.executed.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
