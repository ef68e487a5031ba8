"""Pending memberships: asking a person who already exists to join, and their answer.

A leader typed a mobile number or e-mail address that belongs to someone. That person is
not made a member: a ``MembershipRequest`` keeps what the leader typed (all the leader ever
sees of them), and the person is asked, by SMS (or e-mail if they cannot get SMS) once the
association is approved, so an unvetted association cannot text anyone. They answer MEDLEM
JA/NEJ by SMS or with a button on their personal page. A yes makes them a member; a no ends
the request, and the leader learns only that they did not join. Flush only; the edge commits.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..accounts.models import Role, User
from ..accounts.services import grant
from ..associations.models import Association, AssociationStatus
from ..audit.services import record
from ..clock import utcnow
from ..errors import RuleViolation
from ..i18n import _l
from .models import MembershipRequest, RequestStatus

log = logging.getLogger(__name__)


def requests_of(session: Session, association_id: int) -> list[MembershipRequest]:
    """The association's open and declined requests, as the leader sees them."""
    return list(
        session.exec(
            select(MembershipRequest)
            .where(MembershipRequest.association_id == association_id)
            .order_by(col(MembershipRequest.name), col(MembershipRequest.id))
        )
    )


def open_questions(session: Session, user_id: int) -> list[tuple[MembershipRequest, Association]]:
    """The questions put to the person that they have not answered, the latest asked first."""
    return list(
        session.exec(
            select(MembershipRequest, Association)
            .join(Association, col(Association.id) == MembershipRequest.association_id)
            .where(
                MembershipRequest.user_id == user_id,
                MembershipRequest.status == RequestStatus.PENDING,
                col(MembershipRequest.asked_at).is_not(None),
            )
            .order_by(col(MembershipRequest.asked_at).desc(), col(MembershipRequest.id).desc())
        ).all()
    )


def ask(
    session: Session,
    *,
    association: Association,
    user: User,
    name: str,
    phone_e164: str,
    email: str | None,
    birth_year: int | None,
    actor_id: int | None,
) -> MembershipRequest:
    """Ask ``user`` to join ``association``; the leader's typed details are kept as given."""
    existing = session.exec(
        select(MembershipRequest).where(
            MembershipRequest.association_id == association.id,
            MembershipRequest.user_id == user.id,
        )
    ).first()
    if existing is not None and existing.status == RequestStatus.DECLINED:
        raise RuleViolation(
            "request_declined",
            _l(
                "Personen har tackat nej till att gå med i föreningen. Ta bort svaret i "
                "medlemslistan om ni vill fråga igen."
            ),
            field="phone",
        )
    if existing is not None:
        raise RuleViolation(
            "request_open",
            _l("Personen har redan fått en fråga om att gå med och har inte svarat än."),
            field="phone",
        )
    request = MembershipRequest(
        association_id=association.id,  # type: ignore[arg-type]
        user_id=user.id,  # type: ignore[arg-type]
        name=name,
        phone_e164=phone_e164,
        email=email,
        birth_year=birth_year,
        created_by_id=actor_id,
    )
    try:
        with session.begin_nested():
            session.add(request)
            session.flush()
    except IntegrityError as exc:  # the same question put at the same moment
        raise RuleViolation(
            "request_open",
            _l("Personen har redan fått en fråga om att gå med och har inte svarat än."),
            field="phone",
        ) from exc
    record(
        session,
        actor_id=actor_id,
        action="member.asked",
        object_type="membership_request",
        object_id=request.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
    )
    if association.status == AssociationStatus.APPROVED:
        put_question(session, request, association, user)
    return request


def put_question(
    session: Session, request: MembershipRequest, association: Association, user: User
) -> None:
    """Send the question: SMS if the person can get one, else e-mail; open it either way
    (the person's personal page shows it too)."""
    from ..messaging.services_questions import send_membership_question

    request.asked_at = utcnow()
    session.add(request)
    session.flush()
    send_membership_question(session, request=request, association=association, user=user)


def ask_waiting(session: Session, association_id: int) -> int:
    """The association was approved: put the questions that waited for it."""
    association = session.get(Association, association_id)
    if association is None or association.status != AssociationStatus.APPROVED:
        return 0
    waiting = session.exec(
        select(MembershipRequest, User)
        .join(User, col(User.id) == MembershipRequest.user_id)
        .where(
            MembershipRequest.association_id == association_id,
            MembershipRequest.status == RequestStatus.PENDING,
            col(MembershipRequest.asked_at).is_(None),
        )
        .order_by(col(MembershipRequest.id))
    ).all()
    for request, user in waiting:
        put_question(session, request, association, user)
    return len(waiting)


def _locked(session: Session, request_id: int) -> MembershipRequest | None:
    return session.exec(
        select(MembershipRequest)
        .where(MembershipRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _open_question(session: Session, user: User, request_id: int) -> MembershipRequest:
    request = _locked(session, request_id)
    if (
        request is None
        or request.user_id != user.id
        or request.status != RequestStatus.PENDING
        or request.asked_at is None
    ):
        raise RuleViolation("no_question", _l("Frågan finns inte längre."))
    return request


def accept(session: Session, user: User, request_id: int, *, via: str) -> Association:
    """The person says yes: they become a volunteer of the association."""
    request = _open_question(session, user, request_id)
    association = session.get(Association, request.association_id)
    assert association is not None
    grant(session, user, Role.VOLUNTEER, association_id=association.id)
    session.delete(request)
    session.flush()
    record(
        session,
        actor_id=user.id,
        action="member.joined",
        object_type="user",
        object_id=user.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
        details=f"accepted by {via}",
    )
    log.info("User %s joined association %s (%s)", user.id, association.id, via)
    return association


def decline(session: Session, user: User, request_id: int, *, via: str) -> Association:
    """The person says no. The request stays as "declined" (the leader sees only that), so
    the same association cannot ask again until its leader removes the answer."""
    request = _open_question(session, user, request_id)
    association = session.get(Association, request.association_id)
    assert association is not None
    request.status = RequestStatus.DECLINED
    request.answered_at = utcnow()
    session.add(request)
    session.flush()
    record(
        session,
        actor_id=user.id,
        action="member.declined",
        object_type="membership_request",
        object_id=request.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
        details=f"declined by {via}",
    )
    return association


def withdraw(
    session: Session, request: MembershipRequest, *, association: Association, actor_id: int
) -> None:
    """The leader takes back a question, or clears a "declined" answer."""
    from ..messaging.services_questions import cancel_membership_question

    cancel_membership_question(session, request)
    session.delete(request)
    session.flush()
    record(
        session,
        actor_id=actor_id,
        action="member.request_removed",
        object_type="membership_request",
        object_id=request.id,
        municipality_id=association.municipality_id,
        association_id=association.id,
    )


def answer_by_sms(session: Session, user: User, *, yes: bool) -> tuple[str, dict[str, object]]:
    """MEDLEM JA/NEJ: answers the most recently asked open question. Returns the reply's
    kind and context."""
    questions = open_questions(session, user.id)  # type: ignore[arg-type]
    if not questions:
        return "no_question", {}
    request, association = questions[0]
    if yes:
        accept(session, user, request.id, via="sms")  # type: ignore[arg-type]
    else:
        decline(session, user, request.id, via="sms")  # type: ignore[arg-type]
    context = {"association": association.name, "more": len(questions) > 1}
    return ("joined" if yes else "join_declined"), context
