"""The header's menu: made once per process for each set of memberships and language, and
never shown to someone whose memberships differ."""

from __future__ import annotations

import re

from nattvandring.accounts.models import Role, User
from nattvandring.accounts.services import grant
from tests import factories
from tests.factories import login

MENU = re.compile(r'<ul id="main-menu">(.*?)</ul>', re.S)


def _menu(client) -> list[tuple[str, str]]:
    html = client.get("/").get_data(as_text=True)
    block = MENU.search(html)
    assert block is not None
    return re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', block.group(1))


def _labels(client) -> set[str]:
    return {label for _url, label in _menu(client)}


def test_each_role_gets_its_own_menu_from_the_shared_cache(app, client, world) -> None:
    seen = {}
    for who in ("coord_h", "leader_a", "liaison", "admin", "leader_b", "coord_h"):
        client.post("/logout")
        login(client, world.emails[who])
        seen.setdefault(who, _menu(client))
        assert _menu(client) == seen[who]
    assert "Planering" in {label for _url, label in seen["coord_h"]}
    assert "Planering" not in {label for _url, label in seen["leader_a"]}
    assert "Boka pass" in {label for _url, label in seen["leader_a"]}
    assert "Sponsring" in {label for _url, label in seen["liaison"]}
    assert "Kommuner" in {label for _url, label in seen["admin"]}
    assert "Kommuner" not in {label for _url, label in seen["coord_h"]}
    # Leaders of different associations hold different memberships, so two entries.
    menus = app.extensions["navigation_menus"]
    assert len(menus) == 5


def test_the_menu_follows_the_language(client, world) -> None:
    login(client, world.emails["leader_a"])
    assert {"Översikt", "Boka pass"} <= _labels(client)
    client.post("/lang", data={"lang": "en", "next": "/"})
    labels = _labels(client)
    assert {"Overview", "Book shifts"} <= labels
    assert "Boka pass" not in labels


def test_a_new_membership_shows_on_the_next_page(client, world, db) -> None:
    login(client, world.emails["leader_a"])
    assert "Planering" not in _labels(client)
    leader = db.get(User, world.ids["leader_a"])
    grant(db, leader, Role.COORDINATOR, municipality_id=world.ids["hassleholm"])
    db.commit()
    assert {"Planering", "Boka pass"} <= _labels(client)


def test_someone_without_a_role_gets_the_menu_as_cards_on_the_start_page(client, db) -> None:
    """A volunteer with a login has no part of their own on the start page: it shows the
    menu (all but the start page itself) as cards."""
    factories.user(db, "Vol Med Inloggning", email="vol-login@example.org")
    db.commit()
    login(client, "vol-login@example.org")
    page = client.get("/")
    assert page.status_code == 200
    cards = re.findall(
        r'<li class="card"><a href="([^"]+)">([^<]+)</a></li>', page.get_data(as_text=True)
    )
    assert cards == [("/account/password", "Konto")]
