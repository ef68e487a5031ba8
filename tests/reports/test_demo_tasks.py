"""The demo step (ORDER 30) and the scheduled jobs."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlmodel import func, select

from nattvandring import clock, events
from nattvandring.db import get_engine, session_scope
from nattvandring.reports import demo_data, tasks
from nattvandring.reports.models import (
    HoursLedgerEntry,
    Incident,
    PatrolReport,
    ReportReminder,
    UnsafePlace,
)
from nattvandring.volunteers import tasks as volunteer_tasks

from .conftest import make_walk


def test_demo_without_booked_walks_does_nothing(db, world) -> None:  # type: ignore[no-untyped-def]
    demo_data.load(db)
    assert db.exec(select(func.count()).select_from(PatrolReport)).one() == 0


def test_demo_creates_every_state_once(db, world) -> None:  # type: ignore[no-untyped-def]
    for week in range(8):
        make_walk(
            db,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            association_id=world.ids["assoc_a"],
            day=date(2026, 3, 6) + timedelta(weeks=week),
            walkers=(world.ids["vol_a"], world.ids["vol_a2"]),
        )
    demo_data.load(db)
    states = Counter(db.exec(select(PatrolReport.status)).all())
    # 8 past walks: the newest has no report; then submitted, returned, draft, and four
    # approved (one of them corrected after approval).
    assert states == {"submitted": 1, "returned": 1, "draft": 1, "approved": 4}
    corrections = db.exec(
        select(HoursLedgerEntry).where(HoursLedgerEntry.kind == "correction")
    ).all()
    assert len(corrections) == 1 and corrections[0].minutes == -60
    assert db.exec(select(func.count()).select_from(Incident)).one() > 0
    assert db.exec(select(func.count()).select_from(UnsafePlace)).one() > 0
    before = db.exec(select(func.count()).select_from(HoursLedgerEntry)).one()
    demo_data.load(db)
    assert db.exec(select(func.count()).select_from(PatrolReport)).one() == 7
    assert db.exec(select(func.count()).select_from(HoursLedgerEntry)).one() == before


def test_jobs_emit_reminder_once_and_sweep_retention(app, world) -> None:  # type: ignore[no-untyped-def]
    engine = get_engine(app)
    with app.app_context(), session_scope(engine) as session:
        walk = make_walk(
            session,
            municipality_id=world.ids["hassleholm"],
            area_id=world.ids["area_h"],
            association_id=world.ids["assoc_a"],
            day=date(2026, 10, 23),
            walkers=(world.ids["vol_a"],),
        )
        end = walk.shift.end_at
    seen = []
    handler = events.subscribe(events.ReportDue)(lambda session, event: seen.append(event))
    try:
        clock.freeze(end + timedelta(days=1))
        with app.app_context():
            assert tasks.remind_missing_reports(app) == 1
            assert tasks.remind_missing_reports(app) == 0
    finally:
        events._handlers[events.ReportDue].remove(handler)
    assert [e.booking_id for e in seen] == [walk.booking.id]
    with session_scope(engine) as session:
        assert len(session.exec(select(ReportReminder)).all()) == 1
    clock.freeze(end + timedelta(days=800))
    with app.app_context():
        assert volunteer_tasks.anonymise_inactive(app) == 4  # vol_a, vol_a2, vol_b, vol_c
    assert [job for job, _interval in tasks.JOBS] == [tasks.remind_missing_reports]
    assert [job for job, _interval in volunteer_tasks.JOBS] == [volunteer_tasks.anonymise_inactive]
