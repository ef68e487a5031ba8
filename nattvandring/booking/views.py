"""Booking pages for association leaders: calendar (list and month), shift, book, reserve."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role
from ..associations.models import Association
from ..clock import local_day_end, to_local, utcnow
from ..db import db_session
from ..errors import NotFound, RuleViolation
from ..i18n import _, _l
from ..planning.models import PatrolArea, Shift
from ..planning.services_special import nights_by_day, special_nights_between
from ..web import nav, page_cache
from ..web.forms_util import load_for, show_violation
from ..web.query import int_arg, month_arg
from . import months, queries, services_booking, services_reserve
from .blueprint import bp
from .models import ReserveEntry


def leader_association(association_id: int) -> Association:
    return load_for(Association, association_id, "lead")


def shift_of(association: Association, shift_id: int) -> Shift:
    """A shift of the association's municipality, or 404 (other tenants' shifts)."""
    shift = db_session().get(Shift, shift_id)
    if shift is None or shift.municipality_id != association.municipality_id:
        raise NotFound()
    return shift


def choose_or_redirect(endpoint: str, title: str):
    """Nav entries have no arguments: go straight to the only association, or let them pick."""
    authz.require_role(current_user, Role.LEADER)
    ids = sorted(current_user.association_ids())
    if len(ids) == 1:
        return redirect(url_for(endpoint, association_id=ids[0]))
    query = select(Association).order_by(Association.name)
    if ids or not authz.is_admin(current_user):
        query = query.where(col(Association.id).in_(ids))
    associations = db_session().exec(query).all()
    return render_template(
        "booking/choose.html", associations=associations, endpoint=endpoint, title=title
    )


@bp.get("/booking/")
@login_required
def start():
    return choose_or_redirect("booking.calendar", _("Boka pass"))


@bp.get("/booking/ours")
@login_required
def ours_start():
    return choose_or_redirect("booking.ours", _("Våra pass"))


@bp.get("/booking/<int:association_id>/calendar")
@login_required
def calendar(association_id: int):
    association = leader_association(association_id)
    now = utcnow()
    view = "month" if request.args.get("view") == "month" else "list"
    first = month_arg("month", None)
    today = to_local(now).date()
    year, month = (first.year, first.month) if first else (today.year, today.month)
    approved = association.status == "approved"
    content = None
    if approved:
        # The list starts now; without a chosen month it shows the coming six weeks.
        choice = CalendarChoice(
            view,
            year,
            month,
            coming_weeks=view == "list" and first is None,
            area_id=int_arg("area"),
            only_open=request.args.get("open") == "1",
        )
        content = page_cache.with_csrf(
            page_cache.fragment(
                "booking.calendar",
                # The same for every leader of the association: no viewer in the key.
                municipality_ids=[association.municipality_id],
                parts=(association.id, today, *choice),
                render=lambda: _calendar_content(association, choice, now),
            )
        )
    return render_template(
        "booking/calendar.html", association=association, approved=approved, content=content
    )


#: The list without a chosen month: from now through the end of the day six weeks ahead.
COMING = timedelta(weeks=6)


class CalendarChoice(NamedTuple):
    view: str
    year: int
    month: int
    coming_weeks: bool
    area_id: int | None
    only_open: bool


def _calendar_content(
    association: Association, choice: CalendarChoice, now: datetime
) -> tuple[str, datetime]:
    """The calendar below its heading, and when the clock alone changes it: when its rows
    change (``queries.rows_change_at``) or the day ends (the coming six weeks run through a
    day)."""
    session = db_session()
    municipality = queries.municipality_of(session, association)
    areas = session.exec(
        select(PatrolArea)
        .where(PatrolArea.municipality_id == association.municipality_id)
        .order_by(PatrolArea.name)
    ).all()
    start, end = months.bounds(choice.year, choice.month)
    month_start = start
    today = to_local(now).date()
    if choice.coming_weeks:
        start, end = now, local_day_end(today + COMING)
    elif choice.view == "list":
        start = max(start, now)
    rows = queries.calendar_rows(
        session,
        association=association,
        start=start,
        end=end,
        area_id=choice.area_id,
        only_open=choice.only_open,
        max_associations=municipality.max_associations_per_shift,
        now=now,
    )
    from ..rounds.queries import open_rounds_by_shift

    in_round = open_rounds_by_shift(
        session, [row.shift.id for row in rows if row.shift.id is not None]
    )
    by_day = defaultdict(list)
    for row in rows:
        by_day[to_local(row.shift.start_at).date()].append(row)
    nights = special_nights_between(
        session, municipality, to_local(start).date(), to_local(end).date()
    )
    html = render_template(
        "booking/_calendar_content.html",
        specials=nights_by_day(nights),
        association=association,
        municipality=municipality,
        view=choice.view,
        rows=rows,
        in_round=in_round,
        by_day=by_day,
        weeks=months.weeks(choice.year, choice.month),
        month_start=month_start,
        coming_weeks=choice.coming_weeks,
        month=months.month_key(choice.year, choice.month),
        prev_month=months.month_key(*months.shift_month(choice.year, choice.month, -1)),
        next_month=months.month_key(*months.shift_month(choice.year, choice.month, 1)),
        areas=areas,
        area_id=choice.area_id,
        only_open=choice.only_open,
    )
    return html, min(
        local_day_end(today),
        queries.rows_change_at(rows, list_view=choice.view == "list"),
    )


def _shift_page(association: Association, shift: Shift, status: int = 200):
    session = db_session()
    now = utcnow()
    municipality = queries.municipality_of(session, association)
    area = session.get(PatrolArea, shift.area_id)
    bookings = services_booking.active_bookings(session, shift.id)  # type: ignore[arg-type]
    names = {}
    if bookings:
        names = dict(
            session.exec(
                select(Association.id, Association.name).where(
                    col(Association.id).in_([b.association_id for b in bookings])
                )
            ).all()
        )
    own = next((b for b in bookings if b.association_id == association.id), None)
    reserve = session.exec(
        select(ReserveEntry).where(
            ReserveEntry.shift_id == shift.id, ReserveEntry.association_id == association.id
        )
    ).first()
    full = len(bookings) >= municipality.max_associations_per_shift
    if not full and bookings and not own:
        # A shared shift: full too when the room left is below a group's minimum.
        full = not services_booking.room_for_another_group(
            session, shift, now=now, besides_association=association.id
        )
    from ..rounds.services import open_round_of

    in_round = open_round_of(session, shift.id)  # type: ignore[arg-type]
    offers = services_reserve.open_offers(session, shift.id)  # type: ignore[arg-type]
    others = [o for o in offers if o.association_id != association.id]
    body = render_template(
        "booking/shift.html",
        association=association,
        municipality=municipality,
        shift=shift,
        area=area,
        bookings=bookings,
        names=names,
        own=own,
        reserve=reserve,
        full=full,
        offered_to_others=others,
        in_round=in_round,
        started=now >= shift.start_at,
        walkers=queries_walkers(shift),
    )
    return body, status


def queries_walkers(shift: Shift) -> int:
    from .services_roster import walkers_on_shift

    return walkers_on_shift(db_session(), shift.id)  # type: ignore[arg-type]


@bp.get("/booking/<int:association_id>/shifts/<int:shift_id>")
@login_required
def shift_detail(association_id: int, shift_id: int):
    association = leader_association(association_id)
    return _shift_page(association, shift_of(association, shift_id))


def _refused(association: Association, shift_id: int, violation: RuleViolation):
    session = db_session()
    session.rollback()
    show_violation(None, violation)
    return _shift_page(association, shift_of(association, shift_id), 422)


@bp.post("/booking/<int:association_id>/shifts/<int:shift_id>/book")
@login_required
def book(association_id: int, shift_id: int):
    association = leader_association(association_id)
    shift_of(association, shift_id)
    try:
        booking = services_booking.book_shift(
            db_session(),
            association_id=association_id,
            shift_id=shift_id,
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        return _refused(association, shift_id, violation)
    flash(_("Passet är bokat. Lägg nu till nattvandrare i gruppen."), "success")
    return redirect(url_for("booking.roster", booking_id=booking.id))


def _reserve_list_action(association_id: int, shift_id: int, service, done: str):
    association = leader_association(association_id)
    shift_of(association, shift_id)
    try:
        service(
            db_session(),
            association_id=association_id,
            shift_id=shift_id,
            actor_id=current_user.id,
        )
    except RuleViolation as violation:
        return _refused(association, shift_id, violation)
    flash(done, "success")
    return redirect(
        url_for("booking.shift_detail", association_id=association_id, shift_id=shift_id)
    )


@bp.post("/booking/<int:association_id>/shifts/<int:shift_id>/reserve")
@login_required
def join_reserve(association_id: int, shift_id: int):
    return _reserve_list_action(
        association_id,
        shift_id,
        services_reserve.join_reserve,
        _("Föreningen står nu på reservlistan för passet."),
    )


@bp.post("/booking/<int:association_id>/shifts/<int:shift_id>/reserve/withdraw")
@login_required
def withdraw_reserve(association_id: int, shift_id: int):
    return _reserve_list_action(
        association_id,
        shift_id,
        services_reserve.withdraw_reserve,
        _("Föreningen är borttagen från reservlistan."),
    )


@bp.get("/booking/<int:association_id>/bookings")
@login_required
def ours(association_id: int):
    association = leader_association(association_id)
    session = db_session()
    now = utcnow()
    upcoming = queries.association_bookings(
        session,
        association_id,
        start=now - timedelta(hours=12),
        end=now + timedelta(days=400),
        now=now,
    )
    upcoming = [b for b in upcoming if b.shift.end_at > now]
    past = queries.association_bookings(
        session, association_id, start=now - timedelta(days=120), end=now, now=now
    )
    past = [b for b in past if b.shift.end_at <= now]
    past.reverse()
    return render_template(
        "booking/ours.html", association=association, upcoming=upcoming, past=past, now=now
    )


nav.register("booking.start", _l("Boka pass"), authz.is_leader, order=31)
nav.register("booking.ours_start", _l("Våra pass"), authz.is_leader, order=32)
