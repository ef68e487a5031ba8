"""Random histories of asking, answering (page or SMS), withdrawing, removing and approving:
the person is a member exactly when they said yes to the question asked, nobody else decides
it, the leaders never see more than they typed, and every question goes out once."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from nattvandring import clock
from nattvandring.accounts.models import Membership, Role, User
from nattvandring.associations.models import Association, AssociationStatus
from nattvandring.associations.services import set_status
from nattvandring.errors import RuleViolation
from nattvandring.messaging.models import SmsKind, SmsMessage
from nattvandring.messaging.webhooks import handle_inbound
from nattvandring.volunteers import services, services_requests
from nattvandring.volunteers.models import MembershipRequest, RequestStatus
from tests.support.booking import NOW

ASSOCIATIONS = ("assoc_b", "assoc_c")  # vol_a walks for assoc_a; assoc_c starts unapproved
ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["ask", "yes_page", "no_page", "yes_sms", "no_sms", "withdraw", "remove", "approve"]
        ),
        st.sampled_from(ASSOCIATIONS),
    ),
    max_size=14,
)


class Model:
    """What should be true: per association, None, "waiting" (not asked: unapproved),
    "asked", "declined" or "member"; and the order questions were put in."""

    def __init__(self) -> None:
        self.state: dict[str, str | None] = dict.fromkeys(ASSOCIATIONS)
        self.approved = {"assoc_b": True, "assoc_c": False}
        self.asked_order: list[str] = []
        self.questions_sent = 0

    def ask(self, key: str) -> bool:
        if self.state[key] is not None:
            return False
        self.state[key] = "asked" if self.approved[key] else "waiting"
        if self.approved[key]:
            self.asked_order.append(key)
            self.questions_sent += 1
        return True

    def latest_asked(self) -> str | None:
        open_ = [key for key in self.asked_order if self.state[key] == "asked"]
        return open_[-1] if open_ else None


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=ACTIONS)
def test_membership_follows_the_persons_answers(app, world, db, history):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        savepoint = db.begin_nested()
        try:
            run(db, world, history)
        finally:
            savepoint.rollback()
            db.expire_all()


def run(db, world, history) -> None:  # type: ignore[no-untyped-def]
    ids = world.ids
    moment = NOW
    clock.freeze(moment)
    db.get(Association, ids["assoc_c"]).status = AssociationStatus.PENDING
    db.flush()
    vol_a = db.get(User, ids["vol_a"])
    number = vol_a.phone_e164
    leaders = {"assoc_b": ids["leader_b"], "assoc_c": ids["leader_c"]}
    model = Model()
    for action, key in history:
        moment += timedelta(minutes=1)  # questions are told apart by when they were put
        clock.freeze(moment)
        association_id = ids[key]
        request = db.exec(
            select(MembershipRequest).where(
                MembershipRequest.association_id == association_id,
                MembershipRequest.user_id == vol_a.id,
            )
        ).first()
        if action == "ask":
            try:
                added = services.add_member(
                    db,
                    association_id=association_id,
                    municipality_id=None,
                    data=services.MemberInput(name=f"Typad {key}", phone=number),
                    actor_id=leaders[key],
                )
            except RuleViolation:
                assert model.state[key] is not None
            else:
                assert added.user is None and added.request is not None
                assert model.ask(key)
        elif action in ("yes_page", "no_page"):
            try:
                answer = (
                    services_requests.accept if action == "yes_page" else services_requests.decline
                )
                answer(db, vol_a, request.id if request else -1, via="page")
            except RuleViolation:
                assert model.state[key] != "asked"
            else:
                model.state[key] = "member" if action == "yes_page" else "declined"
        elif action in ("yes_sms", "no_sms"):
            target = model.latest_asked()
            handle_inbound(
                db, from_e164=number, body="MEDLEM JA" if action == "yes_sms" else "nej medlem"
            )
            if target is not None:
                model.state[target] = "member" if action == "yes_sms" else "declined"
        elif action == "withdraw":
            if request is not None:
                services_requests.withdraw(
                    db,
                    request,
                    association=db.get(Association, association_id),
                    actor_id=leaders[key],
                )
                model.state[key] = None
        elif action == "remove":
            if model.state[key] == "member":
                services.remove_member(
                    db,
                    vol_a,
                    association_id=association_id,
                    municipality_id=None,
                    actor_id=leaders[key],
                )
                model.state[key] = None
        elif action == "approve" and not model.approved[key]:
            set_status(
                db,
                db.get(Association, association_id),
                AssociationStatus.APPROVED,
                actor_id=ids["admin"],
            )
            model.approved[key] = True
            for waiting in [k for k in ASSOCIATIONS if model.state[k] == "waiting"]:
                model.state[waiting] = "asked"
                model.asked_order.append(waiting)
                model.questions_sent += 1
        db.flush()
        check(db, ids, vol_a, model)


def check(db, ids, vol_a, model) -> None:  # type: ignore[no-untyped-def]
    for key in ASSOCIATIONS:
        member = db.exec(
            select(Membership.id).where(
                Membership.user_id == vol_a.id,
                Membership.association_id == ids[key],
                Membership.role == Role.VOLUNTEER,
            )
        ).first()
        request = db.exec(
            select(MembershipRequest).where(
                MembershipRequest.association_id == ids[key],
                MembershipRequest.user_id == vol_a.id,
            )
        ).first()
        state = model.state[key]
        assert (member is not None) == (state == "member"), (key, state)
        if state in ("waiting", "asked"):
            assert request is not None and request.status == RequestStatus.PENDING
            assert (request.asked_at is not None) == (state == "asked")
        elif state == "declined":
            assert request is not None and request.status == RequestStatus.DECLINED
        else:
            assert request is None
        # The leader's view of the request is what they typed, never the stored person.
        for shown in services_requests.requests_of(db, ids[key]):
            assert shown.name == f"Typad {key}" and shown.birth_year is None
    # vol_a's own association is untouched by all of this.
    assert db.exec(
        select(Membership.id).where(
            Membership.user_id == vol_a.id, Membership.association_id == ids["assoc_a"]
        )
    ).first()
    sent = db.exec(
        select(func.count())
        .select_from(SmsMessage)
        .where(SmsMessage.kind == SmsKind.MEMBERSHIP_QUESTION, SmsMessage.user_id == vol_a.id)
    ).one()
    assert sent == model.questions_sent
