"""Shared feed machinery: the visibility window, the cheap aggregate stamp, HTTP caching.

Every feed answers in two steps. First ONE aggregate query (counts, sums of ids and
sequences, the latest change times) gives a ``FeedStamp``: the strong ETag and Last-Modified.
A matching ``If-None-Match`` / ``If-Modified-Since`` is answered 304 right there. Only
otherwise are the rows loaded and the calendar rendered.

What a feed shows: shifts that started at most ``PAST_DAYS`` ago; a cancelled walk stays as
STATUS:CANCELLED for ``FEED_CANCELLED_VISIBLE_DAYS`` after its cancellation. A walk that
drops out of that window changes the count and the id sum (so the ETag), and the instant it
dropped out is folded into Last-Modified, so ``If-Modified-Since`` stays truthful too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import Response, current_app, request
from sqlalchemy import and_, bindparam, case, func, or_, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction
from sqlmodel.sql.sqltypes import UTCDateTime

from .. import tokens
from ..accounts.models import AccessToken, TokenPurpose
from ..clock import ensure_utc, utcnow
from ..exports import content_disposition
from ..planning.models import Shift
from .ical import feed_etag

# How long a past walk stays in a feed (not a setting: calendars keep what they saw).
PAST_DAYS = 90
# Shifts older than this beyond the window are not even scanned by the aggregate.
_SCAN_MARGIN = timedelta(days=31)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-cache"
CONTENT_TYPE = "text/calendar; charset=utf-8"


_INSTANT = Shift.__table__.c.start_at.type  # type: ignore[attr-defined]
# Statements are built once with these bound parameters (building a big select costs more
# than running it); FeedWindow.params supplies the values per request.
PAST_CUTOFF = bindparam("past_cutoff", type_=_INSTANT)
CANCEL_CUTOFF = bindparam("cancel_cutoff", type_=_INSTANT)
SCAN_FROM = bindparam("scan_from", type_=_INSTANT)
TOKEN_DIGEST = bindparam("token_digest")
NOW = bindparam("now", type_=_INSTANT)


@dataclass(frozen=True)
class FeedWindow:
    now: datetime
    past_cutoff: datetime
    cancel_cutoff: datetime
    cancelled_days: int

    @classmethod
    def current(cls, config: Any = None) -> FeedWindow:
        config = config if config is not None else current_app.config
        now = utcnow()
        days = int(config["FEED_CANCELLED_VISIBLE_DAYS"])
        return cls(
            now=now,
            past_cutoff=now - timedelta(days=PAST_DAYS),
            cancel_cutoff=now - timedelta(days=days),
            cancelled_days=days,
        )

    @property
    def params(self) -> dict[str, datetime]:
        return {
            "past_cutoff": self.past_cutoff,
            "cancel_cutoff": self.cancel_cutoff,
            "scan_from": oldest_scanned(self.now),
        }


def oldest_scanned(now: datetime) -> datetime:
    """Shifts that started before this instant are in no feed and not even in its stamp."""
    return now - timedelta(days=PAST_DAYS) - _SCAN_MARGIN


def feed_token(purpose: TokenPurpose, owner_column: Any) -> tuple[Any, list[Any]]:
    """The owner of the live token ``:token_digest`` (a scalar subquery for the stamp's
    WHERE clauses), and the columns the stamp row carries to check it.

    So one query answers a 304: no separate token lookup. ``correlate(None)``: the stamp
    may read ``accesstoken`` itself (the page link), which must not bind these lookups.
    """

    def of(column: Any) -> Any:
        live = tokens.live_token(purpose, TOKEN_DIGEST, NOW)
        return select(column).where(*live).correlate(None).scalar_subquery()

    owner = of(owner_column)
    columns = [
        of(AccessToken.id).label("token_id"),
        of(AccessToken.token_hash).label("token_hash"),
        of(AccessToken.nonce).label("token_nonce"),
        owner.label("owner_id"),
    ]
    return owner, columns


def token_params(window: FeedWindow, digest: str) -> dict[str, Any]:
    return {**window.params, "token_digest": digest, "now": window.now}


def token_owner(
    row: Any, raw: str, purpose: TokenPurpose, *, secret_key: tokens.SigningKeys
) -> int | None:
    """The feed's owner if the stamp row found a live token for ``raw`` derived with one of
    the signing keys, else None."""
    if row.token_id is None or row.owner_id is None or row.token_nonce is None:
        return None
    if not tokens.same_digest(row.token_hash, tokens.hash_token(raw)):
        return None
    owner = int(row.owner_id)
    by_user = purpose == TokenPurpose.PERSONAL_FEED
    derived = tokens.is_derived(
        raw,
        purpose,
        row.token_nonce,
        secret_key=secret_key,
        user_id=owner if by_user else None,
        association_id=None if by_user else owner,
    )
    return owner if derived else None


def visible(cancel_time: Any) -> Any:
    """SQL condition: the shift is in the window and not cancelled too long ago."""
    return and_(
        Shift.start_at >= PAST_CUTOFF,
        or_(cancel_time.is_(None), cancel_time >= CANCEL_CUTOFF),
    )


def window_columns(cancel_time: Any) -> list[Any]:
    """Aggregate columns over the scanned scope: what decides the set of events."""
    shown = visible(cancel_time)
    in_window = Shift.start_at >= PAST_CUTOFF
    return [
        func.sum(case((shown, 1), else_=0)).label("n"),
        func.sum(case((shown, Shift.id), else_=0)).label("id_sum"),
        func.sum(case((shown, Shift.sequence), else_=0)).label("sequence_sum"),
        func.max(case((shown, Shift.updated_at))).label("shift_changed"),
        func.max(case((and_(in_window, cancel_time < CANCEL_CUTOFF), cancel_time))).label(
            "dropped_cancelled"
        ),
        func.max(case((~in_window, Shift.start_at))).label("dropped_past"),
    ]


def row_changes(*tables: Any) -> list[Any]:
    """The latest ``updated_at`` of each joined table (area, association...), labelled
    ``<table>_changed``: an edit of their text moves the ETag and Last-Modified."""
    return [func.max(table.updated_at).label(f"{table.__tablename__}_changed") for table in tables]


@dataclass(frozen=True)
class FeedStamp:
    etag: str
    last_modified: datetime


def as_utc(value: Any) -> datetime | None:
    """Aggregates over datetimes come back as datetimes (PostgreSQL) or text (SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _instant_from_sqlite(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else ensure_utc(value)
    raise TypeError(f"not a datetime: {value!r}")


def latest(*values: Any) -> datetime | None:
    """The latest of aggregate values (text or datetimes, see ``as_utc``); None if none."""
    instants = [instant for instant in (as_utc(v) for v in values) if instant is not None]
    return max(instants) if instants else None


def latest_column(*values: datetime | None) -> datetime | None:
    """The latest of column values, which the UTC column type returns aware already.

    Runs several times per event, so it skips the conversions ``latest`` needs.
    """
    instants = [value for value in values if value is not None]
    return max(instants) if instants else None


class _FastUTCDateTime(UTCDateTime):
    """The models' timestamp type, read faster on SQLite.

    SQLite keeps our timestamps as naive UTC text. ``UTCDateTime`` parses it and then
    attaches UTC with ``datetime.replace``, through TypeDecorator's wrapper: about 0.9 µs
    a value, the largest single cost of a 100-walk feed. On SQLite the processor here is
    one function that parses the text with its offset (about 0.15 µs); everything else
    (binding, PostgreSQL) is ``UTCDateTime``'s.
    """

    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name == "sqlite":
            return _instant_from_sqlite
        return super().result_processor(dialect, coltype)


def _instant_from_sqlite(text: str | None) -> datetime | None:
    """SQLite's text of a UTC timestamp (a column or an aggregate over one), aware UTC."""
    if text is None:
        return None
    # A date alone must not get the offset: fromisoformat would read "+" as the date-time
    # separator and return naive midnight.
    if len(text) > 10:
        try:
            # Parsing naive UTC text with an offset beats .replace(tzinfo=UTC) five to one.
            return datetime.fromisoformat(text + "+00:00")
        except ValueError:  # text with its own offset (never written by our column type)
            pass
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def instant(column: Any) -> Any:
    """``column`` (a UTC timestamp) as selected into feed rows: see ``_FastUTCDateTime``."""
    return type_coerce(column, _FastUTCDateTime())


class greatest(GenericFunction[datetime]):  # noqa: N801 (a SQL function name)
    """The latest of several timestamp columns, NULLs ignored; the first must not be NULL.

    PostgreSQL's GREATEST ignores NULLs. SQLite's many-argument max() returns NULL if
    any argument is NULL, so there each other column falls back to the first. SQLite
    stores UTC timestamps as fixed-width text, which orders like the instants. Read like
    ``instant`` columns.
    """

    type = _FastUTCDateTime()
    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_on_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    first, *others = element.clauses
    fallbacks = [func.coalesce(other, first) for other in others]
    return compiler.process(func.max(first, *fallbacks), **kw)


def make_stamp(
    row: Any,
    *,
    window: FeedWindow,
    identity: Sequence[object],
    changed: Sequence[Any],
    extra: Sequence[object] = (),
) -> FeedStamp:
    """Build ETag and Last-Modified from an aggregate row made with ``window_columns``.

    ``identity``: feed kind, owner/token id, host, base URL...; ``changed``: further change
    times (bookings, assignments); ``extra``: further values that decide the bytes.
    """
    dropped = [
        as_utc(row.dropped_cancelled) + timedelta(days=window.cancelled_days)
        if row.dropped_cancelled is not None
        else None,
        as_utc(row.dropped_past) + timedelta(days=PAST_DAYS)
        if row.dropped_past is not None
        else None,
    ]
    modified = latest(row.shift_changed, *changed, *dropped) or EPOCH
    parts = [
        *identity,
        int(row.n or 0),
        int(row.id_sum or 0),
        int(row.sequence_sum or 0),
        modified,
        window.cancelled_days,
        *(as_utc(value) for value in changed),
        *(_plain(value) for value in extra),
    ]
    return FeedStamp(etag=feed_etag(parts), last_modified=modified.replace(microsecond=0))


def _plain(value: Any) -> Any:
    """PostgreSQL sums come back as Decimal; feed_etag takes plain numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


# --- HTTP --------------------------------------------------------------------------------


def not_modified(stamp: FeedStamp) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since only counts without it."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        return "*" in tags or stamp.etag in tags
    since = request.if_modified_since
    if since is not None:
        return stamp.last_modified <= since.astimezone(UTC)
    return False


class BodyCache:
    """Rendered feeds by strong ETag, per app and process, bounded in bytes.

    A strong ETag names exactly one byte sequence, so a client without validators (Google
    polls that way) gets the same bytes without another render. A request with
    ``Cache-Control: no-cache`` renders afresh (the benchmark measures rendering so).
    """

    def __init__(self, max_bytes: int = 16 * 1024 * 1024, max_item: int = 1024 * 1024) -> None:
        self.max_bytes, self.max_item = max_bytes, max_item
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_item:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _old, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def _body_cache() -> BodyCache:
    cache = current_app.extensions.get("calendar_body_cache")
    if cache is None:
        cache = current_app.extensions.setdefault("calendar_body_cache", BodyCache())
    return cache


def calendar_response(
    stamp: FeedStamp,
    render: Callable[[], bytes],
    *,
    cache_control: str,
    filename: str | None = None,
) -> Response:
    """304 from the stamp alone, otherwise the calendar (cached by ETag) with headers."""
    if not_modified(stamp):
        response = Response(status=304)
    else:
        cache = _body_cache()
        fresh = "no-cache" in request.headers.get("Cache-Control", "").lower()
        body = None if fresh else cache.get(stamp.etag)
        if body is None:
            body = render()
            cache.put(stamp.etag, body)
        response = Response(body, status=200, content_type=CONTENT_TYPE)
        if filename:
            response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["ETag"] = stamp.etag
    response.last_modified = stamp.last_modified
    response.headers["Cache-Control"] = cache_control
    return response
