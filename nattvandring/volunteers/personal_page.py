"""The personal page's content, cached by data version (``web.page_cache``).

The page is one person's, so the fragment's key names them: their id, with the versions of
every municipality whose rows the page shows (``scopes``) and of everything else (people's
names and numbers are rows of no municipality). It is rendered with two things left out
and put back on every response:

- the link's token, which no cache holds (a token is stored only as its digest): the
  fragment's URLs carry ``token_slot`` instead, a string derived from the secret key, so no
  text anybody types can contain it;
- the check-in buttons and the calendar subscription, which follow the clock by the minute
  and a feed link that rotates without moving any version: they are drawn anew each time, in
  ``CHECKINS_SLOT`` and ``CALENDAR_SLOT`` (markup that escaped text can never contain).

The clock changes the rest only where a walk starts or ends (it moves from coming to past;
its buttons go) or an open place's walk starts (the offer goes): ``valid_until``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import BindParameter, Select, bindparam, select, union
from sqlmodel import col

from ..accounts.models import Membership
from ..associations.models import Association
from ..booking.models import Assignment
from ..calendars.models import CancelledWalk
from ..planning.models import Shift
from ..reports.models import HoursLedgerEntry, PatrolReport, ReportWalker
from ..web.page_cache import SelectedScopes
from .models import MembershipRequest

CHECKINS_SLOT = Markup("<personal-checkins-slot/>")
CALENDAR_SLOT = Markup("<personal-calendar-slot/>")


def scopes(user_id: int) -> SelectedScopes:
    """The municipalities whose rows the page of ``user_id`` shows: of the associations they
    belong to or were asked to join, and of every walk they were put on, lost with a
    cancelled booking, or were reported walking (with its hours).

    A booking's shift is in its association's municipality (booking refuses any other), so
    a walk's group, leader and place are rows of the walk's municipality."""
    return SelectedScopes(_scopes(), {"user_id": user_id})


@functools.cache
def _scopes() -> Select:
    """The statement of ``scopes``, built once per process."""
    user_id: BindParameter[int] = bindparam("user_id")
    of_associations = select(col(Association.municipality_id)).where(
        col(Association.id).in_(
            select(col(Membership.association_id)).where(col(Membership.user_id) == user_id)
        )
        | col(Association.id).in_(
            select(col(MembershipRequest.association_id)).where(
                col(MembershipRequest.user_id) == user_id
            )
        )
    )
    of_walks = select(col(Shift.municipality_id)).where(
        col(Shift.id).in_(
            select(col(Assignment.shift_id)).where(col(Assignment.user_id) == user_id)
        )
        | col(Shift.id).in_(
            select(col(CancelledWalk.shift_id)).where(col(CancelledWalk.user_id) == user_id)
        )
    )
    of_reports = select(col(PatrolReport.municipality_id)).where(
        col(PatrolReport.id).in_(
            select(col(ReportWalker.report_id)).where(col(ReportWalker.user_id) == user_id)
        )
    )
    of_hours = select(col(HoursLedgerEntry.municipality_id)).where(
        col(HoursLedgerEntry.user_id) == user_id
    )
    found = union(of_associations, of_walks, of_reports, of_hours).subquery("scope")
    return select(found.c.municipality_id)


def token_slot(secret_key: str) -> str:
    """What the fragment's URLs carry in place of the link's token: URL-safe, the same in
    every process of an installation, and unknown to anyone without its secret key."""
    digest = hmac.new(secret_key.encode(), b"personal-page-token-slot", hashlib.sha256)
    return "slot" + digest.hexdigest()[:39]


def slot_digest(slot: str) -> str:
    """What the fragment's key says of its slot: a new secret key makes a new slot, and a
    fragment with the old one, whose links would open nothing, is then never read."""
    return hashlib.sha256(slot.encode()).hexdigest()[:16]


def valid_until(now: datetime, instants: Iterable[datetime]) -> datetime | None:
    """The first of ``instants`` after ``now`` (None: the clock alone changes nothing)."""
    return min((instant for instant in instants if instant > now), default=None)


def fill(content: Markup, *, slot: str, token: str, checkins: str, calendar: str) -> Markup:
    """The cached content with the link's token and the blocks drawn anew put back."""
    html = str(content).replace(slot, token)
    html = html.replace(CHECKINS_SLOT, checkins).replace(CALENDAR_SLOT, calendar)
    return Markup(html)  # noqa: S704 - our own rendered templates, see the module
