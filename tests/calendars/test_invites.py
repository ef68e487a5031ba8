"""E-mailed invites: events -> outbox -> a real SMTP server on 127.0.0.1 -> parsed iCalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import vobject
from sqlmodel import select

from nattvandring import clock, events
from nattvandring.accounts.models import User
from nattvandring.calendars.services_invites import next_sequence
from nattvandring.db import get_engine, session_scope
from nattvandring.mail.dispatch import dispatch_due
from nattvandring.mail.models import EmailMessage
from nattvandring.planning.models import Shift
from tests.calendars.conftest import assign
from tests.factories import build_world
from tests.mail.smtp_server import smtp_server
from tests.support.database import make_test_app
from tests.support.shifts import book, make_shift

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def smtp():  # type: ignore[no-untyped-def]
    with smtp_server() as server:
        yield server


@pytest.fixture
def setup(tmp_path, smtp):  # type: ignore[no-untyped-def]
    """An app sending through the local server; vol_a (with e-mail) and vol_a2 (without)
    walk a booked night of IFK Hässleholm."""
    clock.freeze(NOW)
    app = make_test_app(tmp_path, MAIL_BACKEND="smtp", SMTP_HOST=smtp.host, SMTP_PORT=smtp.port)
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = build_world(session)
        ids = world.ids
        session.get(User, ids["vol_a"]).email = "vol.a@example.org"
        shift = make_shift(
            session, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 10, 9)
        )
        booking = book(session, shift, ids["assoc_a"])
        first = assign(session, booking, ids["vol_a"])
        second = assign(session, booking, ids["vol_a2"])
        state = {
            "ids": ids,
            "shift": shift.id,
            "booking": booking.id,
            "assignments": {"vol_a": first.id, "vol_a2": second.id},
        }
    yield app, state
    get_engine(app).dispose()


def emit(app, make_event) -> None:  # type: ignore[no-untyped-def]
    """Emit inside a request-like unit of work, as the services do, and commit."""
    with app.app_context(), session_scope(get_engine(app)) as session:
        events.emit(session, make_event(session))


def sent(app, smtp):  # type: ignore[no-untyped-def]
    before = len(smtp.received)
    dispatch_due(app)
    return smtp.received[before:]


def added(state, who="vol_a"):  # type: ignore[no-untyped-def]
    return lambda session: events.AssignmentAdded(
        assignment_id=state["assignments"][who],
        shift_id=state["shift"],
        user_id=state["ids"][who],
        association_id=state["ids"]["assoc_a"],
        actor_id=state["ids"]["leader_a"],
    )


def test_added_changed_cancelled_through_smtp(setup, smtp):
    app, state = setup
    emit(app, added(state))
    emit(app, added(state, "vol_a2"))  # no e-mail address: nothing is sent
    (request,) = sent(app, smtp)
    assert request.rcpt_tos == ["vol.a@example.org"]
    assert request.calendar_part().get_param("method") == "REQUEST"
    assert request.message["Subject"] == "Nattvandring Centrum fre 9 okt. 2026 kl. 21:00"
    body = request.message.get_body(("plain",)).get_content()
    assert "Hej Vol A!" in body and "Samling: Centrum torget" in body
    cal = request.calendar()
    assert str(cal["METHOD"]) == "REQUEST"
    (event,) = cal.events
    assert str(event["UID"]) == f"shift-{state['shift']}@nattvandring.local"
    assert event["SEQUENCE"] == 0
    assert str(event["ATTENDEE"]) == "mailto:vol.a@example.org"
    assert event["ATTENDEE"].params["CN"] == "Vol A"
    assert str(event["ORGANIZER"]) == "mailto:noreply@nattvandring.local"
    assert event["ORGANIZER"].params["CN"] == "IFK Hässleholm"
    assert "Ledare: Kontakt IFK Hässleholm" in str(event["DESCRIPTION"])
    raw = request.calendar_part().get_payload(decode=True).decode()
    assert vobject.readOne(raw).vevent.uid.value == str(event["UID"])

    # The coordinator moves the walk: SEQUENCE 1, a new REQUEST to everyone with an e-mail.
    def move(session):  # type: ignore[no-untyped-def]
        shift = session.get(Shift, state["shift"])
        shift.start_at += timedelta(hours=1)
        shift.sequence += 1
        shift.updated_at = clock.utcnow()
        return events.ShiftChanged(shift_id=shift.id, time_changed=True, place_changed=False)

    emit(app, move)
    (update,) = sent(app, smtp)
    assert update.message["Subject"].startswith("Ändrat:")
    (event,) = update.calendar().events
    assert (str(update.calendar()["METHOD"]), event["SEQUENCE"]) == ("REQUEST", 1)
    assert event.start == datetime(2026, 10, 9, 20, 0, tzinfo=UTC)

    def cancel(session):  # type: ignore[no-untyped-def]
        shift = session.get(Shift, state["shift"])
        shift.status, shift.cancelled_at = "cancelled", clock.utcnow()
        shift.sequence += 1
        return events.ShiftCancelled(shift_id=shift.id, reason="Storm")

    emit(app, cancel)
    (cancelled,) = sent(app, smtp)
    assert cancelled.calendar_part().get_param("method") == "CANCEL"
    (event,) = cancelled.calendar().events
    assert str(cancelled.calendar()["METHOD"]) == "CANCEL"
    assert (event["SEQUENCE"], str(event["STATUS"])) == (2, "CANCELLED")
    assert str(event["ATTENDEE"]) == "mailto:vol.a@example.org"
    emit(app, cancel)  # a repeated cancellation sends nothing new
    assert sent(app, smtp) == []


def test_removed_after_added_gets_a_higher_sequence_cancel(setup, smtp):
    app, state = setup
    emit(app, added(state))
    emit(app, added(state))  # the same invitation is not queued twice
    assert len(sent(app, smtp)) == 1
    emit(
        app,
        lambda session: events.AssignmentRemoved(
            assignment_id=state["assignments"]["vol_a"],
            shift_id=state["shift"],
            user_id=state["ids"]["vol_a"],
            association_id=state["ids"]["assoc_a"],
            actor_id=None,
        ),
    )
    (cancel,) = sent(app, smtp)
    (event,) = cancel.calendar().events
    assert str(cancel.calendar()["METHOD"]) == "CANCEL"
    assert event["SEQUENCE"] == 1  # above the REQUEST's 0, though the shift did not change
    emit(app, added(state))  # back on the walk: a REQUEST above the CANCEL
    (again,) = sent(app, smtp)
    (event,) = again.calendar().events
    assert (str(again.calendar()["METHOD"]), event["SEQUENCE"]) == ("REQUEST", 2)
    with session_scope(get_engine(app)) as session:
        keys = session.exec(select(EmailMessage.dedupe_key).order_by(EmailMessage.id)).all()
    user = state["ids"]["vol_a"]
    assert keys == [
        f"ics:{state['shift']}:{user}:0:REQUEST",
        f"ics:{state['shift']}:{user}:1:CANCEL",
        f"ics:{state['shift']}:{user}:2:REQUEST",
    ]


def test_booking_cancelled_sends_cancel_to_its_walkers(setup, smtp):
    app, state = setup
    emit(app, added(state))
    sent(app, smtp)
    emit(
        app,
        lambda session: events.BookingCancelled(
            booking_id=state["booking"],
            shift_id=state["shift"],
            association_id=state["ids"]["assoc_a"],
            actor_id=state["ids"]["leader_a"],
            reason="",
        ),
    )
    (cancel,) = sent(app, smtp)
    assert cancel.rcpt_tos == ["vol.a@example.org"]
    assert str(cancel.calendar()["METHOD"]) == "CANCEL"


def test_next_sequence_rules():
    assert next_sequence(0, "REQUEST", []) == 0
    assert next_sequence(3, "CANCEL", []) == 3
    assert next_sequence(0, "REQUEST", [(0, "REQUEST")]) is None
    assert next_sequence(1, "REQUEST", [(0, "REQUEST")]) == 1
    assert next_sequence(0, "CANCEL", [(0, "REQUEST")]) == 1
    assert next_sequence(0, "CANCEL", [(0, "REQUEST"), (1, "CANCEL")]) is None
    assert next_sequence(0, "REQUEST", [(0, "REQUEST"), (1, "CANCEL")]) == 2
    assert next_sequence(5, "REQUEST", [(1, "CANCEL")]) == 5
