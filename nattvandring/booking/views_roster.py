"""Walking group (roster) pages and cancelling a booking."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import authz
from ..associations.models import Association
from ..clock import utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..i18n import _
from ..messaging import sms_wait
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea, Shift
from ..web.forms_util import load_for, show_violation
from . import (
    calls,
    candidates,
    capacity,
    policy,
    queries,
    rules,
    services_booking,
    services_group,
    services_roster,
)
from .blueprint import bp
from .forms import AddWalkerForm, CallWalkerForm, CancelBookingForm
from .models import Assignment, AssignmentStatus, Booking, BookingStatus

PERSON_CODES = frozenset(
    {
        "not_member",
        "already_on_shift",
        "birth_year_missing",
        "too_young",
        "overlap",
        "opted_out",
        "nobody_chosen",
        "selection_refused",
    }
)


def _quiet_note() -> str | None:
    until = sms_wait.quiet_until()
    return sms_wait.note(until) if until is not None else None


def _roster_page(booking: Booking, form: AddWalkerForm | None = None, status: int = 200):
    session = db_session()
    shift = session.get(Shift, booking.shift_id)
    association = session.get(Association, booking.association_id)
    assert shift is not None and association is not None
    area = session.get(PatrolArea, shift.area_id)
    roster = queries.roster_of(session, booking.id)  # type: ignore[arg-type]
    walkers = sum(1 for a, _u in roster if a.status != AssignmentStatus.DECLINED)
    confirmed = sum(1 for a, _u in roster if a.status == AssignmentStatus.CONFIRMED)
    others = services_booking.groups_holding_room(
        session,
        shift.id,  # type: ignore[arg-type]
        besides=booking.id,
    )
    room = capacity.room_for_group(
        max_walkers=shift.max_walkers,
        min_walkers=shift.min_walkers,
        own=walkers,
        others=others,
    )
    status_now = capacity.group_status(
        confirmed=confirmed,
        waiting=walkers - confirmed,
        min_walkers=shift.min_walkers,
        max_walkers=None if room is None else walkers + room,
    )
    can_edit = authz.can(current_user, "roster", booking)
    form = form or AddWalkerForm(formdata=None)
    members = (
        candidates.candidates(
            session,
            association_id=association.id,  # type: ignore[arg-type]
            shift=shift,
            booking_id=booking.id,  # type: ignore[arg-type]
        )
        if can_edit
        else []
    )
    on_roster = {a.user_id for a, _u in roster}
    body = render_template(
        "booking/roster.html",
        booking=booking,
        shift=shift,
        area=area,
        association=association,
        roster=roster,
        walkers=walkers,
        group=status_now,
        room=room,
        shared=bool(others),
        full=room == 0,
        started=utcnow() >= shift.start_at,
        active=booking.status == BookingStatus.ACTIVE,
        can_edit=can_edit,
        form=form,
        members=[m for m in members if m.user_id not in on_roster],
        chosen=set(form.user_id.data or []),
        quiet_note=_quiet_note(),
        call=calls.open_call(session, booking.id),  # type: ignore[arg-type]
        call_form=CallWalkerForm(formdata=None),
    )
    return body, status


@bp.get("/booking/bookings/<int:booking_id>/roster")
@login_required
def roster(booking_id: int):
    return _roster_page(load_for(Booking, booking_id, "view"))


@bp.post("/booking/bookings/<int:booking_id>/roster")
@login_required
def roster_add(booking_id: int):
    booking = load_for(Booking, booking_id, "roster")
    form = AddWalkerForm()
    session = db_session()
    if not form.validate_on_submit():
        return _roster_page(booking, form, 422)
    chosen = list(form.user_id.data)
    try:
        added = services_group.add_members(
            session, booking_id=booking_id, user_ids=chosen, actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        form = AddWalkerForm(formdata=None)
        form.user_id.data = chosen  # the selection stays ticked, to correct it
        # About the chosen people: next to the member list. About the group or the shift
        # (full, started, cancelled): a flash, since the list may not even be shown then.
        violation.field = "user_id" if violation.code in PERSON_CODES else None
        show_violation(form, violation)
        return _roster_page(session.get(Booking, booking_id), form, 422)  # type: ignore[arg-type]
    if len(added) == 1:
        flash(_("Nattvandraren är tillagd i gruppen."), "success")
    else:
        flash(_("%(n)s nattvandrare är tillagda i gruppen.", n=len(added)), "success")
    held = sms_wait.held_until(session, [f"confirmation:{a.id}" for a in added])
    if held is not None:
        flash(sms_wait.note(held), "info")
    return redirect(url_for("booking.roster", booking_id=booking_id))


@bp.post("/booking/bookings/<int:booking_id>/call")
@login_required
def roster_call(booking_id: int):
    """ "Vi behöver en till": ask the members who can walk, by SMS."""
    booking = load_for(Booking, booking_id, "roster")
    form = CallWalkerForm()
    session = db_session()
    if not form.validate_on_submit():
        return _roster_page(booking, status=422)
    try:
        call, asked = calls.start_call(session, booking_id=booking_id, actor_id=current_user.id)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return _roster_page(session.get(Booking, booking_id), status=422)  # type: ignore[arg-type]
    flash(
        _(
            "%(n)s medlemmar har fått ett SMS. Den första som svarar JA kommer med i gruppen.",
            n=asked,
        ),
        "success",
    )
    held = sms_wait.held_until(
        session,
        [f"call:{call.id}:{uid}" for uid in calls.asked_ids(session, call.id)],  # type: ignore[arg-type]
    )
    if held is not None:
        flash(sms_wait.note(held), "info")
    return redirect(url_for("booking.roster", booking_id=booking_id))


@bp.post("/booking/assignments/<int:assignment_id>/remove")
@login_required
def roster_remove(assignment_id: int):
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


def _cancel_page(booking: Booking, form: CancelBookingForm, status: int = 200):
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
def cancel(booking_id: int):
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
