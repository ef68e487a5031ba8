"""Password reset and invitation links: single use, expiring, e-mailed through the outbox."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import AccessToken, Membership, User
from nattvandring.mail.models import EmailMessage
from tests.factories import login
from tests.support.identity import sent_code


def _link_from_outbox(db, kind: str) -> str:
    db.rollback()  # a fresh snapshot that sees what the app committed
    body = db.exec(select(EmailMessage.body_text).where(EmailMessage.kind == kind)).all()[-1]
    db.rollback()
    return re.search(r"http://localhost(/\S+)", body).group(1)


def _new_password(client, path: str, password: str = "fresh-password-123"):
    return client.post(path, data={"new_password": password, "confirm": password})


def test_reset_link_works_once(client, world, db):
    response = client.post("/reset", data={"email": world.emails["leader_a"]})
    assert response.status_code == 302
    path = _link_from_outbox(db, "password_reset")
    assert client.get(path).status_code == 200
    assert _new_password(client, path).status_code == 302
    assert client.get("/account/password").status_code == 200
    client.post("/logout")
    assert client.get(path).status_code == 404
    assert _new_password(client, path, "another-password-1").status_code == 404
    assert login(client, world.emails["leader_a"], "fresh-password-123").status_code == 302


def test_reset_link_expires(client, world, db):
    client.post("/reset", data={"email": world.emails["leader_a"]})
    path = _link_from_outbox(db, "password_reset")
    clock.freeze(clock.utcnow() + timedelta(hours=2, seconds=1))
    assert client.get(path).status_code == 404


def test_reset_for_unknown_address_answers_the_same_and_sends_nothing(client, world, db):
    known = client.post("/reset", data={"email": world.emails["leader_a"]}, follow_redirects=True)
    unknown = client.post("/reset", data={"email": "nobody@example.org"}, follow_redirects=True)
    assert "Om adressen finns hos oss" in known.text
    assert "Om adressen finns hos oss" in unknown.text
    assert len(db.exec(select(EmailMessage)).all()) == 1


def test_tokens_are_stored_hashed(client, world, db):
    client.post("/reset", data={"email": world.emails["leader_a"]})
    raw = _link_from_outbox(db, "password_reset").rsplit("/", 1)[1]
    stored = db.exec(select(AccessToken)).one()
    assert len(raw) >= 43  # 32 random bytes
    assert raw not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_reset_token_cannot_be_used_as_invitation(client, world, db):
    client.post("/reset", data={"email": world.emails["leader_a"]})
    raw = _link_from_outbox(db, "password_reset").rsplit("/", 1)[1]
    assert client.get(f"/invitation/{raw}").status_code == 404


def test_admin_invites_a_coordinator_who_sets_a_password(client, world, db):
    login(client, world.emails["admin"])
    response = client.post(
        f"/municipalities/{world.ids['bjuv']}/coordinators",
        data={"name": "Nina Ny", "email": "Nina@Example.org"},
        follow_redirects=True,
    )
    assert "Inbjudan är skickad till nina@example.org" in response.text
    path = _link_from_outbox(db, "invitation")
    assert path not in response.text and "/invitation/" not in response.text
    assert "Nina Ny" in client.get(f"/municipalities/{world.ids['bjuv']}").text  # invited
    client.post("/logout")
    assert _new_password(client, path).status_code == 302
    assert "Hej Nina Ny!" in client.get("/").text
    nina = db.exec(select(User).where(User.email == "nina@example.org")).one()
    assert nina.password_hash.startswith("$argon2id$")
    assert [(m.role, m.municipality_id) for m in memberships(db, nina.id)] == [
        ("coordinator", world.ids["bjuv"])
    ]
    client.post("/logout")
    assert client.get(path).status_code == 404


def test_only_admins_invite_coordinators(client, world):
    login(client, world.emails["coord_b"])
    response = client.post(
        f"/municipalities/{world.ids['bjuv']}/coordinators",
        data={"name": "X", "email": "x@example.org"},
    )
    assert response.status_code == 403
    other = client.post(
        f"/municipalities/{world.ids['hassleholm']}/coordinators",
        data={"name": "X", "email": "x@example.org"},
    )
    assert other.status_code == 404


def memberships(db, user_id: int) -> list[Membership]:
    db.rollback()
    return list(db.exec(select(Membership).where(Membership.user_id == user_id)))


def test_inviting_an_existing_address_shows_no_link_and_grants_nothing_yet(client, world, db):
    """Found: the admin was shown a set-password link for the existing account."""
    login(client, world.emails["admin"])
    response = client.post(
        f"/municipalities/{world.ids['bjuv']}/coordinators",
        data={"name": "Vem Somhelst", "email": world.emails["leader_a"]},
        follow_redirects=True,
    )
    assert f"Inbjudan är skickad till {world.emails['leader_a']}" in response.text
    assert "/invitation/" not in response.text and "Leader A" not in response.text
    assert [m.role for m in memberships(db, world.ids["leader_a"])] == ["leader"]
    client.post("/logout")
    # The account holder opens the link from their mailbox: no password form, a button.
    path = _link_from_outbox(db, "invitation")
    page = client.get(path)
    assert page.status_code == 200 and 'name="new_password"' not in page.text
    assert _new_password(client, path, "ignored-password-1").status_code == 302
    assert login(client, world.emails["leader_a"], "ignored-password-1").status_code == 200
    assert sorted(m.role for m in memberships(db, world.ids["leader_a"])) == [
        "coordinator",
        "leader",
    ]
    assert login(client, world.emails["leader_a"]).status_code == 302  # password unchanged
    assert client.get(path).status_code == 404


def test_an_invitation_to_a_members_address_needs_the_code_to_their_number(app, client, world, db):
    """A leader may have typed this address for a member: the invitation cannot give that
    member's record a password unless the code sent to their number is entered."""
    vol_b = db.get(User, world.ids["vol_b"])
    vol_b.email = "vol.b@example.org"
    db.commit()
    login(client, world.emails["admin"])
    client.post(
        f"/municipalities/{world.ids['bjuv']}/coordinators",
        data={"name": "Ny Samordnare", "email": "vol.b@example.org"},
    )
    client.post("/logout")
    path = _link_from_outbox(db, "invitation")
    page = client.get(path)
    assert 'name="code"' in page.text
    without = client.post(
        path, data={"code": "000000", "new_password": "x-password-1", "confirm": "x-password-1"}
    )
    assert without.status_code == 422
    db.rollback()
    assert db.get(User, world.ids["vol_b"]).password_hash is None
    assert client.post(f"{path}/code").status_code == 302
    code = sent_code(app, db, db.get(User, world.ids["vol_b"]).phone_e164)
    done = client.post(
        path, data={"code": code, "new_password": "x-password-1", "confirm": "x-password-1"}
    )
    assert done.status_code == 302
    assert sorted(m.role for m in memberships(db, world.ids["vol_b"])) == [
        "coordinator",
        "volunteer",
    ]


def test_a_reset_turns_no_volunteers_address_into_a_login(client, world, db):
    """Only an account with a password gets a reset link: a leader-typed address of a member
    must not become a way to log in as that member."""
    vol_a = db.get(User, world.ids["vol_a"])
    vol_a.email = "vol.a@example.org"
    db.commit()
    answer = client.post("/reset", data={"email": "vol.a@example.org"}, follow_redirects=True)
    assert "Om adressen finns hos oss" in answer.text
    db.rollback()
    assert db.exec(select(EmailMessage)).all() == []
