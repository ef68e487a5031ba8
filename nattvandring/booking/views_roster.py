"""Walking group (roster) pages and cancelling a booking."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from .. import authz
from ..accounts.models import Membership, Role, User
from ..associations.models import Association
from ..clock import utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..i18n import _
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
from ..web.forms_util import load_for, show_violation
from . import policy, queries, rules, services_booking, services_roster
from .blueprint import bp
from .forms import AddWalkerForm, CancelBookingForm
from .models import Assignment, AssignmentStatus, Booking, BookingStatus


def _member_choices(association_id: int, exclude: set[int]) -> list[tuple[int, str]]:
    rows = db_session().exec(
        select(User.id, User.name, User.birth_year)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.association_id == association_id, Membership.role == Role.VOLUNTEER)
        .order_by(User.name)
    )
    return [
        (uid, f"{name} ({year})" if year else name)
        for uid, name, year in rows
        if uid not in exclude
    ]


def _roster_page(booking: Booking, form: AddWalkerForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    session = db_session()
    shift = session.get(Shift, booking.shift_id)
    association = session.get(Association, booking.association_id)
    assert shift is not None and association is not None
    area = session.get(PatrolArea, shift.area_id)
    roster = queries.roster_of(session, booking.id)  # type: ignore[arg-type]
    walkers = sum(1 for a, _u in roster if a.status != AssignmentStatus.DECLINED)
    can_edit = authz.can(current_user, "roster", booking)
    form = form or AddWalkerForm(formdata=None)
    form.user_id.choices = [(0, _("Välj medlem"))] + _member_choices(
        association.id,  # type: ignore[arg-type]
        {a.user_id for a, _u in roster},
    )
    body = render_template(
        "booking/roster.html",
        booking=booking,
        shift=shift,
        area=area,
        association=association,
        roster=roster,
        walkers=walkers,
        below_minimum=rules.is_below_minimum(walkers=walkers, min_walkers=shift.min_walkers),
        full=shift.max_walkers is not None and walkers >= shift.max_walkers,
        started=utcnow() >= shift.start_at,
        active=booking.status == BookingStatus.ACTIVE,
        can_edit=can_edit,
        form=form,
    )
    return body, status


@bp.get("/booking/bookings/<int:booking_id>/roster")
@login_required
def roster(booking_id: int):  # type: ignore[no-untyped-def]
    return _roster_page(load_for(Booking, booking_id, "view"))


@bp.post("/booking/bookings/<int:booking_id>/roster")
@login_required
def roster_add(booking_id: int):  # type: ignore[no-untyped-def]
    booking = load_for(Booking, booking_id, "roster")
    form = AddWalkerForm()
    form.user_id.choices = None  # validated by the service (membership), not by a list
    form.user_id.validate_choice = False
    session = db_session()
    if not form.validate_on_submit():
        return _roster_page(booking, form, 422)
    try:
        services_roster.add_to_roster(
            session, booking_id=booking_id, user_id=form.user_id.data, actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        form = AddWalkerForm(formdata=None)
        violation.field = "user_id"
        show_violation(form, violation)
        return _roster_page(session.get(Booking, booking_id), form, 422)  # type: ignore[arg-type]
    flash(_("Nattvandraren är tillagd i gruppen."), "success")
    return redirect(url_for("booking.roster", booking_id=booking_id))


@bp.post("/booking/assignments/<int:assignment_id>/remove")
@login_required
def roster_remove(assignment_id: int):  # type: ignore[no-untyped-def]
    session = db_session()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound()
    booking = load_for(Booking, assignment.booking_id, "roster")
    try:
        services_roster.remove_from_roster(
            session, assignment_id=assignment_id, actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return _roster_page(session.get(Booking, booking.id), status=422)  # type: ignore[arg-type]
    flash(_("Nattvandraren är borttagen från gruppen."), "success")
    return redirect(url_for("booking.roster", booking_id=booking.id))


def _cancel_page(booking: Booking, form: CancelBookingForm, status: int = 200):  # type: ignore[no-untyped-def]
    session = db_session()
    shift = session.get(Shift, booking.shift_id)
    assert shift is not None
    municipality = session.get(Municipality, shift.municipality_id)
    assert municipality is not None
    as_coordinator = policy.cancels_as_coordinator(current_user, booking)
    deadline = rules.leader_cancel_deadline(shift.start_at, municipality.cancel_deadline_hours)
    body = render_template(
        "booking/cancel.html",
        booking=booking,
        shift=shift,
        area=session.get(PatrolArea, shift.area_id),
        association=session.get(Association, booking.association_id),
        as_coordinator=as_coordinator,
        deadline=deadline,
        deadline_passed=utcnow() > deadline,
        form=form,
    )
    return body, status


@bp.route("/booking/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(booking_id: int):  # type: ignore[no-untyped-def]
    booking = load_for(Booking, booking_id, "cancel")
    form = CancelBookingForm()
    if not form.validate_on_submit():
        return _cancel_page(booking, form, 422 if form.is_submitted() else 200)
    session = db_session()
    as_coordinator = policy.cancels_as_coordinator(current_user, booking)
    try:
        services_booking.cancel_booking(
            session,
            booking_id=booking_id,
            actor_id=current_user.id,
            as_coordinator=as_coordinator,
            reason=form.reason.data or "",
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(form, violation)
        return _cancel_page(session.get(Booking, booking_id), form, 422)  # type: ignore[arg-type]
    flash(_("Bokningen är avbokad."), "success")
    if as_coordinator:
        return redirect(url_for("booking.roster", booking_id=booking_id))
    return redirect(url_for("booking.ours", association_id=booking.association_id))
