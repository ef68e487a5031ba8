"""Logging: plain text or one JSON object per line, each with the request id."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

access_log = logging.getLogger("nattvandring.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
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
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
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
    def _echo_request_id(response):  # type: ignore[no-untyped-def]
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        rule = route_label()
        elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        access_log.info("%s %s %s %.1fms", request.method, rule, response.status_code, elapsed_ms)
        return response


def route_label() -> str:
    """The request's URL rule ("/me/<token>"), never its path, for logs: the path may carry
    a secret link or someone else's ids."""
    return request.url_rule.rule if request.url_rule else "(no route)"
