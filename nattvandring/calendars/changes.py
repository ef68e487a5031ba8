"""The one place where calendar versions move: a flush listener on every ORM session.

After each flush it looks at what was written. A walk whose shown data changed (its shift's
time, place or status; a booking; a walker added, removed or declining; a cancelled walk
left behind; the shown text of its area, association or municipality) gets its
``EventVersion`` raised, and so does the ``FeedVersion`` of every feed that shows the walk,
including the feeds it just left (the old area, a removed walker). Writes that change
nothing a feed shows (a shift's notes, a volunteer's name) move nothing.

Both counters are raised with one ``INSERT .. ON CONFLICT DO UPDATE`` each, in the writer's
transaction, so they commit or roll back with the change itself, and concurrent writers
serialise on the counter row. ``changed`` goes up by at least one second per change, so
Last-Modified (whole seconds in HTTP) moves with every change and never goes back.

Core (non-ORM) writes to the watched tables bypass this listener; there are none outside
``calendars`` (which only deletes cancelled walks that no feed shows any more).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, event, inspect, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col

from ..associations.models import Association
from ..booking.models import Assignment, AssignmentStatus, Booking
from ..clock import utcnow
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
from .models import CancelledWalk, EventVersion, FeedVersion

FeedKey = tuple[str, int]

# The columns a feed or invite shows, per watched table (insert and delete always count).
SHOWN: dict[type, tuple[str, ...]] = {
    Shift: ("start_at", "end_at", "status", "area_id", "municipality_id", "sequence",
            "cancelled_at", "special_key"),
    Booking: ("status", "association_id", "shift_id", "cancelled_at"),
    Assignment: ("status", "shift_id", "booking_id", "user_id"),
    CancelledWalk: ("shift_id", "user_id", "booking_id"),
    PatrolArea: ("name", "meeting_point", "latitude", "longitude", "municipality_id"),
    Association: ("name", "contact_name", "contact_phone"),
    Municipality: ("name", "slug"),
}  # fmt: skip


def epoch_seconds(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp())


class Changes:
    """What one flush changed: walks (shift ids) and feeds beyond those walks' owners."""

    def __init__(self) -> None:
        self.shifts: set[int] = set()
        self.feeds: set[FeedKey] = set()
        self.areas: set[int] = set()
        self.associations: set[int] = set()
        self.municipalities: set[int] = set()

    def __bool__(self) -> bool:
        return bool(
            self.shifts or self.feeds or self.areas or self.associations or self.municipalities
        )

    def add(self, other: Changes) -> None:
        self.shifts |= other.shifts
        self.feeds |= other.feeds
        self.areas |= other.areas
        self.associations |= other.associations
        self.municipalities |= other.municipalities


def _touched(obj: Any, is_new_or_deleted: bool) -> bool:
    if is_new_or_deleted:
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in SHOWN[type(obj)])


def _values(obj: Any, name: str) -> set[Any]:
    """The attribute's current value and the one it had before the flush."""
    state = inspect(obj)
    # From the loaded state: a deleted row must not be loaded again.
    found = {state.dict.get(name), *state.attrs[name].history.deleted}
    return {value for value in found if value is not None}


def collect(session: Session) -> Changes:
    """Read the flush's new, dirty and deleted objects (still listed in ``after_flush``)."""
    changes = Changes()
    new_or_deleted = set(map(id, session.new)) | set(map(id, session.deleted))
    for obj in [*session.new, *session.dirty, *session.deleted]:
        kind = type(obj)
        if kind not in SHOWN or not _touched(obj, id(obj) in new_or_deleted):
            continue
        if kind is Shift:
            if obj not in session.deleted:
                changes.shifts.add(obj.id)
            changes.feeds |= {("area", a) for a in _values(obj, "area_id")}
            changes.feeds |= {("municipality", m) for m in _values(obj, "municipality_id")}
        elif kind is Booking:
            changes.shifts |= _values(obj, "shift_id")
            changes.feeds |= {("association", a) for a in _values(obj, "association_id")}
        elif kind in (Assignment, CancelledWalk):
            changes.shifts |= _values(obj, "shift_id")
            # A removed or declining walker's feed loses the walk: not found by owners().
            # A walker who had declined (and still has) never saw it.
            shown = kind is CancelledWalk or _values(obj, "status") != {AssignmentStatus.DECLINED}
            if shown:
                changes.feeds |= {("person", u) for u in _values(obj, "user_id")}
            if kind is Assignment:
                changes.feeds |= _booking_owner(session, _values(obj, "booking_id"))
        elif kind is PatrolArea:
            changes.areas.add(obj.id)
            changes.feeds.add(("area", obj.id))
        elif kind is Association:
            changes.associations.add(obj.id)
            changes.feeds.add(("association", obj.id))
        elif kind is Municipality:
            changes.municipalities.add(obj.id)
            changes.feeds.add(("municipality", obj.id))
    return changes


def _booking_owner(session: Session, booking_ids: set[int]) -> set[FeedKey]:
    if not booking_ids:
        return set()
    rows = session.connection().execute(
        select(col(Booking.association_id)).where(col(Booking.id).in_(booking_ids))
    )
    return {("association", association_id) for (association_id,) in rows}


def shifts_of_owners(session: Session, changes: Changes) -> set[int]:
    """Walks whose shown text changed with an area, association or municipality."""
    conditions = []
    if changes.areas:
        conditions.append(col(Shift.area_id).in_(changes.areas))
    if changes.municipalities:
        conditions.append(col(Shift.municipality_id).in_(changes.municipalities))
    if changes.associations:
        booked = select(col(Booking.shift_id)).where(
            col(Booking.association_id).in_(changes.associations)
        )
        conditions.append(col(Shift.id).in_(booked))
    if not conditions:
        return set()
    rows = session.connection().execute(select(col(Shift.id)).where(or_(*conditions)))
    return {shift_id for (shift_id,) in rows if shift_id is not None}


def owners(session: Session, shift_ids: Iterable[int]) -> set[FeedKey]:
    """Every feed that shows one of these walks now."""
    ids = sorted(set(shift_ids))
    if not ids:
        return set()
    connection = session.connection()
    found: set[FeedKey] = set()
    for municipality_id, area_id in connection.execute(
        select(col(Shift.municipality_id), col(Shift.area_id)).where(col(Shift.id).in_(ids))
    ):
        found |= {("municipality", municipality_id), ("area", area_id)}
    for (association_id,) in connection.execute(
        select(col(Booking.association_id)).where(col(Booking.shift_id).in_(ids)).distinct()
    ):
        found.add(("association", association_id))
    walkers = select(col(Assignment.user_id)).where(
        col(Assignment.shift_id).in_(ids),
        col(Assignment.status) != AssignmentStatus.DECLINED,
    )
    left = select(col(CancelledWalk.user_id)).where(col(CancelledWalk.shift_id).in_(ids))
    for (user_id,) in connection.execute(walkers.union(left)):
        found.add(("person", user_id))
    return found


def _upsert(session: Session, table: Any, keys: list[dict[str, Any]], counter: str) -> None:
    """Raise ``counter`` by one (a new row starts at 0) and ``changed`` to ``now`` or one
    past its old value."""
    if not keys:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    old_counter, old_changed = table.c[counter], table.c.changed
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key.columns],
        set_={
            counter: old_counter + 1,
            "changed": case(
                (old_changed >= statement.excluded.changed, old_changed + 1),
                else_=statement.excluded.changed,
            ),
        },
    )
    connection = session.connection()
    for key in keys:  # in a fixed order: concurrent writers lock the rows alike
        connection.execute(statement, {**key, counter: 0})


def bump_feeds(session: Session, feeds: Iterable[FeedKey], *, now: datetime) -> None:
    stamp = epoch_seconds(now)
    keys = [
        {"kind": kind, "owner_id": owner_id, "changed": stamp}
        for kind, owner_id in sorted(set(feeds))
    ]
    _upsert(session, FeedVersion.__table__, keys, "version")  # type: ignore[attr-defined]


def bump_events(session: Session, shift_ids: Iterable[int], *, now: datetime) -> None:
    stamp = epoch_seconds(now)
    keys = [{"shift_id": shift_id, "changed": stamp} for shift_id in sorted(set(shift_ids))]
    _upsert(session, EventVersion.__table__, keys, "sequence")  # type: ignore[attr-defined]


def _raised(session: Session) -> dict[str, set[Any]]:
    """What this transaction raised already: once per transaction is enough, since readers
    only see the versions it commits (and a second raise would push ``changed`` ahead)."""
    return session.info.setdefault("calendar_raised", {"events": set(), "feeds": set()})


def record(session: Session, changes: Changes, *, now: datetime | None = None) -> None:
    """Raise the versions of the changed walks and of every feed showing them.

    A walk this transaction raised already is not looked at again: its owners then had
    their feeds raised, and every owner it gained since came with a change of its own,
    which ``collect`` turned into that feed (a walker, a booking, a moved area)."""
    now = now or utcnow()
    raised = _raised(session)
    shifts = (changes.shifts | shifts_of_owners(session, changes)) - raised["events"]
    # A shift deleted in this flush has no event any more (nor a feed showing it).
    if shifts:
        shifts = set(
            session.connection().scalars(select(col(Shift.id)).where(col(Shift.id).in_(shifts)))
        )
    feeds = changes.feeds | owners(session, shifts)
    if changes.municipalities:  # every area feed's name carries the municipality's
        areas = session.connection().scalars(
            select(col(PatrolArea.id)).where(
                col(PatrolArea.municipality_id).in_(changes.municipalities)
            )
        )
        feeds |= {("area", area_id) for area_id in areas if area_id is not None}
    feeds -= raised["feeds"]
    bump_events(session, shifts, now=now)
    bump_feeds(session, feeds, now=now)
    raised["events"] |= shifts
    raised["feeds"] |= feeds


def raise_sequence(session: Session, shift_id: int, at_least: int) -> None:
    """Lift a walk's SEQUENCE to ``at_least`` (an invite had to go higher): every feed
    showing it moves too, so no feed shows a lower SEQUENCE than the invite."""
    table = EventVersion.__table__  # type: ignore[attr-defined]
    current = session.connection().scalar(
        select(table.c.sequence).where(table.c.shift_id == shift_id)
    )
    if current is not None and current >= at_least:
        return
    now = utcnow()
    bump_events(session, [shift_id], now=now)
    session.connection().execute(
        table.update()
        .where(table.c.shift_id == shift_id, table.c.sequence < at_least)
        .values(sequence=at_least)
    )
    bump_feeds(session, owners(session, [shift_id]), now=now)


@event.listens_for(OrmSession, "after_transaction_end")
def _transaction_ended(session: Session, transaction: Any) -> None:
    """The next transaction raises anew. Only the outermost one: a savepoint released keeps
    its raises in the transaction (every roster addition flushes inside one)."""
    if transaction.parent is None:
        session.info.pop("calendar_raised", None)


@event.listens_for(OrmSession, "after_rollback")
def _rolled_back(session: Session) -> None:
    """A rollback, of a savepoint too, undid raises: the next change makes them again."""
    session.info.pop("calendar_raised", None)


@contextmanager
def recorded_at_the_end(session: Session) -> Iterator[None]:
    """Collect what the flushes inside change, and record it once when the block ends.

    For bulk loads in one transaction that add and change walks (the demo: thousands of
    flushes). Recording after every flush raises the same versions, since a transaction
    raises each one once; this only reads the walks' owners once instead of per flush. A walk
    deleted inside the block would lose its walkers' feeds: bulk loads don't delete walks."""
    if _DEFERRED in session.info:  # nested: the outer block records
        yield
        return
    pending = session.info[_DEFERRED] = Changes()
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_DEFERRED, None)
    if pending:
        record(session, pending)


_DEFERRED = "calendar_changes_deferred"


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    changes = collect(session)
    if not changes:
        return
    pending = session.info.get(_DEFERRED)
    if pending is not None:
        pending.add(changes)
    else:
        record(session, changes)
