"""A local fake of Twilio's Messages REST API, for the real SDK HTTP path without internet.

``FakeTwilio`` runs a ``ThreadingHTTPServer`` on 127.0.0.1 (random port) in a daemon thread
and implements::

    POST /2010-04-01/Accounts/{AccountSid}/Messages.json   (create; 201 + message JSON)
    GET  /2010-04-01/Accounts/{AccountSid}/Messages.json   (list; filters To, DateSent>)

Every request is recorded (method, path, query, form fields, headers). Faults are queued
with ``inject`` and consumed one per matching request, in order::

    with FakeTwilio() as fake:
        fake.inject(Fault.rate_limited(), Fault.hang(seconds=2))
        gateway = TwilioGateway(..., base_url=fake.base_url, timeout_s=0.5)

``go_down(Fault.server_error(), Fault.server_error(on="list"))`` makes every request fail
until ``come_back()`` (a provider outage).

Created messages are stored as already ``sent`` (date_sent = now), although the create
response says ``queued`` (``accepted`` for a Messaging Service without From), as Twilio does.
Use the ``fake_twilio`` fixture in tests, or the context manager in benchmarks.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

_MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json")


@dataclass(frozen=True)
class Fault:
    """One injected failure. ``record`` stores the message first (Twilio got it, then failed)."""

    status: int
    code: int | None = None
    message: str = ""
    delay_s: float = 0.0
    record: bool = False
    on: str = "create"  # "create" (POST) or "list" (GET)

    @classmethod
    def server_error(cls, *, record: bool = False, on: str = "create") -> Fault:
        return cls(500, 20500, "An internal server error has occurred", record=record, on=on)

    @classmethod
    def rate_limited(cls, *, on: str = "create") -> Fault:
        return cls(429, 20429, "Too Many Requests", on=on)

    @classmethod
    def invalid_number(cls) -> Fault:
        return cls(400, 21211, "The 'To' number {to} is not a valid phone number.")

    @classmethod
    def opted_out(cls) -> Fault:
        return cls(400, 21610, "Attempt to send to unsubscribed recipient")

    @classmethod
    def error(cls, status: int, code: int, message: str = "error") -> Fault:
        return cls(status, code, message)

    @classmethod
    def hang(cls, seconds: float = 5.0, *, record: bool = True, on: str = "create") -> Fault:
        """Answer only after ``seconds`` (longer than the client timeout: a read timeout)."""
        return cls(201, delay_s=seconds, record=record, on=on)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, str]
    headers: dict[str, str]

    def header(self, name: str) -> str | None:
        """A request header, looked up case-insensitively."""
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    @property
    def authorization(self) -> str | None:
        return self.header("Authorization")

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        """The decoded ``(username, password)`` of a Basic Authorization header."""
        scheme, _, encoded = (self.authorization or "").partition(" ")
        if scheme != "Basic":
            return None
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user, password


@dataclass
class FakeTwilio:
    """The fake server. Give ``account_sid``/``auth_token`` to enforce auth (401, 20003)."""

    account_sid: str | None = None
    auth_token: str | None = None
    now: Callable[[], datetime] = field(default_factory=lambda: _utcnow)
    requests: list[RecordedRequest] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._outage: dict[str, Fault] = {}
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> FakeTwilio:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- programming and inspection ------------------------------------------------------
    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    def go_down(self, *faults: Fault) -> None:
        """An outage: every request answers with the fault for its ``on`` ("create" or
        "list") until ``come_back``; injected one-off faults are used up first."""
        with self._lock:
            self._outage = {fault.on: fault for fault in faults}

    def come_back(self) -> None:
        with self._lock:
            self._outage = {}

    def created_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def _next_fault(self, on: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.on == on:
                    self._faults.remove(fault)
                    return fault
            return self._outage.get(on)

    def _message(self, account_sid: str, form: dict[str, str]) -> dict:
        """The create response for ``form`` (the record is stored by ``_store``)."""
        now = self.now()
        sid = "SM" + secrets.token_hex(16)
        uri = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
        service = form.get("MessagingServiceSid")
        created = {
            "account_sid": account_sid,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": format_datetime(now),
            "date_sent": None,
            "date_updated": format_datetime(now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service and not form.get("From") else "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": form.get("To"),
            "uri": f"{uri}.json",
        }
        return created

    def _store(self, created: dict) -> None:
        """Keep a created message, as already sent (date_sent = now)."""
        now = self.now()
        stored = {**created, "status": "sent", "date_sent": format_datetime(now), "_sent": now}
        with self._lock:
            self.messages.append(stored)

    def _list(self, query: dict[str, list[str]]) -> list[dict]:
        to = query.get("To", [None])[0]
        after = query.get("DateSent>", [None])[0]
        since = _parse_date(after) if after else None
        with self._lock:
            found = [
                m
                for m in reversed(self.messages)  # newest first, like Twilio
                if (to is None or m["to"] == to) and (since is None or m["_sent"] >= since)
            ]
        size = int(query.get("PageSize", ["50"])[0])
        return [{k: v for k, v in m.items() if not k.startswith("_")} for m in found[:size]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _parse_date(value: str) -> datetime:
    if len(value) == 10:  # YYYY-MM-DD
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_POST(self) -> None:
        self._handle("POST")

    def do_GET(self) -> None:
        self._handle("GET")

    def _handle(self, method: str) -> None:
        fake = self.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        request = RecordedRequest(
            method, parts.path, parse_qs(parts.query), form, dict(self.headers.items())
        )
        with fake._lock:
            fake.requests.append(request)
        match = _MESSAGES_PATH.fullmatch(parts.path)
        if match is None:
            return self._error(404, 20404, "The requested resource was not found")
        if fake.account_sid is not None and request.basic_auth != (
            fake.account_sid,
            fake.auth_token,
        ):
            return self._error(401, 20003, "Authenticate")
        fault = fake._next_fault("create" if method == "POST" else "list")
        if method == "POST":
            self._create(match["sid"], form, fault)
        else:
            self._list(request.query, fault)

    def _create(self, account_sid: str, form: dict[str, str], fault: Fault | None) -> None:
        missing = _missing_parameter(form)
        if missing:
            return self._error(400, *missing)
        created = self.fake._message(account_sid, form)
        if fault is None or fault.record:
            self.fake._store(created)
        if fault is None:
            return self._json(201, created)
        if fault.delay_s and self.fake._stopping.wait(fault.delay_s):
            return  # server stopping: drop the connection
        if fault.status == 201:
            return self._json(201, created)
        self._error(fault.status, fault.code, fault.message.format(to=form.get("To")))

    def _list(self, query: dict[str, list[str]], fault: Fault | None) -> None:
        if fault is not None:
            if fault.delay_s and self.fake._stopping.wait(fault.delay_s):
                return
            if fault.status != 201:
                return self._error(fault.status, fault.code, fault.message)
        page_size = int(query.get("PageSize", ["50"])[0])
        self._json(
            200,
            {
                "messages": self.fake._list(query),
                "end": 0,
                "first_page_uri": self.path,
                "next_page_uri": None,
                "page": 0,
                "page_size": page_size,
                "previous_page_uri": None,
                "start": 0,
                "uri": self.path,
            },
        )

    def _error(self, status: int, code: int | None, message: str) -> None:
        more = f"https://www.twilio.com/docs/errors/{code}"
        self._json(status, {"code": code, "message": message, "more_info": more, "status": status})

    def _json(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Twilio-Request-Id", "RQ" + secrets.token_hex(16))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (read timeout) and closed the socket
            pass


def _missing_parameter(form: dict[str, str]) -> tuple[int, str] | None:
    if not form.get("To"):
        return 21604, "A 'To' phone number is required."
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 21603, "A 'From' phone number is required."
    if not form.get("Body") and not form.get("MediaUrl") and not form.get("ContentSid"):
        return 21602, "Message body is required."
    return None


@pytest.fixture
def fake_twilio(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTwilio]:
    """A started ``FakeTwilio``; proxies are bypassed for loopback addresses."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost,::1")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost,::1")
    with FakeTwilio() as fake:
        yield fake
