"""Who may walk a given night: the members a leader picks the group from.

``refusal`` is the pure rule (the same age and overlap rules as ``rules.check_roster_add``,
plus "answered STOPP"): it says why a member cannot walk that night, or nothing. The group
picker, adding several members at once and "Vi behöver en till" all ask it, so a member the
picker offers is one the service accepts, and a member it greys out carries the reason.

``candidates`` reads what the rule needs for every member of an association in a fixed
number of queries (members; their other walks that overlap the shift), whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role, User
from ..i18n import _l
from ..planning.models import Shift, ShiftStatus
from ..planning.schedule import evening_of
from .models import Assignment, AssignmentStatus, Booking, BookingStatus
from .rules import age_in_year

OCCUPYING = (AssignmentStatus.ASSIGNED, AssignmentStatus.CONFIRMED)


@dataclass(frozen=True)
class Refusal:
    code: str  # too_young, birth_year_missing, overlap, opted_out
    message: str


def refusal(
    *, min_age: int, evening: date, birth_year: int | None, busy: bool, opted_out: bool
) -> Refusal | None:
    """Why a member cannot walk the evening ``evening`` (None: they can).

    In the order a leader would fix them: the age rule (the birth year missing, then too
    young), then another walk that overlaps, then "answered STOPP" (the group is asked and
    reminded by SMS).
    """
    if min_age > 0:
        if birth_year is None:
            missing = _l("Födelseår saknas (krävs för åldersgränsen)")
            return Refusal("birth_year_missing", str(missing))
        age = age_in_year(birth_year, evening)
        if age < min_age:
            return Refusal(
                "too_young",
                str(_l("För ung: fyller %(age)s i år, minst %(min)s krävs", age=age, min=min_age)),
            )
    if busy:
        return Refusal("overlap", str(_l("Upptagen: går ett annat pass samma kväll")))
    if opted_out:
        return Refusal("opted_out", str(_l("Har svarat STOPP på SMS")))
    return None


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    birth_year: int | None
    phone_e164: str | None
    on_group: bool  # already in this group (or answered NEJ to it)
    refusal: Refusal | None

    @property
    def eligible(self) -> bool:
        return not self.on_group and self.refusal is None


def busy_user_ids(session: Session, shift: Shift, user_ids: list[int] | None = None) -> set[int]:
    """Who of ``user_ids`` (None: anyone) walks another live walk that overlaps ``shift``."""
    query = (
        select(Assignment.user_id)
        .join(Shift, col(Shift.id) == Assignment.shift_id)
        .join(Booking, col(Booking.id) == Assignment.booking_id)
        .where(
            col(Assignment.status).in_(OCCUPYING),
            Assignment.shift_id != shift.id,
            Booking.status == BookingStatus.ACTIVE,
            Shift.status != ShiftStatus.CANCELLED,
            Shift.start_at < shift.end_at,
            Shift.end_at > shift.start_at,
        )
    )
    if user_ids is not None:
        query = query.where(col(Assignment.user_id).in_(user_ids))
    return set(session.exec(query).all())


def candidates(
    session: Session, *, association_id: int, shift: Shift, booking_id: int
) -> list[Candidate]:
    """Every volunteer of the association, by name, with whether they can walk the shift.

    Two queries: the members (with whether they are on this shift already), and who of
    them walks an overlapping walk elsewhere.
    """
    on_shift = (
        select(Assignment.user_id)
        .where(Assignment.shift_id == shift.id)
        .scalar_subquery()  # any group of the shift, also a declined answer
    )
    rows = session.exec(
        select(User, col(User.id).in_(on_shift))
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.association_id == association_id,
            Membership.role == Role.VOLUNTEER,
            col(User.anonymized_at).is_(None),
        )
        .order_by(col(User.name), col(User.id))
    ).all()
    ids = [user.id for user, _on in rows if user.id is not None]
    busy = busy_user_ids(session, shift, ids) if ids else set()
    evening = evening_of(shift.start_at)
    found = []
    for user, on_group in rows:
        found.append(
            Candidate(
                user_id=user.id,  # type: ignore[arg-type]
                name=user.name,
                birth_year=user.birth_year,
                phone_e164=user.phone_e164,
                on_group=bool(on_group),
                refusal=refusal(
                    min_age=shift.min_age,
                    evening=evening,
                    birth_year=user.birth_year,
                    busy=user.id in busy,
                    opted_out=user.sms_opt_out,
                ),
            )
        )
    return found
