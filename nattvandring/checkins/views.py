"""Check-in buttons (personal page, group page), "Ute nu" and the nudge settings."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz, tokens
from ..accounts.models import User
from ..booking.models import Assignment, Booking, BookingStatus
from ..clock import utcnow
from ..db import db_session
from ..errors import Forbidden, NotFound, RuleViolation
from ..i18n import _, _l, ngettext
from ..municipalities.models import Municipality
from ..planning.models import Shift
from ..volunteers import services as volunteers
from ..web import nav
from ..web.forms_util import load_for, show_violation
from . import nudges, policy, queries, rules, services
from .blueprint import bp
from .forms import CheckForm, NudgeSettingsForm
from .models import CheckKind, CheckSource

REFRESH_SECONDS = 60


def _flash_done(kind: str, result: services.Checked, name: str | None = None) -> None:
    if not result.new:
        flash(_("Redan incheckad.") if kind == CheckKind.IN else _("Redan utcheckad."), "info")
    elif name:
        if kind == CheckKind.IN:
            flash(_("%(name)s är incheckad.", name=name), "success")
        else:
            flash(_("%(name)s är utcheckad.", name=name), "success")
    else:
        flash(_("Du är incheckad.") if kind == CheckKind.IN else _("Du är utcheckad."), "success")


# --- the walker's personal page -------------------------------------------------------------


def _personal_check(token: str, assignment_id: int, kind: str):
    session = db_session()
    user = volunteers.user_for_personal_token(
        session, token, secret_key=tokens.signing_keys(current_app.config)
    )
    if user is None:
        raise NotFound()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.user_id != user.id:
        raise NotFound()
    if not CheckForm().validate_on_submit():
        raise Forbidden()
    try:
        result = services.check(
            session, assignment, kind=kind, source=CheckSource.PAGE, at=utcnow()
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("volunteers.personal", token=token) + "#incheckning")
    _flash_done(kind, result)
    return redirect(url_for("volunteers.personal", token=token) + "#incheckning")


@bp.post("/me/<token>/assignments/<int:assignment_id>/check-in")
def personal_check_in(token: str, assignment_id: int):
    return _personal_check(token, assignment_id, CheckKind.IN)


@bp.post("/me/<token>/assignments/<int:assignment_id>/check-out")
def personal_check_out(token: str, assignment_id: int):
    return _personal_check(token, assignment_id, CheckKind.OUT)


@bp.app_template_global("checkins_personal")
def personal_block(user_id: int) -> list[dict]:
    """Walks the volunteer can check in to or out from now (templates/checkins/_personal.html).

    Two queries however many walks the volunteer has: the walks whose windows hold now,
    then the volunteer's latest event on each of them."""
    session = db_session()
    now = utcnow()
    walks = queries.checkable_walks(session, user_id, now)
    latest = queries.latest_events(session, user_id, [a.booking_id for a, _s, _n in walks])
    found = []
    for assignment, shift, area in walks:
        last = latest.get(assignment.booking_id)
        inside = last is not None and last.kind == CheckKind.IN
        can_in = not inside and rules.within(
            now, rules.check_in_window(shift.start_at, shift.end_at)
        )
        found.append(
            {
                "assignment": assignment,
                "shift": shift,
                "area": area,
                "last": last,
                "can_in": can_in,
                "can_out": inside,
            }
        )
    return found


# --- the leader, on the group page ------------------------------------------------------------


def _leader_check(booking_id: int, assignment_id: int | None, kind: str):
    booking = load_for(Booking, booking_id, "checkin")
    if not CheckForm().validate_on_submit():
        raise Forbidden()
    session = db_session()
    back = redirect(url_for("booking.roster", booking_id=booking.id) + "#incheckning")
    try:
        if assignment_id is None:
            count = services.check_group(session, booking, at=utcnow(), actor_id=current_user.id)
            flash(ngettext("%(num)s incheckad.", "%(num)s incheckade.", count), "success")
            return back
        assignment = session.get(Assignment, assignment_id)
        if assignment is None or assignment.booking_id != booking.id:
            raise NotFound()
        result = services.check(
            session,
            assignment,
            kind=kind,
            source=CheckSource.LEADER,
            at=utcnow(),
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return back
    user = session.get(User, assignment.user_id)
    _flash_done(kind, result, user.name if user else "")
    return back


@bp.post("/booking/bookings/<int:booking_id>/check-in")
@login_required
def group_check_in(booking_id: int):
    return _leader_check(booking_id, None, CheckKind.IN)


@bp.post("/booking/bookings/<int:booking_id>/assignments/<int:assignment_id>/check-in")
@login_required
def walker_check_in(booking_id: int, assignment_id: int):
    return _leader_check(booking_id, assignment_id, CheckKind.IN)


@bp.post("/booking/bookings/<int:booking_id>/assignments/<int:assignment_id>/check-out")
@login_required
def walker_check_out(booking_id: int, assignment_id: int):
    return _leader_check(booking_id, assignment_id, CheckKind.OUT)


@bp.app_template_global("checkins_group")
def group_block(booking: Booking) -> dict:
    """The group page's check-in section and log (templates/checkins/_group.html)."""
    session = db_session()
    shift = session.get(Shift, booking.shift_id)
    assert shift is not None
    now = utcnow()
    times = queries.times_by_walker(session, booking.id)  # type: ignore[arg-type]
    may = authz.can(current_user, "checkin", booking) and booking.status == BookingStatus.ACTIVE
    return {
        "walkers": [
            (assignment, user, times.get(user.id))  # type: ignore[arg-type]
            for assignment, user in queries.group_walkers(session, booking.id)  # type: ignore[arg-type]
        ],
        "log": queries.log_of(session, booking.id),  # type: ignore[arg-type]
        "can_in": may and rules.within(now, rules.check_in_window(shift.start_at, shift.end_at)),
        "can_out": may and rules.within(now, rules.check_out_window(shift.start_at, shift.end_at)),
        "shown": now >= shift.start_at - rules.CHECK_IN_OPENS,
    }


@bp.app_template_global("checkins_log")
def log_block(booking_id: int) -> list[queries.LogLine]:
    return queries.log_of(db_session(), booking_id)


# --- the coordinator: "Ute nu" ----------------------------------------------------------------


def _municipalities() -> list[Municipality]:
    authz.require_that(policy.sees_out_now(current_user))
    query = select(Municipality).order_by(col(Municipality.name))
    scope = authz.coordinated_municipality_ids(current_user)
    if scope is not None:
        query = query.where(col(Municipality.id).in_(scope))
    return list(db_session().exec(query).all())


@bp.get("/ute-nu")
@login_required
def out_now():
    municipalities = _municipalities()
    ids = {m.id for m in municipalities}
    session = db_session()
    now = utcnow()
    forms = {}
    for municipality in municipalities:
        if authz.can(current_user, "nudges", municipality):
            chosen = nudges.settings_for(session, municipality.id)  # type: ignore[arg-type]
            forms[municipality.id] = NudgeSettingsForm(
                formdata=None,
                prefix=f"m{municipality.id}",
                nudge_not_started=chosen.nudge_not_started,
                nudge_still_out=chosen.nudge_still_out,
            )
    return render_template(
        "checkins/out_now.html",
        groups=queries.out_now(session, ids, now),  # type: ignore[arg-type]
        silent=queries.started_without_check_in(session, ids, now),  # type: ignore[arg-type]
        municipalities=municipalities,
        forms=forms,
        now=now,
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.post("/ute-nu/settings/<int:municipality_id>")
@login_required
def save_nudges(municipality_id: int):
    municipality = load_for(Municipality, municipality_id, "nudges")
    form = NudgeSettingsForm(prefix=f"m{municipality.id}")
    if not form.validate_on_submit():
        raise Forbidden()
    nudges.save_settings(
        db_session(),
        municipality.id,  # type: ignore[arg-type]
        not_started=bool(form.nudge_not_started.data),
        still_out=bool(form.nudge_still_out.data),
        actor_id=current_user.id,
    )
    flash(_("Inställningarna är sparade."), "success")
    return redirect(url_for("checkins.out_now"))


nav.register("checkins.out_now", _l("Ute nu"), policy.sees_out_now, order=13)
