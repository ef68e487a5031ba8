"""Tests for nattvandring.booking.rules (pure, no app, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from nattvandring.booking.rules import (
    age_in_year,
    check_can_book,
    check_coordinator_cancel,
    check_leader_can_cancel,
    check_roster_add,
    intervals_overlap,
    is_below_minimum,
    leader_cancel_deadline,
    shift_fill_state,
)
from nattvandring.clock import STOCKHOLM
from nattvandring.errors import RuleViolation

# Friday 2026-05-08 20:00-23:00 local (summer time) = 18:00-21:00 UTC.
START = datetime(2026, 5, 8, 18, 0, tzinfo=UTC)
END = datetime(2026, 5, 8, 21, 0, tzinfo=UTC)
BEFORE = START - timedelta(days=5)


def book(**overrides):
    values = dict(
        now=BEFORE,
        shift_start=START,
        shift_status="planned",
        association_status="approved",
        active_bookings_on_shift=0,
        bookings_this_month=0,
        monthly_cap=None,
    )
    values.update(overrides)
    return check_can_book(**values)


def roster(**overrides):
    values = dict(
        now=BEFORE,
        shift_start=START,
        shift_end=END,
        max_walkers=5,
        current_walkers=2,
        min_age=18,
        birth_year=1980,
        already_on_shift=False,
        overlapping=[],
    )
    values.update(overrides)
    return check_roster_add(**values)


def refused(func, **overrides) -> RuleViolation:
    with pytest.raises(RuleViolation) as err:
        func(**overrides)
    return err.value


# --- check_can_book -------------------------------------------------------------------


def test_booking_an_open_shift_is_allowed():
    assert book() is None


def test_booking_one_microsecond_before_start_is_allowed():
    assert book(now=START - timedelta(microseconds=1)) is None


def test_booking_exactly_at_start_is_refused():
    err = refused(book, now=START)
    assert err.code == "shift_started"
    assert str(err) == "Passet har redan börjat och kan inte bokas."


def test_booking_after_start_is_refused():
    assert refused(book, now=START + timedelta(hours=1)).code == "shift_started"


def test_booking_compares_instants_not_wall_clock():
    # 19:30 Stockholm summer time is 17:30 UTC: before the 18:00 UTC start.
    assert book(now=datetime(2026, 5, 8, 19, 30, tzinfo=STOCKHOLM)) is None
    assert refused(book, now=datetime(2026, 5, 8, 20, 0, tzinfo=STOCKHOLM)).code == (
        "shift_started"
    )


def test_booking_a_cancelled_shift_is_refused():
    err = refused(book, shift_status="cancelled")
    assert err.code == "shift_cancelled"
    assert str(err) == "Passet är inställt och kan inte bokas."


@pytest.mark.parametrize("status", ["pending", "suspended", "rejected", ""])
def test_unapproved_association_cannot_book(status):
    err = refused(book, association_status=status)
    assert err.code == "association_not_approved"


def test_the_refusal_says_whether_the_association_waits_or_is_suspended():
    assert str(refused(book, association_status="pending")) == (
        "Föreningen måste vara godkänd av samordnaren innan den kan boka pass."
    )
    assert str(refused(book, association_status="suspended")) == (
        "Föreningen är avstängd av kommunens samordnare och kan inte boka pass."
    )


def test_unapproved_association_is_reported_before_anything_else():
    err = refused(book, association_status="pending", shift_status="cancelled", now=START)
    assert err.code == "association_not_approved"


def test_taken_shift_is_refused():
    err = refused(book, shift_status="booked", active_bookings_on_shift=1)
    assert err.code == "shift_taken"


def test_shift_with_room_for_two_associations_accepts_a_second():
    assert (
        book(shift_status="booked", active_bookings_on_shift=1, max_associations_per_shift=2)
        is None
    )
    err = refused(book, active_bookings_on_shift=2, max_associations_per_shift=2)
    assert err.code == "shift_taken"


def test_monthly_cap_reached_is_refused():
    err = refused(book, bookings_this_month=4, monthly_cap=4)
    assert err.code == "monthly_cap"
    assert "4" in str(err)


def test_monthly_cap_not_reached_is_allowed():
    assert book(bookings_this_month=3, monthly_cap=4) is None


def test_no_monthly_cap_means_unlimited():
    assert book(bookings_this_month=1000, monthly_cap=None) is None


def test_monthly_cap_zero_refuses_all():
    assert refused(book, bookings_this_month=0, monthly_cap=0).code == "monthly_cap"


def test_unknown_shift_status_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown shift status"):
        book(shift_status="open")


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="naive"):
        book(now=datetime(2026, 5, 1, 12, 0))


# --- cancellation ---------------------------------------------------------------------


def test_leader_cancel_deadline_is_72_hours_before_start():
    assert leader_cancel_deadline(START) == datetime(2026, 5, 5, 18, 0, tzinfo=UTC)
    assert leader_cancel_deadline(START, 24) == datetime(2026, 5, 7, 18, 0, tzinfo=UTC)


def test_leader_can_cancel_before_deadline():
    assert check_leader_can_cancel(now=START - timedelta(hours=100), shift_start=START) is None


def test_leader_can_cancel_exactly_at_deadline():
    assert check_leader_can_cancel(now=START - timedelta(hours=72), shift_start=START) is None


def test_leader_cannot_cancel_one_second_after_deadline():
    now = START - timedelta(hours=72) + timedelta(seconds=1)
    err = refused(check_leader_can_cancel, now=now, shift_start=START)
    assert err.code == "cancel_deadline_passed"
    assert "samordnaren" in str(err)
    assert "72" in str(err)


def test_leader_cannot_cancel_after_start():
    err = refused(check_leader_can_cancel, now=START + timedelta(hours=1), shift_start=START)
    assert err.code == "cancel_deadline_passed"


def test_leader_cancel_deadline_is_configurable():
    now = START - timedelta(hours=30)
    assert check_leader_can_cancel(now=now, shift_start=START, deadline_hours=24) is None
    err = refused(check_leader_can_cancel, now=now, shift_start=START, deadline_hours=48)
    assert err.code == "cancel_deadline_passed"
    assert "48" in str(err)


def test_coordinator_cancel_with_reason_is_allowed():
    assert check_coordinator_cancel(reason="Ovädersvarning") is None


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_coordinator_cancel_needs_a_reason(reason):
    err = refused(check_coordinator_cancel, reason=reason)
    assert err.code == "reason_required"
    assert err.field == "reason"
    assert str(err) == "Ange en anledning till avbokningen."


# --- age ------------------------------------------------------------------------------


def test_age_in_year_counts_the_age_reached_that_year():
    assert age_in_year(2008, date(2026, 1, 1)) == 18
    assert age_in_year(2008, date(2026, 12, 31)) == 18
    assert age_in_year(1980, date(2027, 6, 1)) == 47


# --- check_roster_add -----------------------------------------------------------------


def test_adding_a_walker_is_allowed():
    assert roster() is None


def test_adding_at_or_after_start_is_refused():
    assert refused(roster, now=START).code == "shift_started"
    assert refused(roster, now=END).code == "shift_started"


def test_adding_just_before_start_is_allowed():
    assert roster(now=START - timedelta(seconds=1)) is None


def test_full_roster_is_refused():
    err = refused(roster, max_walkers=5, current_walkers=5)
    assert err.code == "roster_full"
    assert "5" in str(err)


def test_last_free_place_can_be_taken():
    assert roster(max_walkers=5, current_walkers=4) is None


def test_no_walker_limit():
    assert roster(max_walkers=None, current_walkers=50) is None


def test_walker_turning_exactly_18_that_year_is_allowed():
    assert roster(birth_year=2008, min_age=18) is None  # shift in 2026


def test_walker_turning_17_that_year_is_too_young():
    err = refused(roster, birth_year=2009, min_age=18)
    assert err.code == "too_young"
    assert err.field == "birth_year"
    assert "18" in str(err)


def test_age_uses_the_year_of_the_evening_the_walk_started():
    # New Year's Eve 2026 22:00 local (21:00 UTC) until 02:00 on 1 January 2027.
    start = datetime(2026, 12, 31, 21, 0, tzinfo=UTC)
    end = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    err = refused(roster, shift_start=start, shift_end=end, birth_year=2009, min_age=18, now=BEFORE)
    assert err.code == "too_young"
    # An evening starting in 2027 accepts the same walker.
    start_2027 = datetime(2027, 1, 1, 19, 0, tzinfo=UTC)
    assert (
        roster(shift_start=start_2027, shift_end=start_2027 + timedelta(hours=3), birth_year=2009)
        is None
    )


def test_age_limit_of_22():
    assert refused(roster, birth_year=2005, min_age=22).code == "too_young"
    assert roster(birth_year=2004, min_age=22) is None


def test_missing_birth_year_is_refused_when_there_is_an_age_limit():
    err = refused(roster, birth_year=None, min_age=18)
    assert err.code == "birth_year_missing"
    assert err.field == "birth_year"


def test_missing_birth_year_is_fine_without_an_age_limit():
    assert roster(birth_year=None, min_age=0) is None


def test_walker_already_on_shift_is_refused():
    assert refused(roster, already_on_shift=True).code == "already_on_shift"


def test_already_on_shift_is_reported_before_full():
    err = refused(roster, already_on_shift=True, max_walkers=2, current_walkers=2)
    assert err.code == "already_on_shift"


def test_overlapping_shift_is_refused():
    other = (START + timedelta(hours=2), END + timedelta(hours=2))
    err = refused(roster, overlapping=[other])
    assert err.code == "overlap"


def test_shift_containing_ours_overlaps():
    other = (START - timedelta(hours=1), END + timedelta(hours=1))
    assert refused(roster, overlapping=[other]).code == "overlap"


def test_back_to_back_shifts_do_not_overlap():
    before = (START - timedelta(hours=3), START)
    after = (END, END + timedelta(hours=3))
    assert roster(overlapping=[before, after]) is None


def test_one_overlap_among_many_is_found():
    far = (START - timedelta(days=7), END - timedelta(days=7))
    touching = (END, END + timedelta(hours=1))
    inside = (START + timedelta(minutes=30), START + timedelta(minutes=60))
    assert refused(roster, overlapping=[far, touching, inside]).code == "overlap"


def test_roster_rejects_a_shift_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="shift_end"):
        roster(shift_end=START)


def test_intervals_overlap_is_half_open():
    a, b = START, END
    assert intervals_overlap(a, b, a, b) is True
    assert intervals_overlap(a, b, b, b + timedelta(hours=1)) is False
    assert intervals_overlap(a, b, a - timedelta(hours=1), a) is False
    assert intervals_overlap(a, b, b - timedelta(seconds=1), b + timedelta(hours=1)) is True


# --- fill state -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("walkers", "minimum", "below"), [(0, 2, True), (1, 2, True), (2, 2, False), (5, 3, False)]
)
def test_is_below_minimum(walkers, minimum, below):
    assert is_below_minimum(walkers=walkers, min_walkers=minimum) is below


@pytest.mark.parametrize(
    ("booked", "cancelled", "walkers", "state"),
    [
        (True, True, 5, "cancelled"),
        (False, True, 0, "cancelled"),
        (False, False, 0, "open"),
        (False, False, 3, "open"),
        (True, False, 2, "below_minimum"),
        (True, False, 0, "below_minimum"),
        (True, False, 3, "ok"),
        (True, False, 4, "ok"),
    ],
)
def test_shift_fill_state(booked, cancelled, walkers, state):
    assert (
        shift_fill_state(booked=booked, cancelled=cancelled, walkers=walkers, min_walkers=3)
        == state
    )
