"""A sent invitation or reset e-mail leaves no working link behind in the outbox."""

from __future__ import annotations

import re

from sqlmodel import select

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from nattvandring.mail.dispatch import dispatch_due
from nattvandring.mail.models import EmailMessage


class RecordingBackend:
    name = "recording"

    def __init__(self) -> None:
        self.sent = []

    def send(self, mail) -> None:  # type: ignore[no-untyped-def]
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
