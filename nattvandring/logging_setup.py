"""Logging: plain text or one JSON object per line, each with the request id."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

access_log = logging.getLogger("nattvandring.access")
#: Health probes: not access-logged while they succeed.
PROBES = frozenset({"ops.healthz", "ops.readyz"})


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


#: Personal data a log line may carry without the code putting it there: a database error's
#: message quotes the row (PostgreSQL's "Key (phone_e164)=(+46...)" and "Failing row contains
#: (...)"), and an exception's text may quote a value. Masked in every record of the package.
_PERSONAL = (
    (re.compile(r"(Key \(.*?\)=\().*?(\) already exists)"), r"\1***\2"),
    (re.compile(r"(Failing row contains \().*(\))"), r"\1***\2"),
    (re.compile(r"\+\d[\d ]{6,16}\d"), "+***"),  # E.164 numbers
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "***@***"),  # e-mail addresses
)
_plain = logging.Formatter()


def redact(text: str) -> str:
    for pattern, replacement in _PERSONAL:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    """Masks phone numbers and e-mail addresses in a record's message and traceback.

    It changes the record itself, so every handler after it (and any formatter, which reuses
    ``exc_text``) sees only the masked text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == access_log.name and not record.exc_info:
            return True  # built from the method, URL rule and status alone (see below)
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _plain.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_text:
            payload["exception"] = record.exc_text
        elif record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    package_logger = logging.getLogger("nattvandring")
    package_logger.handlers[:] = [handler]
    package_logger.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def _assign_request_id() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        valid = incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum()
        g.request_id = incoming if valid else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        if request.endpoint in PROBES and response.status_code < 400:
            return response  # a load balancer's probe every few seconds is no news
        rule = route_label()
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        access_log.info("%s %s %s %.1fms", request.method, rule, response.status_code, elapsed_ms)
        return response


def route_label() -> str:
    """The request's URL rule ("/me/<token>"), never its path, for logs: the path may carry
    a secret link or someone else's ids."""
    return request.url_rule.rule if request.url_rule else "(no route)"
