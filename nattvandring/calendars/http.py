"""HTTP for calendar feeds: conditional requests, the body cache and the response."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, request

from ..exports import content_disposition

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-cache"
CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class FeedStamp:
    etag: str  # strong, quoted
    last_modified: datetime  # whole seconds, UTC


def _opaque(tag: str) -> str:
    """The entity tag without a weakness prefix, for the weak comparison."""
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(stamp: FeedStamp) -> bool:
    """RFC 9110 §13.1.2 and §13.2.2: If-None-Match (compared weakly) wins;
    If-Modified-Since counts only without it."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [_opaque(tag) for tag in if_none_match.split(",")]
        return "*" in tags or _opaque(stamp.etag) in tags
    since = request.if_modified_since
    if since is not None:
        return stamp.last_modified <= since.astimezone(UTC)
    return False


class BodyCache:
    """Rendered feeds by strong ETag, per app and process, bounded in bytes.

    A strong ETag names exactly one byte sequence, so a client without validators (Google
    polls that way) gets the same bytes without another render.
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
        if len(body) > min(self.max_item, self.max_bytes):
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = body
            self._size += len(body)
            while self._size > self.max_bytes:
                _old, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


def body_cache() -> BodyCache:
    cache = current_app.extensions.get("calendar_body_cache")
    if cache is None:
        size = int(current_app.config.get("FEED_BODY_CACHE_BYTES", 16 * 1024 * 1024))
        cache = current_app.extensions.setdefault("calendar_body_cache", BodyCache(size))
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
        cache = body_cache()
        body = cache.get(stamp.etag)
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
