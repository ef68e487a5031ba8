"""The report form, shared by the leader's page and the volunteer's personal page."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template
from sqlmodel import Session, col, select

from ..accounts.models import User
from ..checkins.queries import times_by_walker
from ..errors import RuleViolation
from ..i18n import _
from ..planning.models import PatrolArea, Shift
from ..web.forms_util import posted_id
from .forms import ReportForm, attach_violation, category_choices, report_input
from .models import Incident, PatrolReport
from .services_report import (
    member_ids,
    roster_user_ids,
    save_report,
    submit_report,
    untouched,
    walkers_from_log,
    walkers_of,
)
from .services_review import places_of
from .times import local_hhmm

BLANK_INCIDENTS = 2
BLANK_PLACES = 1


def _initial(session: Session, report: PatrolReport, shift: Shift) -> dict:
    times: list[tuple[int | None, datetime, datetime]]
    if untouched(report):  # opened during the walk, perhaps: the log as it is now
        times = list(walkers_from_log(session, report.booking_id, shift))
    else:
        times = [(w.user_id, w.start_at, w.end_at) for w in walkers_of(session, report)]
    walkers = [
        {
            "user_id": str(user_id),
            "walked": True,
            "start": local_hhmm(start_at),
            "end": local_hhmm(end_at),
        }
        for user_id, start_at, end_at in times
        if user_id is not None
    ]
    incidents = [
        {"category": i.category, "what": i.description, "place": i.place}
        for i in session.exec(
            select(Incident).where(Incident.report_id == report.id).order_by(col(Incident.id))
        ).all()
    ]
    places = [
        {
            "what": p.description,
            "place": p.place,
            "latitude": "" if p.latitude is None else str(p.latitude),
            "longitude": "" if p.longitude is None else str(p.longitude),
        }
        for p in places_of(session, report.id)  # type: ignore[arg-type]
    ]
    return {
        "young_people_met": report.young_people_met,
        "summary": report.summary,
        "walkers": walkers,
        "add_start": local_hhmm(shift.start_at),
        "add_end": local_hhmm(shift.end_at),
        "incidents": incidents + [{}] * BLANK_INCIDENTS,
        "places": places + [{}] * BLANK_PLACES,
    }


def build_form(session: Session, report: PatrolReport, shift: Shift) -> ReportForm:
    form = ReportForm(data=_initial(session, report, shift))
    for row in form.incidents:
        row.category.choices = category_choices()
    listed = {user_id for r in form.walkers if (user_id := posted_id(r.user_id.data)) is not None}
    candidates = member_ids(session, report.association_id) | set(
        roster_user_ids(session, report.booking_id)
    )
    names = _names(session, candidates | listed)
    form.add_walker.choices = [(0, _("Ingen"))] + sorted(
        ((uid, names[uid]) for uid in candidates - listed if uid in names),
        key=lambda pair: pair[1],
    )
    form.walker_names = names
    # The sign-in log beside each walker: their logged times, or a flag if they never
    # checked in (the leader decides; the hours still count only once approved).
    form.walker_log = times_by_walker(session, report.booking_id)
    return form


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {u.id: u.name for u in users}  # type: ignore[misc]


def handle(
    session: Session,
    report: PatrolReport,
    *,
    actor_id: int | None,
    edit_url: str,
    done_url: str,
    context: dict,
):
    """GET shows the form; POST saves (and submits when "Skicka in" was pressed)."""
    shift = session.get(Shift, report.shift_id)
    assert shift is not None
    area = session.get(PatrolArea, shift.area_id)
    form = build_form(session, report, shift)
    page = {"form": form, "report": report, "shift": shift, "area": area, "action": edit_url}
    page.update(context)
    if form.validate_on_submit():
        try:
            save_report(session, report, report_input(form), actor_id=actor_id)
            if form.send.data:
                submit_report(session, report, actor_id=actor_id)
        except RuleViolation as violation:
            session.rollback()
            attach_violation(form, violation)
            return render_template("reports/edit.html", **page), 422
        if form.send.data:
            flash(_("Rapporten är inskickad till samordnaren."), "success")
            return redirect(done_url)
        flash(_("Utkastet är sparat."), "success")
        return redirect(edit_url)
    status = 422 if form.is_submitted() else 200
    return render_template("reports/edit.html", **page), status
