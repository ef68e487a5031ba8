"""Booking and roster rules as pure functions over plain values.

Each ``check_*`` function returns ``None`` when the action is allowed and raises
``RuleViolation`` with a stable ``code`` otherwise. Checks run in the documented order, so
the user sees the most fundamental refusal first. Instants must be aware datetimes; naive
values raise ``ValueError`` (via ``clock.ensure_utc``) rather than being guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from nattvandring.clock import ensure_utc
from nattvandring.errors import RuleViolation
from nattvandring.i18n import _l
from nattvandring.planning.schedule import evening_of

SHIFT_STATUSES = frozenset({"planned", "booked", "cancelled"})

#: Values returned by ``shift_fill_state``.
FILL_CANCELLED = "cancelled"
FILL_OPEN = "open"
FILL_BELOW_MINIMUM = "below_minimum"
FILL_OK = "ok"


def check_association_may_book(association_status: str) -> None:
    """Only an approved association books (a night, a reserve place, a round's wishes). The
    refusal says why: still waiting for approval, or suspended by the coordinator."""
    if association_status == "suspended":
        raise RuleViolation(
            "association_not_approved",
            _l("Föreningen är avstängd av kommunens samordnare och kan inte boka pass."),
        )
    if association_status != "approved":
        raise RuleViolation(
            "association_not_approved",
            _l("Föreningen måste vara godkänd av samordnaren innan den kan boka pass."),
        )


def check_can_book(
    *,
    now: datetime,
    shift_start: datetime,
    shift_status: str,
    association_status: str,
    active_bookings_on_shift: int,
    max_associations_per_shift: int = 1,
    bookings_this_month: int,
    monthly_cap: int | None,
) -> None:
    """May an association book this shift?

    Order of checks and codes: ``association_not_approved`` (status must be
    ``"approved"``), ``shift_cancelled``, ``shift_started`` (booking at or after the start
    is refused), ``shift_taken`` (``active_bookings_on_shift`` already at
    ``max_associations_per_shift``), ``monthly_cap`` (``bookings_this_month`` already at
    ``monthly_cap``; ``None`` means no cap). The status ``"booked"`` alone does not mean
    taken: with room for several associations the booking count decides.
    """
    if shift_status not in SHIFT_STATUSES:
        raise ValueError(f"unknown shift status {shift_status!r}")
    check_association_may_book(association_status)
    if shift_status == "cancelled":
        raise RuleViolation("shift_cancelled", _l("Passet är inställt och kan inte bokas."))
    if ensure_utc(now) >= ensure_utc(shift_start):
        raise RuleViolation("shift_started", _l("Passet har redan börjat och kan inte bokas."))
    if active_bookings_on_shift >= max_associations_per_shift:
        raise RuleViolation("shift_taken", _l("Passet är redan bokat av en annan förening."))
    if monthly_cap is not None and bookings_this_month >= monthly_cap:
        raise RuleViolation(
            "monthly_cap",
            _l(
                "Föreningen har redan bokat %(cap)s pass den här månaden, vilket är taket.",
                cap=monthly_cap,
            ),
        )


def leader_cancel_deadline(shift_start: datetime, deadline_hours: int = 72) -> datetime:
    """Last instant at which a leader may still cancel: ``shift_start - deadline_hours``."""
    return ensure_utc(shift_start) - timedelta(hours=deadline_hours)


def check_leader_can_cancel(
    *, now: datetime, shift_start: datetime, deadline_hours: int = 72
) -> None:
    """May the association leader cancel the booking themselves?

    Allowed while ``now <= shift_start - deadline_hours`` (cancelling exactly at the
    deadline is still allowed). After that only the coordinator can cancel:
    ``cancel_deadline_passed``.
    """
    if ensure_utc(now) > leader_cancel_deadline(shift_start, deadline_hours):
        raise RuleViolation(
            "cancel_deadline_passed",
            _l(
                "Det är mindre än %(hours)s timmar kvar till passet. "
                "Nu kan bara samordnaren avboka det.",
                hours=deadline_hours,
            ),
        )


def check_coordinator_cancel(*, reason: str) -> None:
    """A coordinator cancellation needs a non-blank reason: ``reason_required``."""
    if not (reason or "").strip():
        raise RuleViolation(
            "reason_required", _l("Ange en anledning till avbokningen."), field="reason"
        )


def age_in_year(birth_year: int, on: date) -> int:
    """Age reached during the calendar year of ``on`` (only the birth year is stored)."""
    return on.year - birth_year


def intervals_overlap(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime
) -> bool:
    """True when the half-open intervals ``[a_start, a_end)`` and ``[b_start, b_end)`` meet.

    Back-to-back shifts (one ends when the other starts) do not overlap.
    """
    return ensure_utc(a_start) < ensure_utc(b_end) and ensure_utc(b_start) < ensure_utc(a_end)


def check_roster_add(
    *,
    now: datetime,
    shift_start: datetime,
    shift_end: datetime,
    max_walkers: int | None,
    current_walkers: int,
    min_age: int,
    birth_year: int | None,
    already_on_shift: bool,
    overlapping: Sequence[tuple[datetime, datetime]],
) -> None:
    """May this volunteer be added to the shift's walking group?

    ``overlapping`` holds the volunteer's other shifts as ``(start, end)`` pairs (it may
    hold shifts that do not overlap; this function tests them). Age is counted for the
    year of the evening the shift starts (``evening_of``). Order of checks and codes:
    ``shift_started``, ``already_on_shift``, ``roster_full`` (``max_walkers`` ``None`` means
    no limit), ``birth_year_missing`` (only when ``min_age > 0``), ``too_young``,
    ``overlap``.
    """
    if ensure_utc(shift_end) <= ensure_utc(shift_start):
        raise ValueError("shift_end must be after shift_start")
    if ensure_utc(now) >= ensure_utc(shift_start):
        raise RuleViolation(
            "shift_started", _l("Passet har redan börjat. Gruppen kan inte ändras nu.")
        )
    if already_on_shift:
        raise RuleViolation("already_on_shift", _l("Nattvandraren är redan med på det här passet."))
    if max_walkers is not None and current_walkers >= max_walkers:
        raise RuleViolation(
            "roster_full",
            _l("Passet är fullt (högst %(max)s nattvandrare).", max=max_walkers),
        )
    if min_age > 0:
        if birth_year is None:
            raise RuleViolation(
                "birth_year_missing",
                _l("Födelseår saknas. Det behövs för att kontrollera åldersgränsen."),
                field="birth_year",
            )
        if age_in_year(birth_year, evening_of(shift_start)) < min_age:
            raise RuleViolation(
                "too_young",
                _l(
                    "Nattvandrare måste fylla minst %(age)s år under det år passet går.",
                    age=min_age,
                ),
                field="birth_year",
            )
    for other_start, other_end in overlapping:
        if intervals_overlap(shift_start, shift_end, other_start, other_end):
            raise RuleViolation(
                "overlap", _l("Nattvandraren är redan med på ett pass som överlappar.")
            )


def is_below_minimum(*, walkers: int, min_walkers: int) -> bool:
    """True when fewer than ``min_walkers`` walkers are on the roster."""
    return walkers < min_walkers


def shift_fill_state(*, booked: bool, cancelled: bool, walkers: int, min_walkers: int) -> str:
    """Coverage state for overviews.

    ``"cancelled"`` wins over everything, an unbooked shift is ``"open"``, a booked shift
    with too few walkers is ``"below_minimum"``, otherwise ``"ok"``.
    """
    if cancelled:
        return FILL_CANCELLED
    if not booked:
        return FILL_OPEN
    if is_below_minimum(walkers=walkers, min_walkers=min_walkers):
        return FILL_BELOW_MINIMUM
    return FILL_OK
