"""Hours overview: the leader's association per month and season; the coordinator's per
association with filters. Every figure comes from the approved-hours ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from flask import render_template
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..associations.models import Association
from ..clock import to_local, utcnow
from ..db import db_session
from ..formatting import hours as hours_of
from ..i18n import _, _l
from ..planning.models import PatrolArea
from ..web import nav
from ..web.query import int_arg, year_arg
from .blueprint import bp, coordinator_period
from .charts import bar_chart, month_label, month_labels
from .queries import hours_by_association_month
from .situation import months_between


def _hours(minutes: int) -> Decimal:
    return hours_of(minutes, 1)


@bp.get("/hours")
@login_required
def hours():
    if authz.coordinator_or_admin(current_user):
        return _coordinator_hours()
    authz.require_that(authz.is_leader(current_user))
    return _leader_hours()


def _leader_hours():
    session = db_session()
    own = sorted(current_user.association_ids())
    associations = session.exec(
        select(Association).where(col(Association.id).in_(own)).order_by(Association.name)
    ).all()
    chosen = int_arg("association")
    association = next((a for a in associations if a.id == chosen), associations[0])
    this_year = to_local(utcnow()).year
    year = min(year_arg("year", this_year), this_year + 1)
    assert association.id is not None
    rows = hours_by_association_month(
        session, association_ids=[association.id], start=date(year, 1, 1), end=date(year, 12, 31)
    )
    by_month = {row.month: row for row in rows}
    months = []
    seasons = {"spring": [0, 0, 0], "autumn": [0, 0, 0]}
    for month in months_between(date(year, 1, 1), date(year, 12, 31)):
        row = by_month.get(month)
        figures = (row.walks, row.walker_visits, row.minutes) if row else (0, 0, 0)
        months.append((month, *figures))
        season = seasons["spring" if month.month <= 6 else "autumn"]
        for index, value in enumerate(figures):
            season[index] += value
    chart = bar_chart(
        title=_("Volontärtimmar per månad %(year)s", year=year),
        description=_("Godkända timmar för %(name)s per månad.", name=association.name),
        labels=[month_label(m)[:3] for m, *_rest in months],
        series=[(_("Timmar"), [_hours(m[3]) for m in months])],
        chart_id="hours-chart",
    )
    return render_template(
        "reports/hours_leader.html",
        associations=associations,
        association=association,
        year=year,
        years=list(range(this_year - 3, this_year + 1)),
        months=months,
        seasons=seasons,
        totals=[sum(m[i] for m in months) for i in (1, 2, 3)],
        chart=chart,
    )


def _coordinator_hours():
    muni_ids, start, end = coordinator_period()
    session = db_session()
    associations = session.exec(
        select(Association)
        .where(col(Association.municipality_id).in_(muni_ids))
        .order_by(Association.name)
    ).all()
    areas = session.exec(
        select(PatrolArea)
        .where(col(PatrolArea.municipality_id).in_(muni_ids))
        .order_by(PatrolArea.name)
    ).all()
    area_id = int_arg("area")
    area_id = area_id if any(a.id == area_id for a in areas) else None
    association_id = int_arg("association")
    visible = {a.id for a in associations if a.id is not None}
    chosen_ids = [association_id] if association_id in visible else sorted(visible)
    rows = hours_by_association_month(
        session,
        association_ids=chosen_ids,
        municipality_ids=muni_ids,
        start=start,
        end=end,
        area_id=area_id,
    )
    names = {a.id: a.name for a in associations}
    per_association: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    per_cell: dict[tuple[int, date], int] = defaultdict(int)
    for row in rows:
        figures = per_association[row.association_id]
        figures[0] += row.walks
        figures[1] += row.walker_visits
        figures[2] += row.minutes
        per_cell[(row.association_id, row.month)] += row.minutes
    table = sorted(
        (
            (names[aid], aid, walks, visits, minutes)
            for aid, (walks, visits, minutes) in per_association.items()
        ),
        key=lambda r: r[0],
    )
    months = months_between(start, end)
    chart = bar_chart(
        title=_("Timmar per förening och månad"),
        description=_("Godkända volontärtimmar per förening och månad i vald period."),
        labels=month_labels(months),
        series=[(name, [_hours(per_cell[(aid, m)]) for m in months]) for name, aid, *_r in table],
        chart_id="hours-chart",
    )
    return render_template(
        "reports/hours_coordinator.html",
        start=start,
        end=end,
        areas=areas,
        area_id=area_id,
        associations=associations,
        association_id=association_id if association_id in visible else None,
        table=table,
        totals=[sum(r[i] for r in table) for i in (2, 3, 4)],
        chart=chart,
    )


nav.register("reports.hours", _l("Timmar"), authz.is_leader, order=61)
