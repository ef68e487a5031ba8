"""Rotating SECRET_KEY: the old key moves to SECRET_KEY_FALLBACKS. Links already sent (the
personal page, the personal and association feeds) and logged-in sessions keep working; new
links are derived with the new key; a key outside the list opens nothing.

Every app here serves the same database; the rotation is a restart with other settings.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from nattvandring import clock, scheduler, stable_links, tokens
from nattvandring.accounts.models import AccessToken, TokenPurpose, User
from nattvandring.accounts.tasks import rekey_links
from nattvandring.app import create_app
from nattvandring.db import get_engine, session_scope
from nattvandring.errors import RuleViolation
from nattvandring.volunteers import csv_import
from nattvandring.volunteers.services import CleanMember, MemberInput, personal_token
from tests.factories import PASSWORD
from tests.security.conftest import NOW, build_rich_world
from tests.support.database import make_test_app

OLD = "old-secret-key-that-is-long-enough-0000"
NEW = "new-secret-key-that-is-long-enough-1111"
UNLISTED = "some-other-key-that-is-long-enough-222"


@pytest.fixture
def before(tmp_path):
    """The installation before the rotation, with its links and a world to use them on."""
    clock.freeze(NOW)
    app = make_test_app(tmp_path, SECRET_KEY=OLD)
    with app.test_request_context(), session_scope(get_engine(app)) as session:
        app.world = build_rich_world(session, OLD)
    yield app
    get_engine(app).dispose()


def _restarted(before, key: str, *fallbacks: str):
    """The same installation restarted with ``key`` and ``fallbacks`` (no schema reset)."""
    settings = {
        name: before.config[name]
        for name in ("TESTING", "DATABASE_URL", "WTF_CSRF_ENABLED", "PUBLIC_BASE_URL")
    }
    app = create_app({**settings, "SECRET_KEY": key, "SECRET_KEY_FALLBACKS": list(fallbacks)})
    app.world = before.world
    return app


@pytest.fixture
def rotated(before):
    clock.freeze(NOW)
    app = _restarted(before, NEW, OLD)
    yield app
    get_engine(app).dispose()


def _worker_starts(app) -> None:
    """A worker started after the restart runs every scheduled job once, right away."""
    for _name, job, _interval in scheduler.jobs():
        with app.app_context():
            job(app)


def _old_links(app) -> dict[str, str]:
    raw = app.world.raw
    return {
        "personal page": f"/me/{raw['personal_vol_a']}",
        "personal feed": f"/feeds/personal/{raw['feed_vol_a']}.ics",
        "association feed": f"/feeds/association/{raw['assoc_feed_a']}.ics",
    }


def _current_links(app, user_key: str = "vol_a") -> dict[str, str]:
    """The links the installation hands out now (SMS, member page, calendar pages)."""
    ids, keys = app.world.ids, tokens.signing_keys(app.config)
    with app.app_context(), session_scope(get_engine(app)) as session:
        person = session.get(User, ids[user_key])
        page = personal_token(session, person, keys)
        feed = stable_links.stable_link(
            session, TokenPurpose.PERSONAL_FEED, secret_key=keys, user_id=ids[user_key]
        )
        association = stable_links.stable_link(
            session, TokenPurpose.ASSOCIATION_FEED, secret_key=keys, association_id=ids["assoc_a"]
        )
    return {
        "personal page": f"/me/{page}",
        "personal feed": f"/feeds/personal/{feed}.ics",
        "association feed": f"/feeds/association/{association}.ics",
    }


def _status(app, links: dict[str, str]) -> dict[str, int]:
    client = app.test_client()
    return {name: client.get(url).status_code for name, url in links.items()}


def _key_of(app, url: str) -> str | None:
    """Which of OLD, NEW and UNLISTED the link in ``url`` is derived with."""
    raw = url.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context(), session_scope(get_engine(app), write=False) as session:
        row = session.exec(
            select(AccessToken).where(AccessToken.token_hash == tokens.hash_token(raw))
        ).one()
    for key in (OLD, NEW, UNLISTED):
        if tokens.is_derived(
            raw,
            row.purpose,
            row.nonce,
            secret_key=key,
            user_id=row.user_id,
            association_id=row.association_id,
        ):
            return key
    return None


ALL_OK = {"personal page": 200, "personal feed": 200, "association feed": 200}
ALL_GONE = {"personal page": 404, "personal feed": 404, "association feed": 404}


def test_links_already_sent_keep_working_after_a_rotation(before, rotated):
    old = _old_links(before)
    assert _status(before, old) == ALL_OK
    assert _status(rotated, old) == ALL_OK
    _worker_starts(rotated)
    assert _status(rotated, old) == ALL_OK


def test_links_made_after_the_rotation_use_the_new_key_and_work(before, rotated):
    # Until the links are rekeyed, each is still made with its old key, which works.
    waiting = _current_links(rotated)
    assert waiting == _old_links(before)
    assert rekey_links(rotated) == 5  # page and feed for vol_a and vol_c, the association feed
    assert rekey_links(rotated) == 0
    new = _current_links(rotated)
    assert {_key_of(rotated, url) for url in new.values()} == {NEW}
    assert _status(rotated, new) == ALL_OK
    # A volunteer's first link after the rotation: the new key at once.
    first = _current_links(rotated, "vol_b")
    assert _key_of(rotated, first["personal page"]) == NEW
    assert _status(rotated, first)["personal page"] == 200


def test_pages_show_and_feeds_carry_the_new_links(before, rotated):
    rekey_links(rotated)
    new = _current_links(rotated)
    old = _old_links(before)
    client = rotated.test_client()
    page = client.get(old["personal page"]).get_data(as_text=True)
    assert new["personal feed"] in page and old["personal feed"] not in page
    feed = client.get(old["personal feed"]).get_data(as_text=True).replace("\r\n ", "")
    # The feed links no personal page at all (a feed link only reads; issue #19).
    assert client.get(old["personal feed"]).status_code == 200
    assert "/me/" not in feed and new["personal page"] not in feed


def test_a_link_made_with_a_key_outside_the_list_answers_404(before, rotated):
    ids = before.world.ids
    with before.app_context(), session_scope(get_engine(before), write=False) as session:
        nonces = {
            purpose: session.exec(
                select(AccessToken.nonce).where(
                    AccessToken.purpose == purpose,
                    AccessToken.association_id == ids["assoc_a"]
                    if purpose == TokenPurpose.ASSOCIATION_FEED
                    else AccessToken.user_id == ids["vol_a"],
                )
            ).one()
            for purpose in TokenPurpose
            if purpose in (TokenPurpose.PERSONAL_PAGE, *FEEDS)
        }

    def forged(purpose: TokenPurpose) -> str:
        owner = (
            {"association_id": ids["assoc_a"]}
            if purpose == TokenPurpose.ASSOCIATION_FEED
            else {"user_id": ids["vol_a"]}
        )
        return stable_links.link_from_nonce(nonces[purpose], purpose, secret_key=UNLISTED, **owner)

    links = {
        "personal page": f"/me/{forged(TokenPurpose.PERSONAL_PAGE)}",
        "personal feed": f"/feeds/personal/{forged(TokenPurpose.PERSONAL_FEED)}.ics",
        "association feed": f"/feeds/association/{forged(TokenPurpose.ASSOCIATION_FEED)}.ics",
    }
    assert _status(rotated, links) == ALL_GONE


FEEDS = (TokenPurpose.PERSONAL_FEED, TokenPurpose.ASSOCIATION_FEED)


def test_links_of_a_retired_key_answer_404(before, rotated):
    retired = _restarted(before, NEW)  # the old key is not among the fallbacks
    try:
        assert _status(retired, _old_links(before)) == ALL_GONE
        rekey_links(rotated)
        new = _current_links(rotated)
        assert _status(retired, _old_links(before)) == ALL_GONE
        assert _status(retired, new) == ALL_OK
    finally:
        get_engine(retired).dispose()


def test_links_shown_after_the_rotation_open(before, rotated):
    """What a volunteer and a leader see after the restart: the calendar link on the
    personal page and the personal link on the member page open their pages."""
    ids, emails = before.world.ids, before.world.emails
    _worker_starts(rotated)
    client = rotated.test_client()
    page = client.get(_old_links(before)["personal page"]).get_data(as_text=True)
    feed = re.search(r"/feeds/personal/[A-Za-z0-9_-]+\.ics", page)
    assert feed is not None
    assert client.get(feed.group(0)).status_code == 200
    leader = _logged_in(rotated, emails["leader_a"])
    member = leader.get(f"/members/{ids['assoc_a']}/{ids['vol_a']}").get_data(as_text=True)
    personal = re.search(r"/me/[A-Za-z0-9_-]{43}", member)
    assert personal is not None
    assert rotated.test_client().get(personal.group(0)).status_code == 200


def test_a_link_made_before_rekeying_and_then_retired_gets_the_new_key(before):
    """Should the old key leave the list before the worker rekeyed, the next link made is a
    new-key link for the same person (the old one answers 404)."""
    retired = _restarted(before, NEW)
    try:
        now = _current_links(retired)
        assert {_key_of(retired, url) for url in now.values()} == {NEW}
        assert _status(retired, now) == ALL_OK
        assert _status(retired, _old_links(before)) == ALL_GONE
    finally:
        get_engine(retired).dispose()


def _logged_in(app, email: str, **extra: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 302
    return client


def test_a_session_signed_with_the_old_key_survives_the_rotation(before, rotated):
    email = before.world.emails["coord_h"]
    session_cookie = _logged_in(before, email).get_cookie("nv_session").value
    client = rotated.test_client()
    client.set_cookie("nv_session", session_cookie)
    assert client.get("/account/password").status_code == 200
    retired = _restarted(before, NEW)
    try:
        stranger = retired.test_client()
        stranger.set_cookie("nv_session", session_cookie)
        assert stranger.get("/account/password").status_code == 302  # to the login page
    finally:
        get_engine(retired).dispose()


def test_a_remember_me_cookie_signed_with_the_old_key_survives_and_is_signed_anew(before, rotated):
    email = before.world.emails["coord_h"]
    remember = _logged_in(before, email, remember="y").get_cookie("nv_remember").value
    client = rotated.test_client()
    client.set_cookie("nv_remember", remember)  # the browser was closed: no session cookie
    response = client.get("/account/password")
    assert response.status_code == 200
    renewed = client.get_cookie("nv_remember").value
    assert renewed != remember
    fresh = rotated.test_client()
    fresh.set_cookie("nv_remember", renewed)
    assert fresh.get("/account/password").status_code == 200
    retired = _restarted(before, NEW)
    try:
        stranger = retired.test_client()
        stranger.set_cookie("nv_remember", remember)
        assert stranger.get("/account/password").status_code == 302
    finally:
        get_engine(retired).dispose()


def test_a_logged_out_remember_cookie_stays_logged_out(before, rotated):
    email = before.world.emails["coord_h"]
    old_client = _logged_in(before, email, remember="y")
    remember = old_client.get_cookie("nv_remember").value
    assert old_client.post("/logout").status_code == 302  # bumps the session version
    client = rotated.test_client()
    client.set_cookie("nv_remember", remember)
    assert client.get("/account/password").status_code == 302


def test_an_import_preview_signed_before_the_rotation_can_be_confirmed():
    """The CSV import signs its preview with the key; one signed just before the restart is
    still confirmed, with the rows it was signed with, and not once the key is retired."""
    clean = CleanMember(name="Ny Medlem", phone_e164="+46701234567", email=None, birth_year=1980)
    row = csv_import.PreviewRow(
        line=2, name="", phone="", email="", birth_year="", status="new", clean=clean
    )
    signed = csv_import.sign_rows(OLD, 7, csv_import.Preview(rows=[row]))
    expected = [MemberInput(name="Ny Medlem", phone="+46701234567", email="", birth_year=1980)]
    assert csv_import.unsign_rows((NEW, OLD), 7, signed) == expected
    with pytest.raises(RuleViolation):
        csv_import.unsign_rows((NEW,), 7, signed)
    # New previews are signed with the new key.
    fresh = csv_import.sign_rows((NEW, OLD), 7, csv_import.Preview(rows=[row]))
    assert csv_import.unsign_rows((NEW,), 7, fresh) == expected
