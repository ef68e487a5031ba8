"""Building the walking group in one step: several members added at once, all or none.

Each member goes through ``services_roster.add_to_roster`` (locks, capacity, age, overlap),
plus the picker's one extra rule: a member who answered STOPP is not added by the leader (the
group is asked and reminded by SMS; ``candidates.refusal``). If any chosen member is refused,
nobody is added (a savepoint is rolled back) and the message names each refused member and
why, so the leader fixes the selection and sends it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from ..accounts.models import Membership, Role, User
from ..clock import utcnow
from ..errors import NotFound, RuleViolation
from ..i18n import _l
from .locking import lock_association, lock_shift
from .models import Assignment, Booking
from .services_roster import add_to_roster


class SelectionRefused(RuleViolation):
    """Some chosen members cannot walk; ``refused`` holds (name, reason) of each."""

    def __init__(self, refused: list[tuple[str, str]]) -> None:
        listed = "; ".join(f"{name}: {reason}" for name, reason in refused)
        super().__init__(
            "selection_refused",
            str(
                _l(
                    "Ingen lades till, eftersom %(n)s av de valda inte kan gå: %(list)s. "
                    "Avmarkera dem och försök igen.",
                    n=len(refused),
                    list=listed,
                )
            ),
            field="user_id",
        )
        self.refused = refused


def _member_names(session: Session, association_id: int, user_ids: list[int]) -> dict[int, User]:
    rows = session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(
            Membership.association_id == association_id,
            Membership.role == Role.VOLUNTEER,
            col(User.id).in_(user_ids),
        )
    ).all()
    return {user.id: user for user in rows}  # type: ignore[misc]


def add_members(
    session: Session,
    *,
    booking_id: int,
    user_ids: list[int],
    actor_id: int | None,
    now: datetime | None = None,
) -> list[Assignment]:
    """Add every chosen member to the booking's group, or nobody (``SelectionRefused``).

    One chosen member who is refused raises that member's own violation (the codes of
    ``add_to_roster``, or ``opted_out``), as adding one member always has.
    """
    moment = now or utcnow()
    chosen = list(dict.fromkeys(user_ids))
    if not chosen:
        raise RuleViolation("nobody_chosen", str(_l("Välj minst en medlem.")), field="user_id")
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound()
    lock_association(session, booking.association_id)
    lock_shift(session, booking.shift_id)
    members = _member_names(session, booking.association_id, chosen)
    refused: list[tuple[str, RuleViolation]] = []
    added: list[Assignment] = []
    savepoint = session.begin_nested()
    for user_id in chosen:
        member = members.get(user_id)
        # A chosen id that is not a member is named by nothing but that fact.
        name = member.name if member is not None else str(_l("en person som inte är medlem"))
        try:
            if member is not None and member.sms_opt_out:
                stop = _l("%(name)s har svarat STOPP på SMS och kan inte läggas till.", name=name)
                raise RuleViolation("opted_out", str(stop), field="user_id")
            added.append(
                add_to_roster(
                    session, booking_id=booking_id, user_id=user_id, actor_id=actor_id, now=moment
                )
            )
        except RuleViolation as violation:
            refused.append((name, violation))
    if refused:
        savepoint.rollback()
        if len(chosen) == 1:
            raise refused[0][1]
        raise SelectionRefused([(name, str(v.message)) for name, v in refused])
    savepoint.commit()
    return added
