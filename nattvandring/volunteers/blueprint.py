"""The volunteers blueprint: the leader's member pages and everything under /me/<token>.

Pages under the personal link need no login: the link (TokenPurpose.PERSONAL_PAGE) is the
key, and an unknown, rotated or revoked token answers 404. They carry
``Cache-Control: no-store``; Referrer-Policy same-origin is set globally, so the token never
leaks to other sites.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from .. import tokens
from ..accounts.models import User
from ..db import db_session
from ..errors import NotFound
from . import services, walk_view

bp = Blueprint("volunteers", __name__)
bp.add_app_template_filter(walk_view.tel_uri, "tel_uri")


def personal_owner(token: str) -> User:
    """The active person whose personal link ``token`` is, or 404."""
    user = services.user_for_personal_token(
        db_session(), token, secret_key=tokens.signing_keys(current_app.config)
    )
    if user is None:
        raise NotFound()
    return user


def private(response: Response) -> Response:
    """Mark a personal page: never cached, never indexed."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
