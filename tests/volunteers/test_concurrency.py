"""Questions and answers about joining, and a registration's code, sent many times at once:
one question, one membership, one association, never a 500 (a threaded server, real HTTP).

Runs on SQLite (BEGIN IMMEDIATE serializes writers) and on PostgreSQL (row locks and unique
constraints) when NATTVANDRING_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import requests
from sqlmodel import func, select

from nattvandring import tokens
from nattvandring.accounts import verification
from nattvandring.accounts.models import Membership, Role, User, VerificationPurpose
from nattvandring.associations.models import Association, RegistrationRequest
from nattvandring.db import get_engine, session_scope
from nattvandring.messaging.models import SmsKind, SmsMessage
from nattvandring.volunteers import services
from nattvandring.volunteers.models import MembershipRequest
from tests import factories
from tests.support.booking import NOW
from tests.support.http import fire, logged_in, served_app

pytestmark = pytest.mark.slow

THREADS = 10


@pytest.fixture
def served(tmp_path):
    with served_app(
        tmp_path, RATELIMIT_LOGIN="10000 per minute", RATELIMIT_PUBLIC_FORMS="10000 per hour"
    ) as found:
        yield found


def _count(app, query) -> int:
    with session_scope(get_engine(app), write=False) as session:
        return session.exec(query).one()


def test_one_person_asked_many_times_at_once_gets_one_question(served):
    app, base = served
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = factories.build_world(session)
        number = session.get(User, world.ids["vol_a"]).phone_e164
    http = logged_in(base, world.emails["leader_b"])
    url = f"{base}/members/{world.ids['assoc_b']}/new"
    data = {"name": "Någon", "phone": number}
    codes = fire([lambda: http.post(url, data=data, allow_redirects=False, timeout=60)] * THREADS)
    assert Counter(codes) == {302: 1, 422: THREADS - 1}, codes
    assert _count(app, select(func.count()).select_from(MembershipRequest)) == 1
    question = select(func.count()).where(SmsMessage.kind == SmsKind.MEMBERSHIP_QUESTION)
    assert _count(app, question.select_from(SmsMessage)) == 1


def test_many_yes_at_once_make_one_membership(served):
    app, base = served
    with app.app_context(), session_scope(get_engine(app)) as session:
        world = factories.build_world(session)
        vol_a = session.get(User, world.ids["vol_a"])
        request = MembershipRequest(
            association_id=world.ids["assoc_b"],
            user_id=vol_a.id,
            name="Någon",
            phone_e164=vol_a.phone_e164,
            asked_at=NOW,
        )
        session.add(request)
        session.flush()
        url = f"{base}/me/{services.personal_token(session, vol_a, app.config['SECRET_KEY'])}"
        url += f"/questions/{request.id}/accept"

    def answer():
        with requests.Session() as http:
            http.trust_env = False
            return http.post(url, allow_redirects=False, timeout=60)

    codes = fire([answer] * THREADS)
    # One yes wins; the others find the question answered (gone: 404, or after the lock: the
    # page saying so).
    assert codes.count(302) >= 1 and set(codes) <= {302, 404}, codes
    joined = select(func.count()).where(
        Membership.user_id == world.ids["vol_a"],
        Membership.association_id == world.ids["assoc_b"],
        Membership.role == Role.VOLUNTEER,
    )
    assert _count(app, joined.select_from(Membership)) == 1
    assert _count(app, select(func.count()).select_from(MembershipRequest)) == 0


def test_a_registration_code_sent_many_times_at_once_makes_one_association(served):
    app, base = served
    raw = "registration-" + "c" * 40
    with app.test_request_context(), session_scope(get_engine(app)) as session:
        world = factories.build_world(session)
        application = RegistrationRequest(
            municipality_id=world.ids["hassleholm"],
            name="Samtidiga",
            org_number=factories.org_number(9801),
            account_type="bankgiro",
            account_number=factories.bankgiro(98),
            contact_name="Sam Tidig",
            contact_email="sam@example.org",
            contact_phone="+46701740676",
            password_hash="$argon2id$placeholder",
            token_hash=tokens.hash_token(raw),
            expires_at=NOW + timedelta(hours=48),
        )
        session.add(application)
        session.flush()
        proof = verification.send_code(
            session,
            VerificationPurpose.REGISTRATION,
            to_e164=application.contact_phone,
            registration_id=application.id,
        )
        code = tokens.code_from_key(app.config["SECRET_KEY"], proof.code_key)

    def complete():
        with requests.Session() as http:
            http.trust_env = False
            return http.post(
                f"{base}/register/{raw}", data={"code": code}, allow_redirects=False, timeout=60
            )

    codes = fire([complete] * THREADS)
    assert 500 not in codes and codes.count(302) == 1, codes
    named = select(func.count()).where(Association.name == "Samtidiga")
    assert _count(app, named.select_from(Association)) == 1
    assert _count(app, select(func.count()).where(User.email == "sam@example.org")) == 1
