"""Demo: IFK Hässleholm has asked a volunteer of Hässleholms Scoutkår to join (pending)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.accounts.models import Membership, Role, User
from nattvandring.demo.loader import DEMO_PASSWORD, load_demo
from nattvandring.volunteers.models import MembershipRequest, RequestStatus
from tests.factories import login


@pytest.fixture
def app(demo_app):
    """The demo as `nattvandring demo` loaded it (tests/support/demo.py)."""
    return demo_app


def test_the_demo_has_one_open_question_the_leader_sees_only_as_typed(app, client, db):
    with app.test_request_context():
        load_demo(db)  # the demo again, on top of itself: idempotent, still one question
    db.commit()
    (request,) = db.exec(select(MembershipRequest)).all()
    person = db.get(User, request.user_id)
    assert request.status == RequestStatus.PENDING and request.asked_at is not None
    assert not db.exec(
        select(Membership).where(
            Membership.user_id == person.id,
            Membership.association_id == request.association_id,
            Membership.role == Role.VOLUNTEER,
        )
    ).first()
    name = person.name
    db.commit()
    login(client, "karin.lindqvist@demo.nattvandring.se", DEMO_PASSWORD)
    members = client.get(f"/members/{request.association_id}/").text
    assert "Kompis från scouterna" in members and name not in members
