"""Every page each kind of user can reach passes the checks, not only the journeys' pages.

Each person follows every link on every page (GET only, same site, no downloads), visiting
one page per kind of URL (``/booking/1/shifts/23`` and ``/booking/1/shifts/24`` are one
kind), and each page gets axe-core, the 390 px check and the error-message check. Leaders
and volunteers crawl on a phone, the others on a desktop (the 390 px check runs for all).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlmodel import select

from nattvandring import stable_links
from nattvandring.accounts.models import Membership, Role, TokenPurpose
from nattvandring.db import session_scope
from nattvandring.volunteers.services import personal_page_url

from .checks import screenshot
from .served import SECRET
from .story import AFTER_THE_WALK, COORDINATOR, LEADER, SPONSOR, log_in

ADMIN = "admin@demo.nattvandring.se"
MAX_PAGES = 80
SKIP = re.compile(
    r"\.(ics|csv|xlsx|pdf|json)$|^/(static|feeds|webhooks|logout|api/)|/export|/privacy/erase"
)


def kind_of(url: str) -> str:
    """The path with numbers as #, and the query's names; a word value names a mode
    (``view=month``, ``status=pending``) and is kept, numbers and dates are not."""
    parts = urlsplit(url)
    keys = sorted(
        {
            key + (f"={value}" if re.fullmatch(r"[a-z_]+", value) else "")
            for key, value in parse_qsl(parts.query)
        }
    )
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl(keys, served, start: str) -> list[str]:
    """Breadth first from ``start``; returns the kinds of page visited."""
    queue, seen, visited = [served.url(start)], {kind_of(start)}, []
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        keys.open(url)
        visited.append(kind_of(url))
        for link in keys.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(link)
            if not link.startswith(served.base_url) or SKIP.search(parts.path):
                continue
            target = link.split("#")[0]
            if kind_of(target) not in seen:
                seen.add(kind_of(target))
                queue.append(target)
    return visited


@pytest.mark.parametrize(
    ("email", "screen"),
    [
        (ADMIN, "desktop"),
        (COORDINATOR, "desktop"),
        (LEADER, "phone"),
        (SPONSOR, "desktop"),
    ],
    ids=["admin", "coordinator", "leader", "sponsor"],
)
def test_every_page_of_a_logged_in_user(people, served, email, screen):
    served.at(AFTER_THE_WALK)
    keys = getattr(people, screen)()
    log_in(keys, served, email)
    visited = crawl(keys, served, "/")
    assert len(visited) > 5, visited


def test_every_public_page_and_a_volunteers_pages(people, served):
    served.at(AFTER_THE_WALK)
    with session_scope(served.engine) as session:
        volunteer = session.exec(
            select(Membership.user_id).where(Membership.role == Role.VOLUNTEER)
        ).first()
        token = stable_links.stable_link(
            session, TokenPurpose.PERSONAL_PAGE, secret_key=SECRET, user_id=volunteer
        )
    keys = people.phone()
    visited = crawl(keys, served, "/")
    visited += crawl(keys, served, "/kommun/hassleholm")
    visited += crawl(keys, served, personal_page_url("", token))
    assert "/login" in visited and "/register" in visited, visited


# The heading of each role's part of the home page (Karin leads IFK Hässleholm).
HOME_PARTS = {
    "admin": (ADMIN, "Drift"),
    "coordinator": (COORDINATOR, "Samordning"),
    "leader": (LEADER, "IFK Hässleholm"),
    "sponsor": (SPONSOR, "Sponsoravtal"),
}

# Per list on the home page: how many rows it shows and whether it says all is done; per
# row, its right edge (nothing off-screen on a 390 px phone).
_HOME_LISTS = """() => [...document.querySelectorAll('main section.home-list')].map(s => ({
  id: s.id,
  rows: s.querySelectorAll('.home-items > li').length,
  done: !!s.querySelector('.home-done'),
  right: Math.max(0, ...[...s.querySelectorAll('.home-item, .home-item .button')]
    .map(el => el.getBoundingClientRect().right)),
}))"""


@pytest.mark.parametrize("role", list(HOME_PARTS))
def test_each_roles_home_on_a_phone(people, served, role):
    served.at(AFTER_THE_WALK)
    email, heading = HOME_PARTS[role]
    keys = people.phone()
    page = keys.page
    log_in(keys, served, email)  # lands on the home page
    assert urlsplit(page.url).path == "/"
    assert page.get_by_role("heading", name=heading, level=2).is_visible()
    lists = page.evaluate(_HOME_LISTS)
    assert lists, "no lists on the home page"
    for found in lists:
        # Rows, or the sentence that all is done (the sponsor's agreement may show both).
        assert found["rows"] or found["done"], found
        assert found["right"] <= 390, found
    screenshot(page, f"home-{role}-phone", full_page=False)  # docs/screenshots/
    screenshot(page, f"home-{role}-phone-full")
    # An item's link opens the page that resolves it, for this person.
    first = page.locator("main a.home-item").first
    if first.count():
        target = urlsplit(first.get_attribute("href") or "").path
        keys.follow(first)
        assert urlsplit(page.url).path == target
        assert not page.get_by_role(
            "heading", name=re.compile("Sidan finns inte|Åtkomst nekad|Något gick fel")
        ).count()
