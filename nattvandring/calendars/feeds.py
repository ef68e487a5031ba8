"""What a feed shows (the visibility window) and its validators (ETag, Last-Modified).

A feed's validators come from its ``FeedVersion`` row, which ``calendars.changes`` raises
with every write that changes what the feed shows. So a feed answers a conditional request
with one small query (its version row, and for a secret feed its token) and renders only
when the version moved.

What a feed shows: walks that started at most ``PAST_DAYS`` before the window's day; a
cancelled walk stays as STATUS:CANCELLED for ``FEED_CANCELLED_VISIBLE_DAYS`` after its
cancellation. The window's day moves only in the daily job ``advance_window``, which raises
the versions of the feeds it drops walks from, in the same transaction. Until that job has
run once (a database made without migrations) the window follows the clock and the day is
part of the ETag, so the validators still move with the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, func, or_, select
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session, col

from .. import tokens
from ..accounts.models import AccessToken, TokenPurpose
from ..booking.models import Booking, BookingStatus
from ..clock import to_local, utcnow
from ..planning.models import Shift, ShiftStatus
from ..planning.special_nights import swedish_label
from .changes import bump_feeds, owners
from .http import FeedStamp
from .ical import feed_etag
from .models import FeedVersion

# How long a past walk stays in a feed (not a setting: calendars keep what they saw).
PAST_DAYS = 90
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW = ("window", 0)

_VERSIONS = FeedVersion.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FeedWindow:
    """The feeds' view of time: a day, moved forward by ``advance_window``."""

    day: date
    cancelled_days: int
    stored: bool  # False: no window row yet, the day is today's (see the module doc)

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=UTC)

    @property
    def past_cutoff(self) -> datetime:
        return self.start - timedelta(days=PAST_DAYS)

    @property
    def cancel_cutoff(self) -> datetime:
        return self.start - timedelta(days=self.cancelled_days)


def event_time(seconds: int) -> datetime:
    """An ``EventVersion.changed`` (seconds since the epoch) as DTSTAMP / LAST-MODIFIED."""
    return EPOCH + timedelta(seconds=int(seconds))


def window_of(day_number: int | None, config: Any) -> FeedWindow:
    days = int(config["FEED_CANCELLED_VISIBLE_DAYS"])
    if day_number is None:
        return FeedWindow(utcnow().date(), days, stored=False)
    return FeedWindow(date.fromordinal(EPOCH.date().toordinal() + day_number), days, True)


def window_day_column() -> Any:
    """Scalar subquery: the stored window day (days since the epoch), or NULL."""
    row = _VERSIONS.alias("feed_window")
    kind, owner = WINDOW
    return (
        select(row.c.version)
        .where(row.c.kind == kind, row.c.owner_id == owner)
        .scalar_subquery()
        .label("window_day")
    )


def version_join(kind: str, owner: Any) -> tuple[Any, Any]:
    """The feed's version row (an outer join target and its ON clause)."""
    return _VERSIONS, and_(_VERSIONS.c.kind == kind, _VERSIONS.c.owner_id == owner)


def version_columns() -> list[Any]:
    return [
        _VERSIONS.c.version.label("feed_version"),
        _VERSIONS.c.changed.label("feed_changed"),
        window_day_column(),
    ]


def make_stamp(row: Any, window: FeedWindow, identity: tuple[object, ...]) -> FeedStamp:
    """ETag and Last-Modified from a row with ``version_columns``.

    ``identity``: whatever else decides the bytes (feed kind and owner, host, base URL,
    settings). Nothing read from the clock, unless the window is not stored yet.
    """
    version, changed = int(row.feed_version or 0), int(row.feed_changed or 0)
    modified = EPOCH + timedelta(seconds=changed)
    parts: list[object] = [*identity, version, changed, window.cancelled_days]
    if not window.stored:
        parts.append(window.day)
        modified = max(modified, window.start)
    return FeedStamp(etag=feed_etag(parts), last_modified=modified)


# --- secret feeds: the token is checked in the same query ----------------------------------


# Statements of the 304 path are built once, with bound parameters: building a select
# costs more than running this one.
DIGEST: BindParameter[str] = bindparam("digest")
NOW = bindparam("now", type_=AccessToken.__table__.c.created_at.type)  # type: ignore[attr-defined]


@cache
def token_statement(purpose: TokenPurpose, kind: str) -> Any:
    """The live token with digest ``:digest`` at ``:now`` and its feed's version row."""
    owner_column = col(AccessToken.user_id if kind == "person" else AccessToken.association_id)
    table, on = version_join(kind, owner_column)
    return (
        select(
            col(AccessToken.id).label("token_id"),
            col(AccessToken.token_hash),
            col(AccessToken.nonce),
            owner_column.label("owner_id"),
            *version_columns(),
        )
        .select_from(AccessToken)
        .outerjoin(table, on)
        .where(*tokens.live_token(purpose, DIGEST, NOW))
        .limit(1)
    )


def token_row(connection: Connection, purpose: TokenPurpose, kind: str, digest: str) -> Any:
    statement = token_statement(purpose, kind)
    return connection.execute(statement, {"digest": digest, "now": utcnow()}).first()


def token_owner(
    row: Any, raw: str, purpose: TokenPurpose, *, secret_key: tokens.SigningKeys
) -> int | None:
    """The feed's owner if the row is a live token for ``raw`` derived with one of the
    signing keys, else None."""
    if row is None or row.owner_id is None or row.nonce is None:
        return None
    if not tokens.same_digest(row.token_hash, tokens.hash_token(raw)):
        return None
    owner = int(row.owner_id)
    by_user = purpose == TokenPurpose.PERSONAL_FEED
    derived = tokens.is_derived(
        raw,
        purpose,
        row.nonce,
        secret_key=secret_key,
        user_id=owner if by_user else None,
        association_id=None if by_user else owner,
    )
    return owner if derived else None


# --- what is shown ------------------------------------------------------------------------


def shift_cancel_time() -> Any:
    return case(
        (
            col(Shift.status) == ShiftStatus.CANCELLED,
            func.coalesce(col(Shift.cancelled_at), col(Shift.updated_at)),
        )
    )


def walk_cancel_time() -> Any:
    """When the walk was cancelled for its walkers: the shift, or their booking."""
    return case(
        (
            col(Shift.status) == ShiftStatus.CANCELLED,
            func.coalesce(col(Shift.cancelled_at), col(Shift.updated_at)),
        ),
        (
            col(Booking.status) == BookingStatus.CANCELLED,
            func.coalesce(col(Booking.cancelled_at), col(Booking.created_at)),
        ),
    )


def visible(cancel_time: Any, window: FeedWindow) -> Any:
    """SQL condition: the walk is in the window and not cancelled too long ago."""
    return and_(
        col(Shift.start_at) >= window.past_cutoff,
        or_(cancel_time.is_(None), cancel_time >= window.cancel_cutoff),
    )


def advance_window(session: Session, *, config: Any, today: date | None = None) -> int:
    """Move the window to ``today``; raise the versions of the feeds whose walks it drops.

    Returns the number of feeds raised. Idempotent within a day.
    """
    today = today or utcnow().date()
    row = (
        session.connection()
        .execute(
            select(_VERSIONS.c.version).where(
                _VERSIONS.c.kind == WINDOW[0], _VERSIONS.c.owner_id == WINDOW[1]
            )
        )
        .first()
    )
    new_day = today.toordinal() - EPOCH.date().toordinal()
    if row is not None and row.version >= new_day:
        return 0
    dropped: set[tuple[str, int]] = set()
    if row is not None:
        old, new = window_of(row.version, config), window_of(new_day, config)
        leaving = or_(
            col(Shift.start_at).between(old.past_cutoff, new.past_cutoff),
            walk_cancel_time().between(old.cancel_cutoff, new.cancel_cutoff),
        )
        shift_ids = session.connection().scalars(
            select(col(Shift.id))
            .outerjoin(Booking, col(Booking.shift_id) == Shift.id)
            .where(leaving)
            .distinct()
        )
        dropped = owners(session, [shift_id for shift_id in shift_ids if shift_id is not None])
    now = utcnow()
    bump_feeds(session, dropped, now=now)
    session.connection().execute(
        _VERSIONS.delete().where(_VERSIONS.c.kind == WINDOW[0], _VERSIONS.c.owner_id == WINDOW[1])
    )
    session.connection().execute(
        _VERSIONS.insert().values(kind=WINDOW[0], owner_id=WINDOW[1], version=new_day, changed=0)
    )
    return len(dropped)


def special_night(summary: str, key: str | None, start: datetime) -> tuple[str, tuple[str, ...]]:
    """A walk's SUMMARY and CATEGORIES with the special night it is marked with (Swedish,
    like every feed): "Nattvandring Centrum – Valborgsmässoafton", ("Valborgsmässoafton",)."""
    name = swedish_label(key, to_local(start).date())
    if not name:
        return summary, ()
    return f"{summary} – {name}", (name,)
