"""Error pages in the user's language; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import Forbidden, InvalidQuery, NotFound
from ..i18n import _
from ..logging_setup import RedactFilter, route_label
from .csrf import CrossSiteRequest

log = logging.getLogger(__name__)
# On the logger itself, not only on the app's handler: whatever handler receives an unexpected
# error (a database error quotes the row it refused) gets it with personal data masked.
log.addFilter(RedactFilter())

HANDLED = (400, 403, 404, 405, 413, 429, 500)
_API_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "internal_error",
}


def _title(code: int) -> str:
    titles = {
        400: _("Felaktig begäran"),
        403: _("Åtkomst nekad"),
        404: _("Sidan finns inte"),
        405: _("Metoden är inte tillåten"),
        413: _("Filen är för stor"),
        429: _("För många försök"),
        500: _("Något gick fel"),
    }
    return titles.get(code, _("Något gick fel"))


def _explanation(code: int) -> str:
    texts = {
        400: _("Begäran kunde inte behandlas. Ladda om sidan och försök igen."),
        403: _("Du har inte behörighet att göra detta."),
        404: _("Sidan eller länken finns inte, eller så har den slutat gälla."),
        405: _("Den här adressen tar inte emot den typen av begäran."),
        413: _("Det du skickade är för stort."),
        429: _("Du har gjort för många försök. Vänta en stund och försök igen."),
        500: _("Ett oväntat fel inträffade. Felet har loggats."),
    }
    return texts.get(code, texts[500])


def render_error(code: int, message: str | None = None):
    if request.path.startswith("/api/"):
        payload = {"error": _API_CODES.get(code, "error"), "message": message or _title(code)}
        return jsonify(payload), code, {"Cache-Control": "no-store"}
    wants_text = request.path.startswith(("/webhooks/", "/feeds/", "/healthz", "/readyz"))
    if wants_text:
        return f"{code} {_title(code)}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    body = render_template(
        "errors/error.html", code=code, title=_title(code), message=message or _explanation(code)
    )
    return body, code


def _has_nul(values) -> bool:
    return any("\x00" in value for _key, value in values.items(multi=True))


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes():
        """No form or filter legitimately sends NUL, and PostgreSQL text cannot hold it."""
        if _has_nul(request.args) or (request.method == "POST" and _has_nul(request.form)):
            log.info("Refused a request with a NUL character on %s", request.url_rule)
            return render_error(400)
        return None

    @app.errorhandler(NotFound)
    def _not_found(_exc: NotFound):
        return render_error(404)

    @app.errorhandler(Forbidden)
    def _forbidden(_exc: Forbidden):
        return render_error(403)

    @app.errorhandler(InvalidQuery)
    def _invalid_query(exc: InvalidQuery):
        return render_error(400, str(exc.message))

    @app.errorhandler(CrossSiteRequest)
    def _cross_site(_exc: CrossSiteRequest):
        return render_error(
            400,
            _(
                "Formuläret skickades från en annan webbplats och togs inte emot. Öppna sidan "
                "här och försök igen."
            ),
        )

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError):
        return render_error(
            400, _("Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan.")
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = exc.code or 500
        if code not in HANDLED:
            return exc
        return render_error(code)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if app.config.get("PROPAGATE_EXCEPTIONS") or app.testing and app.config.get("RAISE_ERRORS"):
            raise exc
        log.exception("Unhandled error on %s %s", request.method, route_label())
        return render_error(500)
