"""Password reset and invitation links: single use, expiring, e-mailed through the outbox."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import AccessToken, User
from nattvandring.mail.models import EmailMessage
from tests.factories import login


def _link_from_outbox(db, kind: str) -> str:  # type: ignore[no-untyped-def]
    db.rollback()  # a fresh snapshot that sees what the app committed
    body = db.exec(select(EmailMessage.body_text).where(EmailMessage.kind == kind)).all()[-1]
    db.rollback()
    return re.search(r"http://localhost(/\S+)", body).group(1)


def _new_password(client, path: str, password: str = "fresh-password-123"):  # type: ignore[no-untyped-def]
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
    assert "Inbjudan är skickad" in response.text
    path = _link_from_outbox(db, "invitation")
    assert path in response.text  # the inviting admin sees the link too
    client.post("/logout")
    assert _new_password(client, path).status_code == 302
    assert "Hej Nina Ny!" in client.get("/").text
    nina = db.exec(select(User).where(User.email == "nina@example.org")).one()
    assert nina.password_hash.startswith("$argon2id$")
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
