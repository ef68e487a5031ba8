"""The open-data blueprint: the JSON API under ``/api/v1`` (CORS for GET, scoped to the API's
paths) and the embeddable widget, with the helpers its views share."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, request
from flask_cors import CORS

from .policy import CACHE_CONTROL

API_PREFIX = "/api/v1"

bp = Blueprint("opendata", __name__)

# Any site may read the API from a browser: GET (and the preflight) only, no credentials.
CORS(
    bp,
    resources={rf"{API_PREFIX}/*": {"origins": "*"}},
    methods=["GET", "HEAD", "OPTIONS"],
    supports_credentials=False,
    send_wildcard=True,
    expose_headers=["ETag"],
    max_age=86400,
)


def json_response(payload: Any, *, status: int = 200, cache: bool = True) -> Response:
    """Canonical JSON (sorted keys) with a strong ETag of its bytes; a matching
    ``If-None-Match`` answers 304 without the body."""
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Vary"] = "Accept-Language"
    if not cache or status != 200:
        response.headers["Cache-Control"] = "no-store"
        return response
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.make_conditional(request)  # 304 without the body when If-None-Match matches
    return response


def json_error(status: int, code: str, message: str, **extra: str) -> Response:
    return json_response({"error": code, "message": message, **extra}, status=status, cache=False)
