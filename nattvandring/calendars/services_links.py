"""Secret feed links: derive, rotate and turn into https:// and webcal:// addresses.

A feed token only reads its calendar: it is stored under its own purpose
(PERSONAL_FEED / ASSOCIATION_FEED), so it opens no personal page and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from .. import stable_links, tokens
from ..accounts.models import TokenPurpose
from ..volunteers.services import personal_page_url as volunteer_page_url


@dataclass(frozen=True)
class FeedLink:
    https: str
    webcal: str


def to_webcal(url: str) -> str:
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            return "webcal://" + url[len(prefix) :]
    return url


def _link(base_url: str, path: str) -> FeedLink:
    https = f"{base_url.rstrip('/')}{path}"
    return FeedLink(https=https, webcal=to_webcal(https))


def personal_feed_link(
    session: Session, *, user_id: int, secret_key: tokens.SigningKeys, base_url: str
) -> FeedLink:
    """Safe in a GET: see ``stable_links.stable_link_for_read``."""
    raw = stable_links.stable_link_for_read(
        session, TokenPurpose.PERSONAL_FEED, secret_key=secret_key, user_id=user_id
    )
    return _link(base_url, f"/feeds/personal/{raw}.ics")


def rotate_personal_feed(
    session: Session, *, user_id: int, secret_key: tokens.SigningKeys, base_url: str
) -> FeedLink:
    """Revoke the volunteer's feed link (the old one then answers 404) and make a new one."""
    raw = stable_links.rotate_stable_link(
        session, TokenPurpose.PERSONAL_FEED, secret_key=secret_key, user_id=user_id
    )
    return _link(base_url, f"/feeds/personal/{raw}.ics")


def association_feed_link(
    session: Session, *, association_id: int, secret_key: tokens.SigningKeys, base_url: str
) -> FeedLink:
    """Safe in a GET: see ``stable_links.stable_link_for_read``."""
    raw = stable_links.stable_link_for_read(
        session,
        TokenPurpose.ASSOCIATION_FEED,
        secret_key=secret_key,
        association_id=association_id,
    )
    return _link(base_url, f"/feeds/association/{raw}.ics")


def rotate_association_feed(
    session: Session, *, association_id: int, secret_key: tokens.SigningKeys, base_url: str
) -> FeedLink:
    raw = stable_links.rotate_stable_link(
        session,
        TokenPurpose.ASSOCIATION_FEED,
        secret_key=secret_key,
        association_id=association_id,
    )
    return _link(base_url, f"/feeds/association/{raw}.ics")


def personal_page_url(
    session: Session, *, user_id: int, secret_key: tokens.SigningKeys, base_url: str
) -> str:
    raw = stable_links.stable_link(
        session, TokenPurpose.PERSONAL_PAGE, secret_key=secret_key, user_id=user_id
    )
    return volunteer_page_url(base_url, raw)
