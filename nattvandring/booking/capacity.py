"""Shared shifts and group status as pure rules over plain numbers.

A shift's ``max_walkers`` is the shift's, shared by every association that books it (when the
municipality allows several per shift); ``min_walkers`` is what each walking group needs.
Every booked group is promised room to reach that minimum, so another group's places count
as at least the minimum even while it is still filling up: otherwise the first group could
take the whole shift and leave the second booked but unable ever to reach its minimum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import RuleViolation
from ..i18n import _l

#: Values of ``GroupStatus.state``.
FULLY_STAFFED = "fully_staffed"
STAFFED = "staffed"
BELOW_MINIMUM = "below_minimum"


def held(walkers: int, min_walkers: int) -> int:
    """Places a booked group holds on the shift: its walkers, but at least the minimum."""
    return max(walkers, min_walkers)


def groups_holding_room(
    walkers: Mapping[int, int], offers: int, *, besides: int | None = None
) -> list[int]:
    """The groups holding room on a shift, besides booking ``besides``: the walkers of each
    active booking (``walkers``, by booking), and an empty group for each open offer from the
    reserve list. The offered association's group is promised its minimum while the offer
    runs, so the groups already booked cannot fill that room meanwhile."""
    return [*(w for booking, w in walkers.items() if booking != besides), *[0] * offers]


def room_for_group(
    *, max_walkers: int | None, min_walkers: int, own: int, others: Sequence[int]
) -> int | None:
    """Places this group may still fill (``None``: no maximum). ``others``: the walkers of
    each other active group on the shift. Never negative."""
    if max_walkers is None:
        return None
    return max(max_walkers - sum(held(w, min_walkers) for w in others) - own, 0)


def check_room_to_book(*, max_walkers: int | None, min_walkers: int, groups: Sequence[int]) -> None:
    """May one more group book a shift that others have booked? Only if the room left is at
    least the group minimum (``no_room_for_group``). ``groups``: the walkers of each active
    group on the shift."""
    if max_walkers is None or not groups:
        # The first group: the shift's own limits (validated when it was planned) apply.
        return
    left = max(max_walkers - sum(held(w, min_walkers) for w in groups), 0)
    if left < min_walkers:
        raise RuleViolation(
            "no_room_for_group",
            _l(
                "Passet har plats för %(left)s nattvandrare till, men en grupp behöver minst "
                "%(min)s. Passet kan inte bokas av fler föreningar.",
                left=left,
                min=min_walkers,
            ),
        )


@dataclass(frozen=True)
class GroupStatus:
    """A walking group against its minimum and maximum."""

    confirmed: int
    waiting: int  # asked, no answer yet
    missing: int  # places to the minimum that nobody has even been asked for
    min_walkers: int
    max_walkers: int | None  # the group's own maximum (the shift's, less the other groups)
    state: str


def group_status(
    *, confirmed: int, waiting: int, min_walkers: int, max_walkers: int | None
) -> GroupStatus:
    """Fully staffed only when confirmed walkers fill the maximum; staffed when confirmed
    walkers reach the minimum; otherwise below the minimum (waiting answers do not count)."""
    if min(confirmed, waiting, min_walkers) < 0:
        raise ValueError("counts cannot be negative")
    if max_walkers is not None and confirmed >= max_walkers and confirmed >= min_walkers:
        state = FULLY_STAFFED
    elif confirmed >= min_walkers:
        state = STAFFED
    else:
        state = BELOW_MINIMUM
    return GroupStatus(
        confirmed=confirmed,
        waiting=waiting,
        missing=max(min_walkers - confirmed - waiting, 0),
        min_walkers=min_walkers,
        max_walkers=max_walkers,
        state=state,
    )
