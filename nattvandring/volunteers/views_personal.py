"""The volunteer's personal page "Mina pass" at /me/<token> (no login; the link is the key,
see blueprint.py)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, flash, make_response, redirect, render_template, url_for
from sqlmodel import col

from .. import tokens
from ..accounts.models import Role, User
from ..associations.models import Association
from ..booking import services_roster, walker_queries
from ..booking.models import Assignment, Booking
from ..clock import utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..i18n import _
from ..web import page_cache
from ..web.forms_util import show_violation
from . import personal_page, services, services_requests, walk_view
from .blueprint import bp, personal_owner, private
from .models import MembershipRequest


def _associations_of(user_id: int) -> list[Association]:
    from sqlmodel import select

    from ..accounts.models import Membership

    return list(
        db_session().exec(
            select(Association)
            .join(Membership, col(Membership.association_id) == Association.id)
            .where(Membership.user_id == user_id, Membership.role == Role.VOLUNTEER)
            .order_by(Association.name)
        )
    )


@bp.get("/me/<token>")
def personal(token: str):
    user = personal_owner(token)
    user_id = user.id
    assert user_id is not None
    slot = personal_page.token_slot(current_app.config["SECRET_KEY"])
    content = page_cache.fragment(
        "volunteers.personal",
        municipality_ids=personal_page.scopes(user_id),
        # A new SECRET_KEY makes a new slot: fragments with the old one are never read.
        parts=(user_id, personal_page.slot_digest(slot)),
        render=lambda: _content(user_id, slot),
    )
    blocks = {"user": user, "personal_token": token}
    content = personal_page.fill(
        content,
        slot=slot,
        token=token,
        checkins=render_template("checkins/_personal.html", **blocks),
        calendar=render_template("calendars/_personal_block.html", **blocks),
    )
    page = render_template(
        "volunteers/personal.html", user=user, content=page_cache.with_csrf(content)
    )
    return private(make_response(page))


def _content(user_id: int, slot: str) -> tuple[str, datetime | None]:
    """The page below its heading, with ``slot`` for the link's token, and until when the
    clock leaves it true."""
    session = db_session()
    # Read again after the versions: on PostgreSQL the row the link was checked with may
    # be older than them, and its details would be cached under the newer key.
    user = session.get_one(User, user_id, populate_existing=True)
    now = utcnow()
    walks = walker_queries.walks_of(session, user_id)
    upcoming = [w for w in walks if w.shift.end_at > now]
    fellows = walker_queries.fellow_walkers(
        session, [w.assignment.booking_id for w in upcoming], user_id
    )
    details = {
        w.assignment.id: walk_view.walk_details(
            leader_name=w.leader_name,
            leader_phone=w.leader_phone,
            fellow_names=[name for _id, name in fellows.get(w.assignment.booking_id, [])],
            latitude=w.latitude,
            longitude=w.longitude,
            meeting_point=w.meeting_point,
            equipment_note=w.equipment_note,
        )
        for w in upcoming
    }
    past = [w for w in walks if w.shift.end_at <= now][::-1]
    associations = _associations_of(user_id)
    open_places = walker_queries.open_places_for(
        session,
        user_id,
        [a.id for a in associations if a.allow_self_signup and a.id is not None],
        now,
    )
    html = render_template(
        "volunteers/_personal_content.html",
        user=user,
        personal_token=slot,
        upcoming=upcoming,
        details=details,
        past=past,
        associations=associations,
        open_places=open_places,
        questions=services_requests.open_questions(session, user_id),
        now=now,
        CHECKINS_SLOT=personal_page.CHECKINS_SLOT,
        CALENDAR_SLOT=personal_page.CALENDAR_SLOT,
    )
    instants = [t for w in walks for t in (w.shift.start_at, w.shift.end_at)]
    instants += [place.shift.start_at for place in open_places]
    return html, personal_page.valid_until(now, instants)


def _own_assignment(user_id: int, assignment_id: int) -> Assignment:
    assignment = db_session().get(Assignment, assignment_id)
    if assignment is None or assignment.user_id != user_id:
        raise NotFound()
    return assignment


def _answer(token: str, assignment_id: int, confirm: bool):
    user = personal_owner(token)
    assert user.id is not None
    session = db_session()
    assignment = _own_assignment(user.id, assignment_id)
    try:
        if confirm:
            services_roster.confirm_assignment(session, assignment)
        else:
            services_roster.decline_assignment(session, assignment)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("volunteers.personal", token=token))
    if confirm:
        flash(_("Tack! Du har bekräftat passet."), "success")
    else:
        flash(_("Du har tackat nej. Föreningens ledare får veta det."), "success")
    return redirect(url_for("volunteers.personal", token=token))


@bp.post("/me/<token>/assignments/<int:assignment_id>/confirm")
def confirm(token: str, assignment_id: int):
    return _answer(token, assignment_id, True)


@bp.post("/me/<token>/assignments/<int:assignment_id>/decline")
def decline(token: str, assignment_id: int):
    return _answer(token, assignment_id, False)


@bp.post("/me/<token>/signup/<int:booking_id>")
def signup(token: str, booking_id: int):
    user = personal_owner(token)
    assert user.id is not None
    session = db_session()
    booking = session.get(Booking, booking_id)
    if (
        booking is None
        or services.volunteer_membership(session, booking.association_id, user.id) is None
    ):
        raise NotFound()
    try:
        services_roster.add_to_roster(
            session, booking_id=booking_id, user_id=user.id, actor_id=user.id, self_signup=True
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("volunteers.personal", token=token))
    flash(_("Du är anmäld till passet."), "success")
    return redirect(url_for("volunteers.personal", token=token))


def _answer_question(token: str, request_id: int, yes: bool):
    user = personal_owner(token)
    session = db_session()
    question = session.get(MembershipRequest, request_id)
    if question is None or question.user_id != user.id:
        raise NotFound()
    try:
        if yes:
            association = services_requests.accept(session, user, request_id, via="page")
        else:
            association = services_requests.decline(session, user, request_id, via="page")
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("volunteers.personal", token=token))
    if yes:
        flash(_("Välkommen! Du är nu medlem i %(name)s.", name=association.name), "success")
    else:
        flash(
            _(
                "Du har tackat nej till att gå med i %(name)s. Föreningen får bara veta att du "
                "inte gick med.",
                name=association.name,
            ),
            "success",
        )
    return redirect(url_for("volunteers.personal", token=token))


@bp.post("/me/<token>/questions/<int:request_id>/accept")
def question_accept(token: str, request_id: int):
    return _answer_question(token, request_id, True)


@bp.post("/me/<token>/questions/<int:request_id>/decline")
def question_decline(token: str, request_id: int):
    return _answer_question(token, request_id, False)


@bp.post("/me/<token>/rotate")
def rotate(token: str):
    user = personal_owner(token)
    new = services.rotate_personal_link(
        db_session(), user, tokens.signing_keys(current_app.config), actor_id=user.id
    )
    flash(_("Din nya länk är klar. Spara den; den gamla fungerar inte längre."), "success")
    return redirect(url_for("volunteers.personal", token=new))
