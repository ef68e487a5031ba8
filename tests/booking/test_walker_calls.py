""" "Vi behöver en till": who is asked, the first JA joins, later ones hear "vi är fulltaliga",
and two JA at the same moment never both join (threads; PostgreSQL when configured)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import Role, User
from nattvandring.accounts.services import grant
from nattvandring.booking import services_booking as sb
from nattvandring.booking import services_roster as sr
from nattvandring.booking.models import (
    Assignment,
    CallAnswer,
    WalkerCall,
    WalkerCallInvite,
)
from nattvandring.db import get_engine
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift
from tests import factories
from tests.factories import login
from tests.support.booking import FRIDAY_EVENING, NOW, volunteer
from tests.support.shifts import make_shift
from tests.support.webhooks import fresh, inbound, make


@pytest.fixture
def app(tmp_path):
    app = make(tmp_path)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def group(world, db, frozen):
    """Association A's Friday (room for 3) with vol_a in it, and members to ask or not."""
    h = world.ids["hassleholm"]
    shift = make_shift(db, municipality_id=h, area_id=world.ids["area_h"], max_walkers=3)
    booking = sb.book_shift(
        db, association_id=world.ids["assoc_a"], shift_id=shift.id, actor_id=None, now=NOW
    )
    sr.add_to_roster(db, booking_id=booking.id, user_id=world.ids["vol_a"], actor_id=None, now=NOW)
    assoc = world.ids["assoc_a"]
    english = volunteer(db, assoc, "Emma English")
    english.language = "en"
    young = volunteer(db, assoc, "Unga Ung", birth_year=2011)
    stop = volunteer(db, assoc, "Stoppad Person")
    stop.sms_opt_out = True
    no_phone = factories.user(db, "Utan Nummer", birth_year=1980)
    grant(db, no_phone, Role.VOLUNTEER, association_id=assoc)
    # Waits for an answer about another walk: a bare JA would be ambiguous, so not asked.
    later = make_shift(
        db, municipality_id=h, area_id=world.ids["area_h"], start=FRIDAY_EVENING + timedelta(days=7)
    )
    later_booking = sb.book_shift(
        db, association_id=assoc, shift_id=later.id, actor_id=None, now=NOW
    )
    waiting = volunteer(db, assoc, "Väntar Svar")
    sr.add_to_roster(db, booking_id=later_booking.id, user_id=waiting.id, actor_id=None, now=NOW)
    db.commit()
    return {
        "booking": booking.id,
        "shift": shift.id,
        "url": f"/booking/bookings/{booking.id}/roster",
        "call": f"/booking/bookings/{booking.id}/call",
        "english": english.id,
        "young": young.id,
        "stop": stop.id,
        "no_phone": no_phone.id,
        "waiting": waiting.id,
    }


def asks(db) -> dict[int, SmsMessage]:
    fresh(db)
    rows = db.exec(select(SmsMessage).where(SmsMessage.kind == "walker_call")).all()
    return {row.user_id: row for row in rows}  # type: ignore[misc]


def phone(db, user_id: int) -> str:
    person = db.get(User, user_id)
    assert person is not None and person.phone_e164
    return person.phone_e164


def test_the_call_asks_only_members_who_can_walk(client, world, db, group):
    login(client, world.emails["leader_a"])
    page = client.get(group["url"]).get_data(as_text=True)
    assert "Fråga medlemmarna: vi behöver en till" in page
    response = client.post(group["call"])
    assert response.status_code == 302
    page = client.get(group["url"]).get_data(as_text=True)
    assert "2 medlemmar har fått ett SMS. Den första som svarar JA kommer med i gruppen." in page
    assert "Ni frågade medlemmarna" in page and "Fråga medlemmarna: vi" not in page
    sent = asks(db)
    assert set(sent) == {world.ids["vol_a2"], group["english"]}
    assert sent[world.ids["vol_a2"]].body.startswith(
        "Hej Vol! IFK Hässleholm behöver en nattvandrare till fre 6 nov"
    )
    assert "Svara JA" in sent[world.ids["vol_a2"]].body
    assert (
        sent[group["english"]].body.startswith("Hi Emma!")
        and "Reply YES" in sent[group["english"]].body
    )
    # A second call while this one is open is refused, with the reason.
    again = client.post(group["call"])
    assert again.status_code == 422 and "Ni har redan frågat medlemmarna" in again.get_data(
        as_text=True
    )
    assert len(db.exec(select(WalkerCall)).all()) == 1


def test_first_ja_joins_and_the_later_ones_hear_the_group_is_complete(client, world, db, group):
    login(client, world.emails["leader_a"])
    client.post(group["call"])
    first = inbound(client, phone(db, world.ids["vol_a2"]), "JA").get_data(as_text=True)
    assert "Tack Vol! Du är med i gruppen" in first
    fresh(db)
    joined = db.exec(
        select(Assignment).where(
            Assignment.booking_id == group["booking"], Assignment.user_id == world.ids["vol_a2"]
        )
    ).one()
    assert joined.status == "confirmed"
    # They said yes already: the confirmation asking for JA is not sent; reminders are kept.
    kinds = {
        row.kind: row.status
        for row in db.exec(
            select(SmsMessage).where(SmsMessage.user_id == world.ids["vol_a2"])
        ).all()
    }
    assert kinds["confirmation"] == "cancelled" and kinds["reminder"] == "pending"
    call = db.exec(select(WalkerCall)).one()
    assert (call.status, call.joined, call.open_key) == ("filled", 1, None)
    late = inbound(client, phone(db, group["english"]), "yes").get_data(as_text=True)
    assert "Thank you Emma, we are complete!" in late
    fresh(db)
    assert db.exec(select(Assignment).where(Assignment.user_id == group["english"])).first() is None
    answers = dict(db.exec(select(WalkerCallInvite.user_id, WalkerCallInvite.answer)).all())
    assert answers == {world.ids["vol_a2"]: "joined", group["english"]: "too_late"}
    # A new call may be made once the first is filled.
    page = client.get(group["url"]).get_data(as_text=True)
    assert "Fråga medlemmarna: vi behöver en till" in page


def test_nej_declines_the_ask_only(client, world, db, group):
    login(client, world.emails["leader_a"])
    client.post(group["call"])
    answer = inbound(client, phone(db, world.ids["vol_a2"]), "NEJ").get_data(as_text=True)
    assert "OK Vol, tack för svaret." in answer
    fresh(db)
    assert db.exec(select(WalkerCall)).one().status == "open"
    assert (
        db.exec(select(Assignment).where(Assignment.user_id == world.ids["vol_a2"])).first() is None
    )


def test_asks_held_by_quiet_hours_are_not_sent_once_the_group_is_complete(client, world, db, group):
    clock.freeze(datetime(2026, 11, 2, 21, 45, tzinfo=UTC))  # 22:45 in Stockholm
    login(client, world.emails["leader_a"])
    client.post(group["call"])
    page = client.get(group["url"]).get_data(as_text=True)
    assert "SMS:en skickas i morgon kl 08:00: inga SMS går ut på natten." in page
    sent = asks(db)
    assert {row.due_at for row in sent.values()} == {datetime(2026, 11, 3, 7, 0, tzinfo=UTC)}
    # The leader's friend answers on the group's number before the ask went out.
    inbound(client, phone(db, world.ids["vol_a2"]), "JA")
    sent = asks(db)
    assert sent[group["english"]].status == "cancelled"


def test_a_later_walk_waiting_for_an_answer_takes_the_ja(client, world, db, group):
    login(client, world.emails["leader_a"])
    client.post(group["call"])
    # After the ask, vol_a2 is put on another walk: that is what their JA now answers.
    later = db.exec(select(Shift).where(Shift.id != group["shift"])).first()
    other_booking = db.exec(select(sr.Booking).where(sr.Booking.shift_id == later.id)).one()
    clock.freeze(NOW + timedelta(minutes=5))
    sr.add_to_roster(db, booking_id=other_booking.id, user_id=world.ids["vol_a2"], actor_id=None)
    db.commit()
    answer = inbound(client, phone(db, world.ids["vol_a2"]), "JA").get_data(as_text=True)
    assert "Du har bekräftat nattvandringen" in answer
    fresh(db)
    assert db.exec(select(WalkerCall)).one().status == "open"


def test_an_ask_of_a_cancelled_booking_answers_nothing(client, world, db, group):
    login(client, world.emails["leader_a"])
    client.post(group["call"])
    sb.cancel_booking(db, booking_id=group["booking"], actor_id=None, as_coordinator=False)
    db.commit()
    # The NEJ is no answer to the withdrawn ask: it goes the usual way (nothing to answer).
    answer = inbound(client, phone(db, world.ids["vol_a2"]), "NEJ").get_data(as_text=True)
    assert "tack för svaret" not in answer
    fresh(db)
    invite = db.exec(
        select(WalkerCallInvite).where(WalkerCallInvite.user_id == world.ids["vol_a2"])
    ).one()
    assert invite.answer == CallAnswer.NONE


def test_nobody_to_ask_and_a_full_group_are_refused(client, world, db, group):
    login(client, world.emails["leader_a"])
    for key in ("vol_a2",):
        sr.add_to_roster(db, booking_id=group["booking"], user_id=world.ids[key], actor_id=None)
    person = db.get(User, group["english"])
    person.sms_opt_out = True
    db.commit()
    response = client.post(group["call"])
    assert response.status_code == 422
    assert "Det finns ingen att fråga" in response.get_data(as_text=True)
    person.sms_opt_out = False
    sr.add_to_roster(db, booking_id=group["booking"], user_id=group["english"], actor_id=None)
    db.commit()
    full = client.post(group["call"])
    assert full.status_code == 422
    # A full group offers no call at all.
    assert "Fråga medlemmarna" not in client.get(group["url"]).get_data(as_text=True)
    assert db.exec(select(WalkerCall)).all() == []


def test_the_call_needs_the_leaders_role_and_tenant(client, world, db, group):
    login(client, world.emails["leader_b"])
    assert client.post(group["call"]).status_code == 404
    client.post("/logout")
    login(client, world.emails["coord_h"])
    assert client.post(group["call"]).status_code == 403
    client.post("/logout")
    assert client.post(group["call"]).status_code == 302  # to the login page
    assert db.exec(select(WalkerCall)).all() == []


def test_two_ja_at_the_same_moment_only_one_joins(app, client, world, db, group):
    """Two answers race (threads, each its own connection): the call needs one, one joins."""
    login(client, world.emails["leader_a"])
    client.post(group["call"])
    phones = [phone(db, world.ids["vol_a2"]), phone(db, group["english"])]
    db.commit()
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def send(number: str) -> None:
        answering = app.test_client()
        barrier.wait()
        answers.append(inbound(answering, number, "JA").get_data(as_text=True))

    threads = [threading.Thread(target=send, args=(number,)) for number in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == 2
    joined = [a for a in answers if "Du är med i gruppen" in a or "You are in the group" in a]
    full = [a for a in answers if "we are complete" in a or "vi är fulltaliga" in a]
    assert len(joined) + len(full) == 2 and len(full) == 1, answers
    fresh(db)
    group_now = db.exec(
        select(Assignment.user_id).where(Assignment.booking_id == group["booking"])
    ).all()
    assert len(group_now) == 2  # vol_a and exactly one of the two
    call = db.exec(select(WalkerCall)).one()
    assert (call.status, call.joined) == ("filled", 1)


def test_a_pending_member_is_neither_offered_nor_asked_nor_added(client, world, db, group):
    """Issue 16: a person the leader typed in (another association's volunteer, asked to join
    and not yet answering) is in no picker, no call and no group."""
    from nattvandring.volunteers.models import MembershipRequest

    login(client, world.emails["leader_a"])
    pending = world.ids["vol_b"]
    national = "0" + phone(db, pending)[3:]
    client.post(f"/members/{world.ids['assoc_a']}/new", data={"name": "Bea", "phone": national})
    fresh(db)
    assert db.exec(select(MembershipRequest.user_id)).all() == [pending]
    page = client.get(group["url"]).get_data(as_text=True)
    assert f'value="{world.ids["vol_a2"]}"' in page and f'value="{pending}"' not in page
    picked = client.post(group["url"], data={"user_id": [world.ids["vol_a2"], pending]})
    assert picked.status_code == 422
    assert "en person som inte är medlem" in picked.get_data(as_text=True)
    assert client.post(group["call"]).status_code == 302
    assert pending not in asks(db)
    answer = inbound(client, phone(db, pending), "JA").get_data(as_text=True)
    assert "Du är med i gruppen" not in answer
    fresh(db)
    assert db.exec(select(Assignment).where(Assignment.user_id == pending)).first() is None
    assert db.exec(select(WalkerCallInvite).where(WalkerCallInvite.user_id == pending)).all() == []
