"""The municipalities blueprint: the admin's list of municipalities; and the lookup that every
public page by slug shares."""

from __future__ import annotations

from urllib.parse import urlencode

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
    under the canonical slug (query kept, re-encoded from its parsed values, never copied
    raw: a stray "%" or a non-UTF-8 byte would otherwise reach the ``Location`` header as
    sent); an unknown one 404."""
    municipality, canonical = find_by_slug(db_session(), slug)
    if municipality is None:
        raise NotFound()
    if not canonical:
        values = dict(request.view_args or {}, slug=municipality.slug)
        target = url_for(str(request.endpoint), **values)
        query = urlencode(list(request.args.items(multi=True)))
        if query and len(query) <= MAX_KEPT_QUERY:  # a redirect never copies a huge query
            target += "?" + query
        abort(redirect(target, 301))
    return municipality
