"""CSRF protection: Flask-WTF's token, plus a check of where the browser says a POST came from.

Flask-WTF's own HTTPS check (``WTF_CSRF_SSL_STRICT``) demands a ``Referer`` from this host.
Our pages send ``Referrer-Policy: same-origin`` and browsers or privacy settings may still
drop the header, so that check is off (see ``app._configure_flask``). In its place, a POST is
refused when the browser itself says it was sent from another site:

1. ``Sec-Fetch-Site`` (Fetch Metadata, set by the browser, no page can forge it): only
   ``same-origin`` and ``none`` (the user's own action, such as a reload) pass.
2. Without it (older browsers), a real ``Origin`` must be this site's origin: the one the
   request arrived at (after ProxyFix) or the one of ``PUBLIC_BASE_URL``.
3. Without either, or with ``Origin: null`` (which a page on another site can also produce),
   the token decides, together with the ``SameSite=Lax`` session cookie that a browser does not
   send on a POST from another site.

The check runs where Flask-WTF checks the token, so ``@csrf.exempt`` views (the Twilio
webhooks, which are signature-checked instead) skip both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import current_app, request
from flask_wtf.csrf import CSRFError, CSRFProtect

log = logging.getLogger(__name__)

# Sec-Fetch-Site values of a request this site made itself, or the user made directly.
OWN_SITE = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class CrossSiteRequest(CSRFError):
    """A form was posted from another site (the error page says so, in the user's language)."""


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` in lower case with the scheme's default port left out, as a
    browser writes ``Origin``; None for anything that is not an http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def cross_site_reason(
    *, fetch_site: str | None, origin: str | None, own_origins: Iterable[str | None]
) -> str | None:
    """Why a POST with these headers comes from another site, or None when nothing says so."""
    if fetch_site:
        site = fetch_site.strip().lower()
        return None if site in OWN_SITE else f"Sec-Fetch-Site is {site[:20]}"
    if not origin or origin.strip() == "null":
        return None
    own = {candidate for candidate in own_origins if candidate}
    if origin_of(origin) in own:
        return None
    return "Origin is another site"


class SiteCheckingCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRFProtect that first refuses POSTs the browser marks as cross-site."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method not in current_app.config["WTF_CSRF_METHODS"]:
            return  # a GET or HEAD: nothing to check (Flask-WTF would return here too)
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        reason = cross_site_reason(
            fetch_site=request.headers.get("Sec-Fetch-Site"),
            origin=request.headers.get("Origin"),
            own_origins=(
                origin_of(request.host_url),
                origin_of(current_app.config.get("PUBLIC_BASE_URL") or ""),
            ),
        )
        if reason is not None:
            log.info("Refused a cross-site %s on %s: %s", request.method, request.url_rule, reason)
            raise CrossSiteRequest(reason)
        super().protect(apply_exemptions=False)
