"""Calendar feeds (.ics), the one-walk download, and the pages that hand out feed links.

Feeds need no login: public feeds are public, secret feeds carry their own read-only
token. A wrong, rotated or foreign token answers 404.
"""

from __future__ import annotations

import hashlib

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import Session, col, select

from .. import authz, tokens
from ..associations.models import Association
from ..db import db_session, read_connection
from ..errors import NotFound
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea
from ..volunteers.services import user_for_personal_token
from ..web import nav
from ..web.forms_util import load_for
from . import (
    services_association,
    services_links,
    services_personal,
    services_public,
    services_sent,
)
from .blueprint import bp
from .http import PRIVATE_CACHE, PUBLIC_CACHE, FeedStamp, calendar_response
from .ical import feed_etag, render_feed
from .qr import qr_svg


def _cfg(key: str):
    return current_app.config[key]


def _base_url() -> str:
    return str(_cfg("PUBLIC_BASE_URL")).rstrip("/")


def _alarm() -> int | None:
    minutes = int(_cfg("FEED_ALARM_MINUTES"))
    return minutes if minutes > 0 else None


def _keys() -> tuple[str, ...]:
    return tokens.signing_keys(current_app.config)


# --- public -------------------------------------------------------------------------------


def _public_feed(slug: str, area_id: int | None):
    session = db_session()
    host, base_url = _cfg("CALENDAR_HOST"), _base_url()
    feed = services_public.find_feed(
        session, slug, area_id, config=current_app.config, host=host, base_url=base_url
    )
    if feed is None:
        raise NotFound()
    return calendar_response(
        feed.stamp,
        lambda: services_public.render_public(
            session, feed.scope, feed.window, host=host, base_url=base_url
        ),
        cache_control=PUBLIC_CACHE,
    )


@bp.get("/feeds/kommun/<slug>.ics")
def municipality_feed(slug: str):
    return _public_feed(slug, None)


@bp.get("/feeds/kommun/<slug>/<int:area_id>.ics")
def area_feed(slug: str, area_id: int):
    return _public_feed(slug, area_id)


@bp.get("/walks/<int:shift_id>.ics")
def walk_ics(shift_id: int):
    """One walk, public information only (the booking SMS links here)."""
    host = _cfg("CALENDAR_HOST")
    walk = services_public.walk_file(db_session(), shift_id, base_url=_base_url())
    if walk is None:
        raise NotFound()
    body = render_feed(name=walk.name, events=[walk.event], host=host)
    stamp = FeedStamp(
        etag=feed_etag(("walk", shift_id, hashlib.sha256(body).hexdigest())),
        last_modified=walk.event.last_modified,
    )
    return calendar_response(
        stamp, lambda: body, cache_control=PUBLIC_CACHE, filename=walk.filename
    )


# --- secret feeds: a token that is not live for that feed answers 404 ---------------------


@bp.get("/feeds/personal/<token>.ics")
def personal_feed(token: str):
    host, base_url, alarm = _cfg("CALENDAR_HOST"), _base_url(), _alarm()
    # Core reads only: the token with the feed's version, then (unless 304 or cached) the walks.
    with read_connection() as connection:
        feed = services_personal.find_feed(
            connection,
            token,
            config=current_app.config,
            host=host,
            base_url=base_url,
            alarm_minutes=alarm or 0,
            secret_key=_keys(),
        )
        if feed is None:
            raise NotFound()
        return calendar_response(
            feed.stamp,
            lambda: services_personal.render_personal(
                connection,
                feed.user_id,
                feed.window,
                host=host,
                base_url=base_url,
                alarm_minutes=alarm,
            ),
            cache_control=PRIVATE_CACHE,
        )


@bp.get("/feeds/association/<token>.ics")
def association_feed(token: str):
    session = db_session()
    host, base_url = _cfg("CALENDAR_HOST"), _base_url()
    feed = services_association.find_feed(
        session, token, config=current_app.config, host=host, base_url=base_url, secret_key=_keys()
    )
    if feed is None:
        raise NotFound()

    def render() -> bytes:
        association = session.get_one(Association, feed.association_id)
        return services_association.render_association(
            session, association, feed.window, host=host, base_url=base_url
        )

    return calendar_response(feed.stamp, render, cache_control=PRIVATE_CACHE)


# --- admin: sent e-mail ------------------------------------------------------------------


@bp.get("/admin/email")
@login_required
def sent_email():
    authz.require_admin(current_user)
    return render_template(
        "calendars/sent_email.html",
        rows=services_sent.sent_emails(db_session()),
        page_size=services_sent.PAGE_SIZE,
    )


nav.register("calendars.sent_email", _l("Skickade e-post"), authz.is_admin, order=81)


# --- links on pages -----------------------------------------------------------------------


@bp.app_template_global("public_area_feeds")
def public_area_feeds(municipality: Municipality) -> list[dict[str, str]]:
    """For the public page: each active area's feed (https and webcal)."""
    areas = db_session().exec(
        select(PatrolArea)
        .where(PatrolArea.municipality_id == municipality.id, col(PatrolArea.active).is_(True))
        .order_by(PatrolArea.name)
    )
    found = []
    for area in areas:
        https = url_for(
            "calendars.area_feed", slug=municipality.slug, area_id=area.id, _external=True
        )
        found.append({"name": area.name, "https": https, "webcal": services_links.to_webcal(https)})
    return found


def _link_holder(session: Session, personal_token: str) -> int | None:
    """The person a live personal-page link belongs to, as the personal page itself decides
    (an inactive or erased person's old link opens nothing), else None."""
    user = user_for_personal_token(session, personal_token, secret_key=_keys())
    return None if user is None else user.id


@bp.app_template_global("personal_calendar")
def personal_calendar(user_id: int, personal_token: str) -> dict[str, object]:
    """For templates/calendars/_personal_block.html on the personal page, whose view has
    found ``user_id`` as the holder of ``personal_token``: the feed links and QR."""
    link = services_links.personal_feed_link(
        db_session(), user_id=user_id, secret_key=_keys(), base_url=_base_url()
    )
    return {
        "https": link.https,
        "webcal": link.webcal,
        "qr_url": url_for("calendars.personal_qr", personal_token=personal_token),
        "rotate_url": url_for("calendars.rotate_personal", personal_token=personal_token),
    }


@bp.get("/me/<personal_token>/calendar/qr.svg")
def personal_qr(personal_token: str):
    """The personal page's QR code as an image of its own, so that a phone, which is shown
    an empty pixel instead (a <picture> source for narrow screens), never downloads it."""
    session = db_session()
    user_id = _link_holder(session, personal_token)
    if user_id is None:
        raise NotFound()
    link = services_links.personal_feed_link(
        session, user_id=user_id, secret_key=_keys(), base_url=_base_url()
    )
    svg = qr_svg(link.webcal, title=_("QR-kod för att prenumerera på kalendern"))
    response = current_app.response_class(str(svg), mimetype="image/svg+xml")
    # It encodes the secret feed link: never cached, never indexed (as the personal page).
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.post("/me/<personal_token>/calendar/rotate")
def rotate_personal(personal_token: str):
    session = db_session()
    user_id = _link_holder(session, personal_token)
    if user_id is None:
        raise NotFound()
    services_links.rotate_personal_feed(
        session, user_id=user_id, secret_key=_keys(), base_url=_base_url()
    )
    flash(
        _("Du har fått en ny kalenderlänk. Den gamla slutar fungera: prenumerera på nytt."),
        "success",
    )
    return redirect(f"/me/{personal_token}#kalender")


@bp.get("/associations/<int:association_id>/calendar")
@login_required
def association_calendar(association_id: int):
    association = load_for(Association, association_id, "calendar")
    link = services_links.association_feed_link(
        db_session(),
        association_id=association.id,  # type: ignore[arg-type]
        secret_key=_keys(),
        base_url=_base_url(),
    )
    return render_template(
        "calendars/association.html",
        association=association,
        link=link,
        qr=qr_svg(link.webcal, title=_("QR-kod för att prenumerera på föreningens kalender")),
    )


@bp.post("/associations/<int:association_id>/calendar/rotate")
@login_required
def rotate_association(association_id: int):
    association = load_for(Association, association_id, "calendar")
    services_links.rotate_association_feed(
        db_session(),
        association_id=association.id,  # type: ignore[arg-type]
        secret_key=_keys(),
        base_url=_base_url(),
    )
    flash(
        _("Föreningen har fått en ny kalenderlänk. Den gamla slutar fungera."),
        "success",
    )
    return redirect(url_for("calendars.association_calendar", association_id=association_id))
