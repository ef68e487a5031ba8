"""Booking round pages: the coordinator's list and new round, the leader's wishes, the result."""

from __future__ import annotations

from datetime import time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..clock import local_to_utc, utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..i18n import _
from ..planning.blueprint import planning_municipality
from ..planning.forms import optional_int
from ..web.forms_util import load_for, show_violation, whole_number
from . import policy, rules, services  # noqa: F401 - policy registers rules
from .blueprint import bp
from .forms import RoundForm
from .models import BookingRound, RoundStatus
from .queries import free_shifts, published


def _list_page(municipality, form: RoundForm, status: int = 200, choice=None):
    rows = db_session().exec(
        select(BookingRound)
        .where(BookingRound.municipality_id == municipality.id)
        .order_by(col(BookingRound.deadline).desc())
    )
    return render_template(
        "rounds/list.html",
        municipality=municipality,
        rounds=list(rows),
        form=form,
        choice=choice,
    ), status


def _round_input(form: RoundForm, shift_ids: list[int] | None) -> services.RoundInput:
    return services.RoundInput(
        name=form.name.data or "",
        first_day=form.first_day.data,
        last_day=form.last_day.data,
        deadline=local_to_utc(form.deadline_day.data, form.deadline_time.data),
        max_nights_per_association=optional_int(form.max_nights),
        shift_ids=shift_ids,
    )


def _ticked() -> list[int] | None:
    """The nights ticked in the second step, or None when the whole range was asked for.
    A value that is no id becomes 0, which no free night has: refused, not ignored."""
    if request.form.get("choose") != "1":
        return None
    return [whole_number(raw) or 0 for raw in request.form.getlist("shift")]


def _choice(municipality, data: services.RoundInput, ticked: list[int] | None):
    """The range's free nights for the second step, with the ticked ones (all at first)."""
    free = free_shifts(
        db_session(),
        municipality_id=municipality.id,
        start=local_to_utc(data.first_day, time(0)),
        end=local_to_utc(data.last_day + timedelta(days=1), time(0)),
        after=data.deadline,
    )
    chosen = {shift.id for shift, _name in free} if ticked is None else set(ticked)
    return {"free": free, "ticked": chosen}


@bp.route("/planning/<int:municipality_id>/rounds", methods=["GET", "POST"])
@login_required
def rounds(municipality_id: int):
    """One form in two steps: the period, then (optionally) the free nights to take."""
    municipality = planning_municipality(municipality_id)
    form = RoundForm()
    if request.method == "GET":
        return _list_page(municipality, RoundForm(formdata=None))
    if not form.validate_on_submit():
        return _list_page(municipality, form, 422)
    session = db_session()
    ticked = _ticked()
    data = _round_input(form, ticked)
    try:
        if request.form.get("step") == "choose":
            rules.check_input(data, utcnow())
            return _list_page(municipality, form, choice=_choice(municipality, data, None))
        found = services.open_round(
            session, municipality=municipality, data=data, actor_id=current_user.id
        )
    except RuleViolation as violation:
        session.rollback()
        if violation.field == "deadline":
            violation.field = "deadline_day"
        elif violation.field == "max_nights_per_association":
            violation.field = "max_nights"
        show_violation(form, violation)
        choice = _choice(municipality, data, ticked) if ticked is not None else None
        return _list_page(municipality, form, 422, choice)
    flash(_("Bokningsomgången är öppen för önskemål."), "success")
    return redirect(url_for("rounds.detail", round_id=found.id))


@bp.get("/rounds/<int:round_id>")
@login_required
def detail(round_id: int):
    found = load_for(BookingRound, round_id, "view")
    session = db_session()
    return render_template(
        "rounds/round.html",
        found=found,
        shifts=services.round_shifts(session, found),
        result=published(session, found),
        can_draw=authz.can(current_user, "draw", found),
        due=utcnow() >= found.deadline,
    )


@bp.post("/rounds/<int:round_id>/draw")
@login_required
def draw(round_id: int):
    load_for(BookingRound, round_id, "draw")
    session = db_session()
    try:
        services.draw_round(session, round_id=round_id, actor_id=current_user.id)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("rounds.detail", round_id=round_id)), 303
    flash(_("Omgången är lottad."), "success")
    return redirect(url_for("rounds.detail", round_id=round_id))


def _leader_round(association_id: int, round_id: int):
    from ..booking.views import leader_association

    association = leader_association(association_id)
    found = db_session().get(BookingRound, round_id)
    if found is None or found.municipality_id != association.municipality_id:
        raise NotFound()
    return association, found


def _wishes_page(association, found, ranks: dict[int, int], status: int = 200):
    session = db_session()
    shifts = services.round_shifts(session, found)
    return render_template(
        "rounds/wishes.html",
        association=association,
        found=found,
        shifts=shifts,
        ranks=ranks,
        open=found.status == RoundStatus.OPEN and utcnow() < found.deadline,
        result=published(session, found),
    ), status


@bp.get("/booking/<int:association_id>/rounds")
@login_required
def leader_rounds(association_id: int):
    from ..booking.views import leader_association

    association = leader_association(association_id)
    rows = db_session().exec(
        select(BookingRound)
        .where(BookingRound.municipality_id == association.municipality_id)
        .order_by(col(BookingRound.deadline).desc())
    )
    return render_template("rounds/leader_list.html", association=association, rounds=list(rows))


@bp.route("/booking/<int:association_id>/rounds/<int:round_id>", methods=["GET", "POST"])
@login_required
def wishes(association_id: int, round_id: int):
    association, found = _leader_round(association_id, round_id)
    session = db_session()
    if request.method == "GET":
        own = services.wishes_of(session, found, association.id)
        return _wishes_page(association, found, {sid: n for n, sid in enumerate(own, 1)})
    ranks: dict[int, int] = {}
    for key, value in request.form.items():
        if key.startswith("rank-") and value.strip():
            shift_id, rank = whole_number(key[5:]), whole_number(value)
            if shift_id and rank:
                ranks[shift_id] = rank
    if len(set(ranks.values())) != len(ranks):
        flash(_("Ge varje kväll en egen plats i ordningen (1 är den ni helst vill ha)."), "error")
        return _wishes_page(association, found, ranks, 422)
    try:
        services.set_wishes(
            session,
            found=found,
            association=association,
            ranked=sorted(ranks, key=lambda sid: ranks[sid]),
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return _wishes_page(association, found, ranks, 422)
    flash(_("Era önskemål är sparade."), "success")
    return redirect(url_for("rounds.wishes", association_id=association.id, round_id=found.id))
