"""SMS gateways: one small interface, a console default and the Twilio client.

A gateway sends one message and classifies every failure as one of the ``GatewayError``
subclasses, so the outbox worker decides what to do from the class alone:

- ``RetryLater``: Twilio did not take the message (429/20429, a connection that was never
  made) or it is unreachable (30003, retry once: check ``.code``). Retry after
  ``.delay_seconds``.
- ``OutcomeUnknown``: 5xx, read timeout, connection lost after the request may have been
  sent. Twilio has no idempotency key, so reconcile with ``lookup`` (or wait for the status
  callback) before sending again.
- ``InvalidNumber`` (21211, 21614, 30005, 30006) and ``PermanentFailure``: never retry.
- ``OptedOut`` (21610): the recipient sent STOP; mark them opted out.

Gateways never log message bodies (personal links are secrets) or full phone numbers.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from nattvandring.messaging.gsm import to_gsm_friendly

logger = logging.getLogger(__name__)

RATE_LIMIT_DELAY_S = 60
UNREACHABLE_DELAY_S = 15 * 60
NOT_CONNECTED_DELAY_S = 30

INVALID_NUMBER_CODES = frozenset({21211, 21614, 30005, 30006})
OPTED_OUT_CODE = 21610
RATE_LIMIT_CODE = 20429
UNREACHABLE_CODE = 30003

_E164 = re.compile(r"\+[1-9]\d{6,14}")
_ALPHANUMERIC_SENDER = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}")
_MESSAGING_SERVICE_SID = re.compile(r"MG[0-9a-fA-F]{32}")
_NUMBER_IN_TEXT = re.compile(r"\+?\d[\d ]{5,17}\d")


@dataclass(frozen=True, slots=True)
class SendResult:
    """What Twilio answered: the message SID and its initial status (queued/accepted/sent)."""

    sid: str | None
    status: str


class GatewayError(Exception):
    """A send or lookup failed; the subclass says what the caller should do."""

    def __init__(self, reason: str, *, code: int | None = None, http_status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.http_status = http_status


class RetryLater(GatewayError):
    """Not sent; try again after ``delay_seconds`` (bound 30003 retries by ``code``)."""

    def __init__(self, delay_seconds: float, reason: str = "retry later", **kwargs: int | None):
        super().__init__(reason, **kwargs)  # code=..., http_status=...
        self.delay_seconds = delay_seconds


class OutcomeUnknown(GatewayError):
    """The request may have reached Twilio; reconcile before resending."""


class InvalidNumber(GatewayError):
    """The number is invalid, unknown or not a mobile; never retry."""


class OptedOut(GatewayError):
    """The recipient replied STOP (21610); mark them opted out."""


class PermanentFailure(GatewayError):
    """Twilio refused the request for another reason; never retry."""


def mask_phone(e164: str) -> str:
    """Mask a phone number for logs: '+46701234567' -> '+46701****67'.

    Keeps the country code, the first three digits of the national number and the last two.
    """
    digits = e164.lstrip("+")
    if not e164.startswith("+") or not digits.isdigit() or len(digits) < 7:
        return "***"
    cc_len = _country_code_length(e164)
    national = digits[cc_len:]
    keep = national[:3] + "*" * max(len(national) - 5, 0) + national[-2:]
    return "+" + digits[:cc_len] + keep


def _country_code_length(e164: str) -> int:
    try:
        return len(str(phonenumbers.parse(e164, None).country_code))
    except phonenumbers.NumberParseException:  # unknown country code: assume two digits
        return 2


def _scrub(text: str) -> str:
    """Mask phone numbers inside an error text (Twilio echoes the 'To' number)."""
    return _NUMBER_IN_TEXT.sub(lambda m: mask_phone("+" + re.sub(r"\D", "", m.group())), text)


def classify_error_code(
    code: int | None, reason: str, *, http_status: int | None = None
) -> GatewayError:
    """Map a Twilio error code (API error or status-callback ErrorCode) to a GatewayError.

    ``http_status`` is None for delivery errors from a status callback.
    """
    reason = _scrub(reason)
    kwargs = {"code": code, "http_status": http_status}
    if code == RATE_LIMIT_CODE or http_status == 429:
        return RetryLater(RATE_LIMIT_DELAY_S, reason, **kwargs)
    if code in INVALID_NUMBER_CODES:
        return InvalidNumber(reason, **kwargs)
    if code == OPTED_OUT_CODE:
        return OptedOut(reason, **kwargs)
    if code == UNREACHABLE_CODE:
        return RetryLater(UNREACHABLE_DELAY_S, reason, **kwargs)
    if http_status is None or 400 <= http_status < 500:
        return PermanentFailure(reason, **kwargs)
    return OutcomeUnknown(reason, **kwargs)


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True if the TCP connection was never made (refused, DNS failure): nothing was sent."""
    inner = exc.args[0] if exc.args else None
    return isinstance(inner, NewConnectionError) or isinstance(
        getattr(inner, "reason", None), NewConnectionError
    )


def translate_exception(exc: Exception) -> GatewayError:
    """Classify an exception raised by the Twilio SDK or by ``requests`` underneath it."""
    if isinstance(exc, TwilioRestException):
        return classify_error_code(exc.code, str(exc.msg), http_status=exc.status)
    if isinstance(exc, TwilioServiceException):
        return classify_error_code(exc.code, str(exc.title), http_status=exc.status)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return RetryLater(NOT_CONNECTED_DELAY_S, "connect timeout; request not sent")
    if isinstance(exc, requests.exceptions.ConnectionError) and _never_connected(exc):
        return RetryLater(NOT_CONNECTED_DELAY_S, "connection failed; request not sent")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return OutcomeUnknown("read timeout; request may have been processed")
    if isinstance(exc, requests.exceptions.RequestException):
        return OutcomeUnknown(f"{type(exc).__name__}; request may have been processed")
    # An unreadable answer (bad JSON, unexpected page status) after the request was sent.
    return OutcomeUnknown(f"unreadable response ({type(exc).__name__})")


_TRANSLATED = (TwilioException, requests.exceptions.RequestException, json.JSONDecodeError)


@runtime_checkable
class SmsGateway(Protocol):
    """Sends SMS. Implementations raise only ``GatewayError`` subclasses for send failures."""

    name: str

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult: ...

    def lookup(
        self, *, to: str, body: str, sent_after: datetime, exclude_sids: Collection[str] = ()
    ) -> SendResult | None:
        """Return the already-sent message to ``to`` with ``body``, if the provider has it.

        ``exclude_sids``: messages already matched to other outbox rows (same text twice).
        """
        ...


class ConsoleGateway:
    """Sends nothing: logs the masked recipient and returns a fake SID.

    The caller keeps the message in the outbox, which an admin page shows.
    """

    supports_replies = True

    def __init__(self, name: str = "console") -> None:
        self.name = name

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        sid = f"console-{uuid.uuid4().hex}"
        logger.info("console SMS %s to %s (%d chars)", sid, mask_phone(to), len(body))
        return SendResult(sid=sid, status="sent")

    def lookup(
        self, *, to: str, body: str, sent_after: datetime, exclude_sids: Collection[str] = ()
    ) -> SendResult | None:
        return None


class TwilioApiHttpClient(TwilioHttpClient):
    """``TwilioHttpClient`` that logs no query strings and can redirect to ``base_url``.

    The stock client logs query parameters at INFO, which for ``messages.list(to=...)`` is a
    full phone number. With ``base_url`` (e.g. ``http://127.0.0.1:8765``) every request URL
    the SDK builds (``https://api.twilio.com/2010-04-01/...``, or an edge/region host) keeps
    its path and query but gets the scheme, host and port (and a path prefix) of
    ``base_url``, so tests and benchmarks run the real SDK against a local fake server.
    """

    def __init__(self, *, timeout: float, base_url: str | None = None, **kwargs: object):
        super().__init__(timeout=timeout, **kwargs)
        if base_url is not None:
            parts = urlsplit(base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url

    def rewrite(self, url: str) -> str:
        if self.base_url is None:
            return url
        base, parts = urlsplit(self.base_url), urlsplit(url)
        path = base.path.rstrip("/") + parts.path
        return urlunsplit((base.scheme, base.netloc, path, parts.query, parts.fragment))

    def request(self, method: str, url: str, *args, **kwargs):
        return super().request(method, self.rewrite(url), *args, **kwargs)

    def log_request(self, kwargs: dict) -> None:
        logger.debug("Twilio %s %s", kwargs["method"], urlsplit(kwargs["url"]).path)

    def log_response(self, status_code: int, response: object) -> None:
        logger.debug("Twilio answered HTTP %s", status_code)


class TwilioGateway:
    """Sends through Twilio's Messages API with a bounded timeout.

    Exactly one of ``from_number`` (E.164, or an alphanumeric sender ID of 1-11 characters
    with at least one letter, which cannot receive replies) or ``messaging_service_sid``.
    ``http_client`` replaces the default ``TwilioApiHttpClient(timeout=timeout_s)``;
    ``base_url`` points that default client at another server (tests, benchmarks).
    """

    name = "twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        validity_period_s: int = 14400,
        timeout_s: float = 10.0,
        http_client: HttpClient | None = None,
        base_url: str | None = None,
    ) -> None:
        if not account_sid or not auth_token:
            raise ValueError("account_sid and auth_token are required")
        if bool(from_number) == bool(messaging_service_sid):
            raise ValueError("give exactly one of from_number or messaging_service_sid")
        if from_number and not (
            _E164.fullmatch(from_number) or _ALPHANUMERIC_SENDER.fullmatch(from_number)
        ):
            raise ValueError("from_number must be E.164 or an alphanumeric ID (max 11)")
        if messaging_service_sid and not _MESSAGING_SERVICE_SID.fullmatch(messaging_service_sid):
            raise ValueError("messaging_service_sid must look like MG + 32 hex digits")
        if not 1 <= validity_period_s <= 36000:
            raise ValueError("validity_period_s must be between 1 and 36000 seconds")
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if http_client is None:
            http_client = TwilioApiHttpClient(timeout=timeout_s, base_url=base_url)
        elif base_url is not None:
            raise ValueError("give base_url or http_client, not both")
        elif getattr(http_client, "timeout", None) is None:
            raise ValueError("http_client needs a timeout")
        self.from_number = from_number or None
        self.messaging_service_sid = messaging_service_sid or None
        self.validity_period_s = validity_period_s
        self.http_client = http_client
        self.client = Client(account_sid, auth_token, http_client=http_client)

    @property
    def supports_replies(self) -> bool:
        """False for an alphanumeric sender ID: nobody can answer JA/NEJ/STOPP to it."""
        return self.messaging_service_sid is not None or bool(
            self.from_number and _E164.fullmatch(self.from_number)
        )

    def send(self, *, to: str, body: str, status_callback: str | None = None) -> SendResult:
        if not _E164.fullmatch(to):
            raise InvalidNumber("recipient is not an E.164 number", code=21211)
        kwargs: dict[str, object] = {
            "to": to,
            "body": body,
            "validity_period": self.validity_period_s,
        }
        if self.messaging_service_sid:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except _TRANSLATED as exc:
            error = translate_exception(exc)
            logger.warning(
                "Twilio send to %s failed: %s (%s, code %s)",
                mask_phone(to),
                type(error).__name__,
                error.reason,
                error.code,
            )
            raise error from exc
        logger.info("Twilio accepted %s to %s: %s", message.sid, mask_phone(to), message.status)
        return SendResult(sid=message.sid, status=str(message.status or "unknown"))

    def lookup(
        self, *, to: str, body: str, sent_after: datetime, exclude_sids: Collection[str] = ()
    ) -> SendResult | None:
        """Find a message to ``to`` with ``body`` that Twilio already has (newest first).

        ``sent_after`` must be aware; it is sent as ``DateSent>`` in UTC. Twilio may list a
        message only once it has a send date, so reconcile a little after the failed send.
        """
        if sent_after.tzinfo is None:
            raise ValueError("sent_after must be timezone-aware")
        wanted = {body, to_gsm_friendly(body)}  # Smart Encoding may have rewritten the body
        try:
            messages = self.client.messages.list(
                to=to, date_sent_after=sent_after.astimezone(UTC), limit=20
            )
        except _TRANSLATED as exc:
            raise translate_exception(exc) from exc
        for message in messages:
            if message.body in wanted and message.sid not in exclude_sids:
                logger.info("Twilio lookup found %s to %s", message.sid, mask_phone(to))
                return SendResult(sid=message.sid, status=str(message.status or "unknown"))
        return None

    def close(self) -> None:
        """Close the pooled HTTP session, if the client has one."""
        session = getattr(self.http_client, "session", None)
        if session is not None:
            session.close()
