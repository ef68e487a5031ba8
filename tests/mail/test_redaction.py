"""A sent invitation or reset e-mail leaves no working link behind in the outbox."""

from __future__ import annotations

import re

from sqlmodel import select

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose, User
from nattvandring.mail.dispatch import dispatch_due
from nattvandring.mail.models import EmailMessage
from nattvandring.volunteers import services
from tests.factories import bankgiro, org_number


class RecordingBackend:
    name = "recording"

    def __init__(self) -> None:
        self.sent = []

    def send(self, mail) -> None:
        self.sent.append(mail)


def test_reset_link_is_delivered_then_removed_from_the_stored_copy(app, client, world, db):
    client.post("/reset", data={"email": world.emails["leader_a"]})
    backend = RecordingBackend()
    assert dispatch_due(app, backend=backend) == 1
    delivered = backend.sent[0].body_text
    raw = re.search(r"/reset/([A-Za-z0-9_\-]+)", delivered).group(1)
    db.rollback()
    stored = db.exec(select(EmailMessage)).one()
    assert stored.status == "sent"
    assert raw not in stored.body_text
    assert "/reset/[borttagen efter utskick]" in stored.body_text
    # The link itself still works: only the stored copy was redacted.
    assert tokens.resolve(db, TokenPurpose.PASSWORD_RESET, raw) is not None
    assert client.get(f"/reset/{raw}").status_code == 200


def test_registration_and_address_links_are_removed_from_the_stored_copy(app, client, world, db):
    form = {
        "municipality_id": str(world.ids["hassleholm"]),
        "name": "Ny förening",
        "org_number": org_number(9501),
        "account_type": "bankgiro",
        "account_number": bankgiro(95),
        "contact_name": "Kim",
        "contact_email": "kim@example.org",
        "contact_phone": "0701740670",
        "password": "a-good-password",
        "confirm": "a-good-password",
    }
    assert client.post("/register", data=form).status_code == 302
    token = services.personal_token(db, db.get(User, world.ids["vol_a"]), app.config["SECRET_KEY"])
    db.commit()
    assert (
        client.post(f"/me/{token}/contact/email", data={"email": "ny@example.org"}).status_code
        == 302
    )
    backend = RecordingBackend()
    assert dispatch_due(app, backend=backend) == 2
    links = [re.search(r"http://localhost(/\S+)", m.body_text).group(1) for m in backend.sent]
    assert {link.split("/")[1] for link in links} == {"register", "email"}
    db.rollback()
    for stored in db.exec(select(EmailMessage)).all():
        assert not any(link in stored.body_text for link in links)
        assert "[borttagen efter utskick]" in stored.body_text
    assert all(client.get(link).status_code == 200 for link in links)  # still working links
