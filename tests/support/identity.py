"""Reading what a person would receive: the link in an e-mail, the code in an SMS."""

from __future__ import annotations

import re

from sqlmodel import col, select

from nattvandring import tokens
from nattvandring.mail.models import EmailMessage
from nattvandring.messaging.models import SmsKind, SmsMessage
from nattvandring.messaging.texts import CODE_MARKER


def mailed_link(db, kind: str, to: str | None = None) -> str:
    """The path of the link in the latest e-mail of ``kind`` (to ``to``)."""
    db.rollback()  # a fresh snapshot that sees what the app committed
    query = select(EmailMessage).where(EmailMessage.kind == kind)
    if to is not None:
        query = query.where(EmailMessage.to_address == to)
    message = db.exec(query.order_by(col(EmailMessage.id).desc())).first()
    assert message is not None, f"no {kind} e-mail"
    db.rollback()
    return re.search(r"http://localhost(/\S+)", message.body_text).group(1)


def code_rows(db, to_e164: str) -> list[SmsMessage]:
    db.rollback()
    rows = list(
        db.exec(
            select(SmsMessage)
            .where(SmsMessage.to_e164 == to_e164, SmsMessage.kind == SmsKind.VERIFICATION_CODE)
            .order_by(col(SmsMessage.id))
        )
    )
    db.rollback()
    return rows


def sent_code(app, db, to_e164: str) -> str:
    """The code the phone got in the latest code SMS: the outbox holds only the marker; the
    dispatcher derives the digits from the row's key and SECRET_KEY at send time."""
    rows = code_rows(db, to_e164)
    assert rows, f"no code SMS to {to_e164}"
    row = rows[-1]
    assert CODE_MARKER in row.body and not re.search(r"\d{6}", row.body)
    return tokens.code_from_key(app.config["SECRET_KEY"], row.dedupe_key)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"
