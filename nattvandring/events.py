"""Domain events, delivered synchronously inside the caller's transaction.

Planning and booking announce what changed; messaging (SMS outbox) and calendars (e-mail
invites) subscribe and write their outbox rows in the same session, so a change and its
notifications commit or roll back together. Subscribers must only flush, never commit, and
must not call outside services.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

log = logging.getLogger(__name__)

Handler = Callable[[Session, Any], None]
_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def emit(session: Session, event: Any) -> None:
    for handler in list(_handlers[type(event)]):
        handler(session, event)


def load_subscribers() -> None:
    """Import every area's ``subscribers`` module (called by the app factory)."""
    from .discovery import area_modules

    area_modules("subscribers")


# --- the events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentAdded:
    """A volunteer was put in the walking group of a shift."""

    assignment_id: int
    shift_id: int
    user_id: int
    association_id: int
    actor_id: int | None


@dataclass(frozen=True)
class AssignmentRemoved:
    assignment_id: int
    shift_id: int
    user_id: int
    association_id: int
    actor_id: int | None


@dataclass(frozen=True)
class AssignmentConfirmed:
    assignment_id: int
    shift_id: int
    user_id: int
    association_id: int


@dataclass(frozen=True)
class AssignmentDeclined:
    """A volunteer declined (web or SMS); the leader is told."""

    assignment_id: int
    shift_id: int
    user_id: int
    association_id: int


@dataclass(frozen=True)
class ShiftChanged:
    """Time or place of a shift changed (its SEQUENCE was bumped)."""

    shift_id: int
    time_changed: bool
    place_changed: bool


@dataclass(frozen=True)
class ShiftCancelled:
    """A coordinator cancelled a shift; booking ends its active bookings (same transaction)."""

    shift_id: int
    reason: str
    actor_id: int | None = None


@dataclass(frozen=True)
class BookingCreated:
    booking_id: int
    shift_id: int
    association_id: int
    actor_id: int | None


@dataclass(frozen=True)
class BookingCancelled:
    booking_id: int
    shift_id: int
    association_id: int
    actor_id: int | None
    reason: str


@dataclass(frozen=True)
class ReserveOffered:
    """A cancelled shift was offered to the first association on its reserve list."""

    reserve_entry_id: int
    shift_id: int
    association_id: int
    expires_at: Any = None  # aware UTC datetime: the end of the association's sole turn


@dataclass(frozen=True)
class WalkerCallOpened:
    """A group asked these members by SMS for one more walker ("Vi behöver en till")."""

    call_id: int
    shift_id: int
    association_id: int
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class WalkerCallFilled:
    """A walker call got its walker: asks not yet sent are not sent."""

    call_id: int
    shift_id: int
    association_id: int


@dataclass(frozen=True)
class BookingRoundDrawn:
    """A booking round was drawn: its bookings exist, its leaders are to hear the result."""

    round_id: int


@dataclass(frozen=True)
class ReserveOfferExpired:
    """An offer from the reserve list ended unanswered (the shift goes to the next in line)."""

    reserve_entry_id: int
    shift_id: int
    association_id: int


@dataclass(frozen=True)
class ReportDue:
    """A walk ended without a filed report and its reminder is due (the leader gets an SMS)."""

    shift_id: int
    booking_id: int
    association_id: int
    due_at: Any  # aware UTC datetime: when the report must be filed


@dataclass(frozen=True)
class PersonErased:
    """A volunteer was anonymised; areas holding copies of their data scrub them."""

    user_id: int


@dataclass(frozen=True)
class AssociationApproved:
    """The coordinator approved an association: its waiting membership questions go out."""

    association_id: int
