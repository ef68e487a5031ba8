"""The municipalities blueprint: the admin's list of municipalities; and the lookup that every
public page by slug shares."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for

from ..db import db_session
from ..errors import NotFound
from .models import Municipality
from .services import find_by_slug

bp = Blueprint("municipalities", __name__)

MAX_KEPT_QUERY = 1000


def public_municipality(slug: str) -> Municipality:
    """The municipality of a public URL (``<slug>`` in the current route).

    A slug typed with å/ä/ö, in capitals or percent-encoded answers 301 to the same page
    under the canonical slug (query string kept); an unknown one 404."""
    municipality, canonical = find_by_slug(db_session(), slug)
    if municipality is None:
        raise NotFound()
    if not canonical:
        values = dict(request.view_args or {}, slug=municipality.slug)
        target = url_for(str(request.endpoint), **values)
        query = request.query_string.decode("ascii", "replace")
        if query and len(query) <= MAX_KEPT_QUERY:  # a redirect never copies a huge query
            target += "?" + query
        abort(redirect(target, 301))
    return municipality
