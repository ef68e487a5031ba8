"""Sponsor hour-summary export at the scale of a large region.

    python -m benchmarks.sponsor_export [--associations 300 --walks 30000]
        [--walkers-per-walk 5] [--database-url postgresql://...]

Fills a database (a temporary SQLite file unless ``--database-url`` is given; the tables are
created, so use a scratch database) with one year of approved walks for a large region via
bulk inserts: associations, shifts, bookings, approved reports, walkers and one hours-ledger
entry per walker. Then it measures

* the time of the streamed summary export (Swedish CSV, every byte produced) against one
  equivalent SQL aggregation query in the same run (goal: ratio at most 2x), and
* the peak Python memory (tracemalloc) of the export over half the year and over the whole
  year, i.e. two data sizes (goal: flat, not growing with the data).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import Engine, func, insert, literal_column, select
from sqlmodel import Session, SQLModel

import nattvandring.models  # noqa: F401  (every table registered)
from nattvandring.associations.models import Association
from nattvandring.booking.models import Booking
from nattvandring.clock import local_to_utc
from nattvandring.db import make_engine
from nattvandring.exports import csv_rows
from nattvandring.municipalities.models import Municipality
from nattvandring.planning.models import PatrolArea, Shift
from nattvandring.reports.models import HoursLedgerEntry, PatrolReport, ReportWalker
from nattvandring.sponsorship.services_exports import summary_header, summary_rows

YEAR = 2025
MUNICIPALITIES = 10
CHUNK = 5000
RECORDED = datetime(YEAR + 1, 1, 15, tzinfo=local_to_utc(date(YEAR, 1, 1), clock_time(0)).tzinfo)


def _bulk(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    for first in range(0, len(rows), CHUNK):
        session.execute(insert(model), rows[first : first + CHUNK])


def _evenings() -> list[date]:
    day, result = date(YEAR, 1, 1), []
    while day.year == YEAR:
        if day.weekday() in (4, 5):
            result.append(day)
        day += timedelta(days=1)
    return result


def fill(engine: Engine, associations: int, walks: int, walkers_per_walk: int) -> list[int]:
    """Create the region; returns the association ids."""
    SQLModel.metadata.create_all(engine)
    evenings = _evenings()
    with Session(engine) as session:
        _bulk(
            session,
            Municipality,
            [
                {"id": m + 1, "name": f"Kommun {m + 1}", "slug": f"kommun-{m + 1}"}
                for m in range(MUNICIPALITIES)
            ],
        )
        # One patrol area per association: one walk per area and evening (a shift's area and
        # start are unique).
        _bulk(
            session,
            PatrolArea,
            [
                {
                    "id": a + 1,
                    "municipality_id": a % MUNICIPALITIES + 1,
                    "name": f"Område {a + 1}",
                    "meeting_point": "Torget",
                    "latitude": 56.0,
                    "longitude": 13.0,
                    "default_start": clock_time(21),
                    "default_end": clock_time(1),
                }
                for a in range(associations)
            ],
        )
        _bulk(
            session,
            Association,
            [
                {
                    "id": a + 1,
                    "municipality_id": a % MUNICIPALITIES + 1,
                    "name": f"Förening {a + 1}",
                    "org_number": f"802400-{a:04d}",
                    "account_number": f"5050-{a:04d}",
                    "contact_name": "Kontakt",
                    "contact_email": f"k{a}@example.org",
                    "contact_phone": f"+46701{a:06d}",
                    "status": "approved",
                }
                for a in range(associations)
            ],
        )
        shifts, bookings, reports, walkers, ledger = [], [], [], [], []
        walker_id = 0
        for w in range(walks):
            assoc = w % associations + 1
            muni = (assoc - 1) % MUNICIPALITIES + 1
            evening = evenings[(w // associations) % len(evenings)]
            start = local_to_utc(evening, clock_time(21))
            end = start + timedelta(hours=4)
            shifts.append(
                {
                    "id": w + 1,
                    "municipality_id": muni,
                    "area_id": assoc,
                    "start_at": start,
                    "end_at": end,
                }
            )
            bookings.append(
                {"id": w + 1, "shift_id": w + 1, "association_id": assoc, "active_key": None}
            )
            reports.append(
                {
                    "id": w + 1,
                    "shift_id": w + 1,
                    "booking_id": w + 1,
                    "association_id": assoc,
                    "municipality_id": muni,
                    "status": "approved",
                    "approved_at": RECORDED,
                }
            )
            for k in range(walkers_per_walk):
                walker_id += 1
                walkers.append(
                    {
                        "id": walker_id,
                        "report_id": w + 1,
                        "start_at": start,
                        "end_at": end,
                        "minutes": 240,
                    }
                )
                ledger.append(
                    {
                        "report_id": w + 1,
                        "walker_id": walker_id,
                        "shift_id": w + 1,
                        "association_id": assoc,
                        "municipality_id": muni,
                        "evening": evening,
                        "minutes": 240,
                        "walker_birth_year": 1960 + (walker_id + k) % 40,
                        "kind": "approval",
                        "created_at": RECORDED,
                    }
                )
        for model, rows in (
            (Shift, shifts),
            (Booking, bookings),
            (PatrolReport, reports),
            (ReportWalker, walkers),
            (HoursLedgerEntry, ledger),
        ):
            _bulk(session, model, rows)
        session.commit()
    return list(range(1, associations + 1))


def export(engine: Engine, ids: list[int], start: date, end: date) -> int:
    """The summary export exactly as the download streams it; returns the bytes produced."""
    with Session(engine) as session:
        rows = summary_rows(
            session, association_ids=ids, start=start, end=end, municipality_ids=None
        )
        return sum(len(chunk.encode("utf-8")) for chunk in csv_rows(summary_header(), rows))


def aggregate(engine: Engine, ids: list[int], start: date, end: date) -> int:
    """One SQL query with the same figures (walks, walker visits, minutes per month)."""
    entry = HoursLedgerEntry.__table__
    per_walker = (
        select(
            entry.c.association_id,
            entry.c.evening,
            entry.c.report_id,
            func.sum(entry.c.minutes).label("minutes"),
        )
        .where(entry.c.association_id.in_(ids), entry.c.evening >= start, entry.c.evening <= end)
        .group_by(entry.c.association_id, entry.c.evening, entry.c.report_id, entry.c.walker_id)
        .having(func.sum(entry.c.minutes) > 0)
        .subquery()
    )
    if engine.dialect.name == "sqlite":
        month = func.strftime("%Y-%m", per_walker.c.evening)
    else:
        month = func.date_trunc("month", per_walker.c.evening)
    query = (
        select(
            per_walker.c.association_id,
            month.label("month"),
            func.count(func.distinct(per_walker.c.report_id)),
            func.count(literal_column("*")),
            func.sum(per_walker.c.minutes),
        )
        .group_by(per_walker.c.association_id, month)
        .order_by(per_walker.c.association_id, month)
    )
    with engine.connect() as connection:
        return len(connection.execute(query).all())


def best_of(runs: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def peak_memory(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--associations", type=int, default=300)
    parser.add_argument("--walks", type=int, default=30_000)
    parser.add_argument("--walkers-per-walk", type=int, default=5)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    tmp = None
    url = args.database_url
    if not url:
        tmp = tempfile.mkdtemp(prefix="sponsor-bench-")
        url = f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"
    engine = make_engine(url)
    began = time.perf_counter()
    ids = fill(engine, args.associations, args.walks, args.walkers_per_walk)
    print(
        f"database: {engine.dialect.name}; filled {args.associations} associations, "
        f"{args.walks} walks, {args.walks * args.walkers_per_walk} ledger entries "
        f"in {time.perf_counter() - began:.1f} s"
    )
    year = (date(YEAR, 1, 1), date(YEAR, 12, 31))
    half = (date(YEAR, 1, 1), date(YEAR, 6, 30))
    rows = aggregate(engine, ids, *year)
    size = export(engine, ids, *year)
    print(f"summary: {rows} association-months, CSV {size / 1024:.0f} KiB")
    sql_s = best_of(args.repeat, lambda: aggregate(engine, ids, *year))
    export_s = best_of(args.repeat, lambda: export(engine, ids, *year))
    ratio = export_s / sql_s if sql_s else float("inf")
    print(
        f"SQL aggregation: {sql_s * 1000:.0f} ms; export: {export_s * 1000:.0f} ms; "
        f"ratio {ratio:.2f}x (goal <= 2x: {'met' if ratio <= 2 else 'NOT met'})"
    )
    peak_half = peak_memory(lambda: export(engine, ids, *half))
    peak_year = peak_memory(lambda: export(engine, ids, *year))
    growth = peak_year / peak_half if peak_half else float("inf")
    print(
        f"peak memory: half year {peak_half / 1024:.0f} KiB, whole year "
        f"{peak_year / 1024:.0f} KiB; growth {growth:.2f}x for 2x the data "
        f"(goal flat: {'met' if growth < 1.5 else 'NOT met'})"
    )
    engine.dispose()


if __name__ == "__main__":
    main()
