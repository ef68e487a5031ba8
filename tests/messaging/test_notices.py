"""Events from planning and booking create, re-time and cancel the right SMS rows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from nattvandring import clock, events
from nattvandring.accounts.models import AccessToken, TokenPurpose
from nattvandring.messaging import services_roster as roster
from nattvandring.messaging.services import opt_out
from nattvandring.messaging.services_notices import understaffed_scan
from nattvandring.messaging.texts import LINK_MARKER
from nattvandring.planning.models import Shift
from tests.messaging.conftest import NOW, assign, make_walk, rows, user

START = NOW + timedelta(days=2, hours=12)  # Sunday 2026-11-22 22:00 in Stockholm


def statuses(found):
    return [(r.kind, r.status) for r in found]


def test_added_volunteer_gets_confirmation_and_two_reminders(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    found = rows(db, user_id=world.ids["vol_a"])
    assert [(r.kind, r.due_at) for r in found] == [
        ("confirmation", NOW),
        ("reminder", START - timedelta(hours=24)),
        ("reminder", START - timedelta(hours=3)),
    ]
    confirmation = found[0]
    assert confirmation.to_e164 == user(db, world.ids["vol_a"]).phone_e164
    assert confirmation.association_id == world.ids["assoc_a"]
    assert confirmation.municipality_id == world.ids["hassleholm"]
    assert confirmation.not_after == NOW + timedelta(hours=24)  # useful for a day
    first, second = found[1:]
    assert second.not_after == START  # a reminder is useful until the walk starts...
    # ...and "i morgon" only until Saturday's midnight (Stockholm); the 3 h one covers Sunday.
    assert first.not_after == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert first.body.startswith("Påminnelse: nattvandring i morgon sön 22 nov kl 22:00-02:00")
    assert second.body.startswith("Snart dags: nattvandring i kväll kl 22:00, ")
    assert confirmation.body.startswith("Hej Vol! Du är bokad för nattvandring sön 22 nov kl 22:00")
    assert LINK_MARKER in confirmation.body and "/me/" not in confirmation.body
    assert f"http://localhost/walks/{walk.shift_id}.ics" in confirmation.body
    token = db.exec(
        select(AccessToken).where(
            AccessToken.user_id == world.ids["vol_a"],
            AccessToken.purpose == TokenPurpose.PERSONAL_PAGE,
        )
    ).one()
    assert token.nonce  # the link exists; its value is derived only when sending


def test_english_volunteer_gets_english_text(app, world, db, frozen):
    person = user(db, world.ids["vol_a"])
    person.language = "en"
    walk = make_walk(db, world, start=START)
    assign(db, walk, person.id)
    [confirmation, *_] = rows(db, user_id=person.id)
    assert confirmation.language == "en"
    assert confirmation.body.startswith("Hi Vol! You are booked for a night walk Sun 22 Nov 22:00")


def test_no_rows_for_opted_out_invalid_or_missing_numbers(app, world, db, frozen, caplog):
    walk = make_walk(db, world, start=START)
    first, second, third = (user(db, world.ids[k]) for k in ("vol_a", "vol_a2", "leader_a"))
    first.sms_opt_out = True
    second.phone_invalid = True
    number = third.phone_e164
    third.phone_e164 = None
    db.flush()
    caplog.set_level(logging.INFO)
    for person in (first, second, third):
        assign(db, walk, person.id)
    assert rows(db) == []
    assert "opted out" in caplog.text and "phone marked invalid" in caplog.text
    assert "no phone number" in caplog.text
    assert first.phone_e164 not in caplog.text and number not in caplog.text


def test_same_event_twice_queues_once(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assignment = assign(db, walk, world.ids["vol_a"])
    event = events.AssignmentAdded(
        assignment_id=assignment.id,
        shift_id=walk.shift_id,
        user_id=world.ids["vol_a"],
        association_id=walk.association_id,
        actor_id=None,
    )
    events.emit(db, event)
    assert len(rows(db)) == 3


def test_walk_moved_retimes_pending_reminders_and_sends_a_change_notice(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    confirmation, first, second = rows(db)
    first.status = "sent"  # the 24 h reminder already went out
    shift = db.get(Shift, walk.shift_id)
    shift.start_at = START + timedelta(days=1)
    shift.end_at = shift.start_at + timedelta(hours=4)
    shift.sequence += 1
    db.flush()
    events.emit(
        db, events.ShiftChanged(shift_id=walk.shift_id, time_changed=True, place_changed=False)
    )
    db.refresh(second)
    assert second.status == "pending"
    assert second.due_at == shift.start_at - timedelta(hours=3)  # same row, re-timed
    assert second.body.startswith("Snart dags: nattvandring i kväll kl 22:00, ")
    assert second.dedupe_key.endswith(":s1")
    found = rows(db, user_id=world.ids["vol_a"])
    assert statuses(found) == [
        ("confirmation", "pending"),
        ("reminder", "sent"),
        ("reminder", "pending"),
        ("change", "pending"),
        ("reminder", "pending"),  # the 24 h reminder for the new date
    ]
    assert found[3].body.startswith("Ändrad nattvandring: nu mån 23 nov kl 22:00-02:00")
    assert found[4].due_at == shift.start_at - timedelta(hours=24)


def test_walk_cancelled_cancels_pending_and_tells_walkers(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    assign(db, walk, world.ids["vol_a2"])
    roster.decline_assignment(db, roster.next_assignment(db, world.ids["vol_a2"], NOW))
    events.emit(db, events.ShiftCancelled(shift_id=walk.shift_id, reason="storm"))
    mine = rows(db, user_id=world.ids["vol_a"])
    assert statuses(mine) == [
        ("confirmation", "cancelled"),
        ("reminder", "cancelled"),
        ("reminder", "cancelled"),
        ("cancellation", "pending"),
    ]
    assert mine[-1].body.startswith("Inställd: nattvandringen sön 22 nov kl 22:00, Centrum")
    # The volunteer who had declined gets no cancellation notice.
    assert [r.kind for r in rows(db, user_id=world.ids["vol_a2"])].count("cancellation") == 0
    # The leader note about the decline is cancelled too (the walk is off).
    assert statuses(rows(db, user_id=world.ids["leader_a"])) == [("leader_declined", "cancelled")]


def test_declined_cancels_reminders_and_tells_the_leader(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    assign(db, walk, world.ids["vol_a2"])
    assignment = roster.next_assignment(db, world.ids["vol_a"], NOW)
    roster.decline_assignment(db, assignment)
    assert statuses(rows(db, user_id=world.ids["vol_a"])) == [
        ("confirmation", "cancelled"),
        ("reminder", "cancelled"),
        ("reminder", "cancelled"),
    ]
    [note] = rows(db, user_id=world.ids["leader_a"])
    assert note.kind == "leader_declined"
    assert note.body == (
        "Vol A har tackat nej till nattvandringen sön 22 nov kl 22:00, Centrum. "
        "Gruppen har nu 1 av minst 3."
    )
    assert rows(db, user_id=world.ids["leader_b"]) == []
    # Changing their mind brings the reminders back.
    roster.confirm_assignment(db, assignment)
    assert statuses(rows(db, user_id=world.ids["vol_a"]))[-2:] == [
        ("reminder", "pending"),
        ("reminder", "pending"),
    ]


def test_removed_from_group_is_told_and_reminders_stop(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assignment = assign(db, walk, world.ids["vol_a"])
    events.emit(
        db,
        events.AssignmentRemoved(
            assignment_id=assignment.id,
            shift_id=walk.shift_id,
            user_id=world.ids["vol_a"],
            association_id=walk.association_id,
            actor_id=world.ids["leader_a"],
        ),
    )
    assert statuses(rows(db, user_id=world.ids["vol_a"])) == [
        ("confirmation", "cancelled"),
        ("reminder", "cancelled"),
        ("reminder", "cancelled"),
        ("removed", "pending"),
    ]


def test_booking_cancelled_tells_its_walkers(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    events.emit(
        db,
        events.BookingCancelled(
            booking_id=walk.booking_id,
            shift_id=walk.shift_id,
            association_id=walk.association_id,
            actor_id=None,
            reason="sjukdom",
        ),
    )
    assert statuses(rows(db, user_id=world.ids["vol_a"]))[-1] == ("cancellation", "pending")
    # The shift being cancelled afterwards does not send a second notice.
    events.emit(db, events.ShiftCancelled(shift_id=walk.shift_id, reason="x"))
    assert [r.kind for r in rows(db, user_id=world.ids["vol_a"])].count("cancellation") == 1


def test_opt_out_cancels_pending(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    opt_out(db, user(db, world.ids["vol_a"]), reason="test")
    assert {r.status for r in rows(db, user_id=world.ids["vol_a"])} == {"cancelled"}
    assert user(db, world.ids["vol_a"]).sms_opt_out is True


def test_reserve_offered_goes_to_that_associations_leader(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    events.emit(
        db,
        events.ReserveOffered(
            reserve_entry_id=5, shift_id=walk.shift_id, association_id=world.ids["assoc_b"]
        ),
    )
    [row] = rows(db)
    assert row.user_id == world.ids["leader_b"] and row.kind == "reserve_offered"
    assert row.body.startswith("Scoutkåren: nattvandringen sön 22 nov kl 22:00, Centrum, är ledig")


def test_report_due_goes_to_the_leader_after_the_walk(app, world, db, frozen):
    walk = make_walk(db, world, start=NOW - timedelta(days=2))
    events.emit(
        db,
        events.ReportDue(
            shift_id=walk.shift_id,
            booking_id=walk.booking_id,
            association_id=walk.association_id,
            due_at=NOW + timedelta(days=5),
        ),
    )
    [row] = rows(db)
    assert row.user_id == world.ids["leader_a"] and row.due_at == NOW
    assert "dags att lämna rapport" in row.body and "Senast 2026-11-25" in row.body
    # The link leads to the report itself, not the home page.
    assert row.body.endswith(f"/reports/booking/{walk.booking_id}")


def test_understaffed_scan_once_per_walk_within_48_hours(app, world, db, frozen):
    soon = make_walk(db, world, start=NOW + timedelta(hours=30))
    later = make_walk(db, world, start=NOW + timedelta(hours=60))
    full = make_walk(db, world, start=NOW + timedelta(hours=20), min_walkers=1)
    assign(db, soon, world.ids["vol_a"], emit=False)
    assign(db, later, world.ids["vol_a"], emit=False)
    assign(db, full, world.ids["vol_a2"], emit=False)
    assert understaffed_scan(db) == 1
    assert understaffed_scan(db) == 0
    [row] = rows(db)
    assert row.kind == "leader_understaffed" and row.shift_id == soon.shift_id
    assert "har bara 1 av minst 3 vandrare" in row.body
    clock.freeze(NOW + timedelta(hours=13))
    assert understaffed_scan(db) == 1  # now the later walk is within 48 h


def test_person_erased_scrubs_number_and_text(app, world, db, frozen):
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    rows(db)[0].status = "sent"
    events.emit(db, events.PersonErased(user_id=world.ids["vol_a"]))
    found = rows(db, user_id=world.ids["vol_a"])
    assert {(r.to_e164, r.body) for r in found} == {("", "")}
    assert statuses(found) == [
        ("confirmation", "sent"),
        ("reminder", "cancelled"),
        ("reminder", "cancelled"),
    ]


def test_nothing_queued_for_a_walk_that_started(app, world, db, frozen):
    walk = make_walk(db, world, start=NOW - timedelta(minutes=5))
    assign(db, walk, world.ids["vol_a"])
    assert rows(db) == []


def test_a_walk_cancelled_or_changed_while_under_way_is_still_told_until_its_end(
    app, world, db, frozen
):
    """A notice of a change or cancellation is useful until the walk's end: the walkers of a
    walk called off at 22:00 while they are out are told (a confirmation or reminder is not
    queued once the walk has started)."""
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    assign(db, walk, world.ids["vol_a2"])
    db.commit()
    clock.freeze(START + timedelta(hours=1))  # an hour into the walk
    shift = db.get(Shift, walk.shift_id)
    shift.end_at = START + timedelta(hours=3)  # ends an hour early
    shift.sequence += 1
    db.flush()
    events.emit(
        db, events.ShiftChanged(shift_id=walk.shift_id, time_changed=True, place_changed=False)
    )
    changes = [r for r in rows(db, user_id=world.ids["vol_a"]) if r.kind == "change"]
    assert [(r.status, r.not_after) for r in changes] == [("pending", shift.end_at)]
    assert not [r for r in rows(db) if r.kind == "reminder" and r.status == "pending"]

    clock.freeze(START + timedelta(hours=2))
    events.emit(db, events.ShiftCancelled(shift_id=walk.shift_id, reason="storm"))
    told = [r for r in rows(db) if r.kind == "cancellation"]
    assert sorted(r.user_id for r in told) == sorted([world.ids["vol_a"], world.ids["vol_a2"]])
    assert {(r.status, r.not_after) for r in told} == {("pending", shift.end_at)}

    clock.freeze(shift.end_at)  # nothing is queued about a walk that has ended
    assign(db, make_walk(db, world, start=START - timedelta(hours=5)), world.ids["vol_b"])
    assert rows(db, user_id=world.ids["vol_b"]) == []
