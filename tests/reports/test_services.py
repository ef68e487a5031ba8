"""Filing, approval, corrections and reminders through the services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from nattvandring import clock, events
from nattvandring.errors import RuleViolation
from nattvandring.reports import ledger
from nattvandring.reports.models import (
    HoursLedgerEntry,
    PatrolReport,
    ReportReminder,
    ReportStatus,
)
from nattvandring.reports.services_due import emit_due_reminders, missing_reports
from nattvandring.reports.services_report import (
    IncidentInput,
    ReportInput,
    WalkerInput,
    save_report,
    start_report,
    submit_report,
    walkers_of,
)
from nattvandring.reports.services_review import approve, correct_walker, return_report

from .conftest import at, make_walk


def _file(db, walk, walkers, *, actor=None, young=12):
    report = start_report(db, walk.booking, actor_id=actor)
    save_report(
        db,
        report,
        ReportInput(young_people_met=young, summary="Lugn kväll", walkers=walkers),
        actor_id=actor,
    )
    submit_report(db, report, actor_id=actor)
    return report


@pytest.mark.parametrize(("day", "minutes"), [(date(2027, 3, 27), 240), (date(2026, 10, 24), 360)])
def test_dst_nights_through_the_services(db, world, day, minutes) -> None:
    clock.freeze(at(2027, 4, 5))
    walk = make_walk(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        association_id=world.ids["assoc_a"],
        day=day,
        walkers=(world.ids["vol_a"],),
    )
    report = start_report(db, walk.booking, actor_id=world.ids["leader_a"])
    prefilled = walkers_of(db, report)
    assert [(w.user_id, w.minutes) for w in prefilled] == [(world.ids["vol_a"], minutes)]
    report = _file(db, walk, [WalkerInput(world.ids["vol_a"], "22:00", "03:00")])
    approve(db, report, actor_id=world.ids["coord_h"])
    entries = db.exec(select(HoursLedgerEntry)).all()
    assert [(e.minutes, e.kind, e.evening) for e in entries] == [(minutes, "approval", day)]
    assert entries[0].walker_birth_year == 1980


def test_roster_prefill_skips_declined_and_left_early_and_added_walker(db, world, walk_a) -> None:
    report = start_report(db, walk_a.booking, actor_id=world.ids["leader_a"])
    assert {w.user_id for w in walkers_of(db, report)} == {world.ids["vol_a"], world.ids["vol_a2"]}
    # vol_a2 left at 23:30; leader_a (declined on the roster, but a member) walked 22:30-03:00.
    save_report(
        db,
        report,
        ReportInput(
            young_people_met=30,
            summary="",
            walkers=[
                WalkerInput(world.ids["vol_a"], "22:00", "03:00"),
                WalkerInput(world.ids["vol_a2"], "22:00", "23:30"),
                WalkerInput(world.ids["leader_a"], "22:30", "03:00"),
            ],
            incidents=[IncidentInput("alcohol", "Berusade vid torget", "Torget")],
        ),
        actor_id=world.ids["leader_a"],
    )
    minutes = {w.user_id: w.minutes for w in walkers_of(db, report)}
    # 2026-10-24 is the fall-back night: 22:00-03:00 is 6 h.
    assert minutes == {
        world.ids["vol_a"]: 360,
        world.ids["vol_a2"]: 90,
        world.ids["leader_a"]: 330,
    }


def test_non_member_cannot_be_added(db, world, walk_a) -> None:
    report = start_report(db, walk_a.booking, actor_id=None)
    with pytest.raises(RuleViolation) as info:
        save_report(
            db,
            report,
            ReportInput(0, "", [WalkerInput(world.ids["vol_b"], "22:00", "03:00")]),
            actor_id=None,
        )
    assert info.value.code == "walker_not_member"


def test_report_for_future_walk_is_refused(db, world) -> None:
    clock.freeze(at(2027, 1, 1))
    walk = make_walk(
        db,
        municipality_id=world.ids["hassleholm"],
        area_id=world.ids["area_h"],
        association_id=world.ids["assoc_a"],
        day=date(2027, 2, 5),
    )
    with pytest.raises(RuleViolation) as info:
        start_report(db, walk.booking, actor_id=None)
    assert info.value.code == "walk_not_started"


def test_approval_locks_and_correction_appends(db, world, walk_a) -> None:
    report = _file(
        db,
        walk_a,
        [
            WalkerInput(world.ids["vol_a"], "22:00", "03:00"),
            WalkerInput(world.ids["vol_a2"], "22:00", "01:00"),
        ],
    )
    with pytest.raises(RuleViolation):  # submitted: the group can no longer edit
        save_report(db, report, ReportInput(1, "", []), actor_id=None)
    approve(db, report, actor_id=world.ids["coord_h"])
    assert report.status == ReportStatus.APPROVED
    assert ledger.report_total(db, report.id) == 360 + 180
    with pytest.raises(RuleViolation) as info:
        save_report(db, report, ReportInput(1, "", []), actor_id=None)
    assert info.value.code == "report_locked"
    with pytest.raises(RuleViolation):
        approve(db, report, actor_id=world.ids["coord_h"])

    delta = correct_walker(
        db,
        report,
        user_id=world.ids["vol_a2"],
        minutes=120,
        reason="Gick hem 00:00",
        actor_id=world.ids["coord_h"],
    )
    assert delta == -60
    added = correct_walker(
        db,
        report,
        user_id=world.ids["leader_a"],
        minutes=120,
        reason="Glömdes i rapporten",
        actor_id=world.ids["coord_h"],
    )
    assert added == 120
    assert ledger.report_total(db, report.id) == 360 + 120 + 120
    lines = ledger.history(db, report.id)
    assert [(ln.entry.kind, ln.entry.minutes, ln.running_total) for ln in lines] == [
        ("approval", 360, 360),
        ("approval", 180, 540),
        ("correction", -60, 480),
        ("correction", 120, 600),
    ]
    assert lines[2].entry.reason == "Gick hem 00:00"
    assert lines[2].actor_name == "Coord H"
    # The approval rows are untouched: nothing was overwritten.
    assert [e.minutes for e in db.exec(select(HoursLedgerEntry).order_by(HoursLedgerEntry.id))] == [
        360,
        180,
        -60,
        120,
    ]
    with pytest.raises(RuleViolation) as info:
        correct_walker(
            db, report, user_id=world.ids["vol_a2"], minutes=120, reason="x", actor_id=None
        )
    assert info.value.code == "no_change"
    with pytest.raises(RuleViolation) as info:
        correct_walker(
            db, report, user_id=world.ids["vol_a2"], minutes=10, reason=" ", actor_id=None
        )
    assert info.value.code == "reason_required"


def test_return_needs_comment_and_reopens(db, world, walk_a) -> None:
    report = _file(db, walk_a, [WalkerInput(world.ids["vol_a"], "22:00", "03:00")])
    with pytest.raises(RuleViolation):
        return_report(db, report, comment="  ", actor_id=world.ids["coord_h"])
    return_report(db, report, comment="Ange tiderna", actor_id=world.ids["coord_h"])
    assert report.status == ReportStatus.RETURNED
    save_report(
        db,
        report,
        ReportInput(5, "", [WalkerInput(world.ids["vol_a"], "22:00", "01:00")]),
        actor_id=None,
    )
    submit_report(db, report, actor_id=None)
    assert report.status == ReportStatus.SUBMITTED


def test_due_reminder_emitted_once_and_overdue_listed(db, world, walk_a) -> None:
    seen = []
    handler = events.subscribe(events.ReportDue)(lambda session, event: seen.append(event))
    try:
        end = walk_a.shift.end_at
        from datetime import timedelta

        assert emit_due_reminders(db, now=end + timedelta(hours=1)) == 0  # too early
        assert emit_due_reminders(db, now=end + timedelta(hours=13)) == 1
        assert emit_due_reminders(db, now=end + timedelta(hours=14)) == 0
        assert len(seen) == 1
        assert seen[0].booking_id == walk_a.booking.id
        assert seen[0].due_at == end + timedelta(days=7)
        assert len(db.exec(select(ReportReminder)).all()) == 1
        late = missing_reports(
            db, municipality_ids={world.ids["hassleholm"]}, now=end + timedelta(days=8)
        )
        assert [(m.booking.id, m.overdue) for m in late] == [(walk_a.booking.id, True)]
        assert (
            missing_reports(db, municipality_ids={world.ids["bjuv"]}, now=end + timedelta(days=8))
            == []
        )
        report = _file(db, walk_a, [WalkerInput(world.ids["vol_a"], "22:00", "03:00")])
        assert report.status == "submitted"
        assert missing_reports(db, now=end + timedelta(days=8)) == []
    finally:
        events._handlers[events.ReportDue].remove(handler)


def test_only_one_report_per_booking(db, world, walk_a) -> None:
    first = start_report(db, walk_a.booking, actor_id=None)
    again = start_report(db, walk_a.booking, actor_id=None)
    assert first.id == again.id
    assert len(db.exec(select(PatrolReport)).all()) == 1
