"""The e-mail outbox sent through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from nattvandring import clock
from nattvandring.db import get_engine, session_scope
from nattvandring.mail.dispatch import MAX_ATTEMPTS, dispatch_due
from nattvandring.mail.models import EmailMessage
from nattvandring.mail.services import queue_email
from tests.mail.smtp_server import free_port

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def _queue(app, **fields):  # type: ignore[no-untyped-def]
    with app.app_context(), session_scope(get_engine(app)) as session:
        values = dict(
            to_address="anna@example.org",
            to_name="Anna Ödmark",
            subject="Hej från Nattvandring – åäö",
            body_text="Rad ett\nRad två med å ä ö 🚶",
            kind="test",
        )
        values.update(fields)
        return queue_email(session, **values).subject


def _rows(app) -> list[EmailMessage]:  # type: ignore[no-untyped-def]
    with session_scope(get_engine(app)) as session:
        return list(session.exec(select(EmailMessage).order_by(EmailMessage.id)).all())


def test_plain_and_calendar_mail_reach_the_smtp_server(smtp_app, smtp):
    _queue(smtp_app)
    _queue(smtp_app, to_address="bo@example.org", to_name="", ics=ICS, ics_method="REQUEST")
    assert dispatch_due(smtp_app) == 2
    received = sorted(smtp.received, key=lambda r: r.rcpt_tos)
    assert [r.rcpt_tos for r in received] == [["anna@example.org"], ["bo@example.org"]]
    first = received[0].message
    assert first["Subject"] == "Hej från Nattvandring – åäö"
    assert first["To"] == "Anna Ödmark <anna@example.org>"
    assert received[0].mail_from == "noreply@nattvandring.local"
    body = first.get_body(("plain",)).get_content()
    assert body.replace("\r\n", "\n").strip() == "Rad ett\nRad två med å ä ö 🚶"
    part = received[1].calendar_part()
    assert part.get_param("method") == "REQUEST"
    assert part.get_payload(decode=True).decode() == ICS
    assert [row.status for row in _rows(smtp_app)] == ["sent", "sent"]
    assert dispatch_due(smtp_app) == 0  # nothing is sent twice


def test_unreachable_server_leaves_the_mail_pending_then_failed(tmp_path):
    from tests.support.database import make_test_app

    app = make_test_app(tmp_path, MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    _queue(app)
    assert dispatch_due(app) == 0
    (row,) = _rows(app)
    assert row.status == "pending"
    assert row.attempts == 1
    assert row.last_error.startswith("ConnectionRefusedError")
    moment = clock.utcnow()
    for attempt in range(2, MAX_ATTEMPTS + 1):
        moment += timedelta(hours=attempt * 2)
        clock.freeze(moment)
        assert dispatch_due(app) == 0
    (row,) = _rows(app)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    get_engine(app).dispose()
