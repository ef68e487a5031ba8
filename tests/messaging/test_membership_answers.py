"""Answering "do you want to join?" by SMS. The rule is a code word, so no reply is ambiguous:
JA/NEJ alone answers the next walk, as always; MEDLEM JA/NEJ answers the membership question
asked last. Tested with a walk waiting for an answer at the same time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from nattvandring import clock
from nattvandring.accounts.models import Membership, Role, User
from nattvandring.associations.models import Association
from nattvandring.db import get_engine
from nattvandring.messaging.webhooks import parse_reply
from nattvandring.volunteers import services_requests
from nattvandring.volunteers.models import MembershipRequest, RequestStatus
from tests.messaging.conftest import NOW, assign, make_walk
from tests.support.webhooks import (
    fresh,
    inbound,
    make,
    phone_of,
    status_of_assignment,
)

START = NOW + timedelta(days=2, hours=12)


@pytest.fixture
def app(tmp_path):  # type: ignore[no-untyped-def]
    app = make(tmp_path)
    yield app
    get_engine(app).dispose()


@pytest.fixture
def booked(app, world, db, frozen):  # type: ignore[no-untyped-def]
    """vol_a is on a walk and has not answered it."""
    walk = make_walk(db, world, start=START)
    assign(db, walk, world.ids["vol_a"])
    db.commit()
    return walk


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MEDLEM JA", ("yes", True)),
        ("medlem ja!", ("yes", True)),
        ("Ja, medlem", ("yes", True)),
        ("MEDLEM NEJ", ("no", True)),
        ("nej medlemskap", ("no", True)),
        ("MEMBER YES", ("yes", True)),
        ("JA", ("yes", False)),
        ("Nej", ("no", False)),
        ("medlem", (None, True)),
        ("STOPP", ("stop", False)),
    ],
)
def test_parse_reply(text, expected):
    assert parse_reply(text) == expected


def ask(app, db, world, user_key: str, association_key: str) -> MembershipRequest:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        request = services_requests.ask(
            db,
            association=db.get(Association, world.ids[association_key]),
            user=db.get(User, world.ids[user_key]),
            name="Typat Namn",
            phone_e164="+46701740685",
            email=None,
            birth_year=None,
            actor_id=None,
        )
    db.commit()
    return request


def is_member(db, world, user_key: str, association_key: str) -> bool:  # type: ignore[no-untyped-def]
    fresh(db)
    return (
        db.exec(
            select(Membership).where(
                Membership.user_id == world.ids[user_key],
                Membership.association_id == world.ids[association_key],
                Membership.role == Role.VOLUNTEER,
            )
        ).first()
        is not None
    )


def test_medlem_ja_joins_and_leaves_the_walk_unanswered(app, client, db, world, booked):
    ask(app, db, world, "vol_a", "assoc_b")
    reply = inbound(client, phone_of(db, world, "vol_a"), "MEDLEM JA").get_data(as_text=True)
    assert "Du är nu medlem i Scoutkåren" in reply
    assert is_member(db, world, "vol_a", "assoc_b")
    assert status_of_assignment(db, world.ids["vol_a"]) == "assigned"


def test_ja_alone_answers_the_walk_and_leaves_the_question_open(app, client, db, world, booked):
    ask(app, db, world, "vol_a", "assoc_b")
    reply = inbound(client, phone_of(db, world, "vol_a"), "JA").get_data(as_text=True)
    assert "Du har bekräftat nattvandringen" in reply
    assert status_of_assignment(db, world.ids["vol_a"]) == "confirmed"
    assert not is_member(db, world, "vol_a", "assoc_b")
    assert db.exec(select(MembershipRequest.status)).one() == RequestStatus.PENDING


def test_medlem_nej_declines_only_the_membership(app, client, db, world, booked):
    ask(app, db, world, "vol_a", "assoc_b")
    reply = inbound(client, phone_of(db, world, "vol_a"), "Nej medlem").get_data(as_text=True)
    assert "tackat nej till att gå med i Scoutkåren" in reply
    assert status_of_assignment(db, world.ids["vol_a"]) == "assigned"
    assert db.exec(select(MembershipRequest.status)).one() == RequestStatus.DECLINED


def test_ja_without_a_walk_does_not_join_but_says_how(app, client, db, world, frozen):
    ask(app, db, world, "vol_c", "assoc_b")
    reply = inbound(client, phone_of(db, world, "vol_c"), "JA").get_data(as_text=True)
    assert "ingen kommande nattvandring" in reply and "MEDLEM JA" in reply
    assert "Scoutkåren" in reply
    assert not is_member(db, world, "vol_c", "assoc_b")


def test_the_question_asked_last_is_answered_first(app, client, db, world, frozen):
    ask(app, db, world, "vol_c", "assoc_a")
    clock.freeze(clock.utcnow() + timedelta(minutes=5))
    ask(app, db, world, "vol_c", "assoc_b")
    phone = phone_of(db, world, "vol_c")
    first = inbound(client, phone, "MEDLEM JA").get_data(as_text=True)
    assert "medlem i Scoutkåren" in first and "fler frågor" in first
    assert is_member(db, world, "vol_c", "assoc_b") and not is_member(db, world, "vol_c", "assoc_a")
    second = inbound(client, phone, "MEDLEM NEJ").get_data(as_text=True)
    assert "IFK Hässleholm" in second and "fler frågor" not in second
    third = inbound(client, phone, "MEDLEM JA").get_data(as_text=True)
    assert "ingen fråga om medlemskap" in third
    assert not is_member(db, world, "vol_c", "assoc_a")


def test_a_question_not_yet_asked_cannot_be_answered(app, client, db, world, frozen):
    """An unapproved association's question waits; a guess by SMS does not join it."""
    association = db.get(Association, world.ids["assoc_b"])
    association.status = "pending"
    db.commit()
    ask(app, db, world, "vol_c", "assoc_b")
    reply = inbound(client, phone_of(db, world, "vol_c"), "MEDLEM JA").get_data(as_text=True)
    assert "ingen fråga om medlemskap" in reply
    assert not is_member(db, world, "vol_c", "assoc_b")
