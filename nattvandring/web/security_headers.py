"""Security headers on every response, set here because Flask-Talisman is unmaintained."""

from __future__ import annotations

from flask import Flask, request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
#: Set on every response unless the view set its own value.
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    # Personal links carry tokens in the URL: another site never gets a Referer. Our own
    # pages do (this server already has the URL), and with it browsers send our real
    # Origin on our own forms instead of "null" (no-referrer), which web/csrf.py checks.
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "geolocation=(), camera=(), microphone=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        # One pass over the response's few headers instead of a scan per header name.
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        missing = [(name, value) for name, value in HEADERS if name.lower() not in present]
        csp = headers.get("Content-Security-Policy", CSP)
        # Only a view that set its own frame-ancestors (the open-data widget) may be framed.
        if "frame-ancestors 'none'" in csp and "x-frame-options" not in present:
            missing.append(("X-Frame-Options", "DENY"))
        if request.is_secure and HSTS[0].lower() not in present:
            missing.append(HSTS)
        headers.extend(missing)
        return response
