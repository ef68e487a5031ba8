"""Claiming outbox rows safely when several workers run at once.

A claim is one short transaction that moves due rows to ``sending`` with a lease and returns
their ids. On PostgreSQL the inner ``SELECT ... FOR UPDATE SKIP LOCKED`` lets concurrent
workers take disjoint batches without waiting; on SQLite the conditional ``UPDATE ...
RETURNING`` runs under ``BEGIN IMMEDIATE``, which serializes claimers. Sending happens after
the claim's commit, outside any transaction. A row whose lease expired (its worker died between
claim and result) is claimed again as *recovered*, so the sender can reconcile before retrying.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Engine

from .clock import utcnow
from .db import writer


@dataclass(frozen=True)
class Claimed:
    ids: list[int]
    recovered: list[int]


def claim(
    engine: Engine,
    table: Table,
    *,
    batch_size: int,
    lease_seconds: int,
    now: datetime | None = None,
) -> Claimed:
    """Lease up to ``batch_size`` due rows: expired leases first, then pending rows."""
    moment = now or utcnow()
    lease_until = moment + timedelta(seconds=lease_seconds)
    recovered = _claim_where(
        engine,
        table,
        (table.c.status == "sending") & (table.c.lease_until < moment),
        batch_size=batch_size,
        lease_until=lease_until,
    )
    fresh = _claim_where(
        engine,
        table,
        (table.c.status == "pending") & (table.c.due_at <= moment),
        batch_size=batch_size - len(recovered),
        lease_until=lease_until,
    )
    return Claimed(ids=recovered + fresh, recovered=recovered)


def _claim_where(engine: Engine, table: Table, condition, *, batch_size: int, lease_until):
    if batch_size <= 0:
        return []
    candidates = select(table.c.id).where(condition).order_by(table.c.due_at, table.c.id)
    candidates = candidates.limit(batch_size)
    if engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    # A CTE is evaluated once; PostgreSQL may re-run a plain IN (subquery ... LIMIT) per row
    # and claim more rows than asked for.
    claimable = candidates.cte("claimable")
    statement = (
        update(table)
        .where(table.c.id.in_(select(claimable.c.id)))
        .where(condition)
        .values(status="sending", lease_until=lease_until, attempts=table.c.attempts + 1)
        .returning(table.c.id)
    )
    with writer(engine).begin() as connection:
        return sorted(row[0] for row in connection.execute(statement))


def finish(
    engine: Engine, table: Table, row_id: int, *, expected_lease: datetime | None, **values
) -> bool:
    """Record a send result, but only while we still hold the row (status sending)."""
    statement = update(table).where(table.c.id == row_id, table.c.status == "sending")
    if expected_lease is not None:
        statement = statement.where(table.c.lease_until == expected_lease)
    with writer(engine).begin() as connection:
        return connection.execute(statement.values(**values)).rowcount == 1
