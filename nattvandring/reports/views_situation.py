"""The coordinator's lägesbild page, its CSV/XLSX exports and unsafe-place follow-up."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..clock import utcnow
from ..db import db_session
from ..errors import RuleViolation
from ..exports import content_disposition, csv_rows, xlsx_bytes
from ..formatting import local_datetime
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..planning.models import PatrolArea
from ..web import nav
from ..web.forms_util import load_for, show_violation
from ..web.query import int_arg
from ..web.redirects import local_path
from . import situation as lagesbild
from .blueprint import bp, coordinator_period
from .charts import bar_chart, month_labels
from .models import UnsafePlace, UnsafePlaceStatus
from .services_review import set_place_status
from .situation_pdf import situation_pdf as render_situation_pdf


def _filters():
    muni_ids, start, end = coordinator_period()
    session = db_session()
    areas = session.exec(
        select(PatrolArea)
        .where(col(PatrolArea.municipality_id).in_(muni_ids))
        .order_by(PatrolArea.name)
    ).all()
    area_id = int_arg("area")
    area = next((a for a in areas if a.id == area_id), None)
    report = lagesbild.build(
        session,
        municipality_ids=muni_ids,
        start=start,
        end=end,
        area_id=area.id if area else None,
    )
    return report, areas, area


@bp.get("/lagesbild")
@login_required
def situation():
    report, areas, area = _filters()
    chart = bar_chart(
        title=_("Vandringar och incidenter per månad"),
        description=_("Antal godkända vandringar och rapporterade incidenter per månad."),
        labels=month_labels([month for month, _f in report.months]),
        series=[
            (_("Vandringar"), [f.walks for _m, f in report.months]),
            (_("Incidenter"), [f.incident_total for _m, f in report.months]),
        ],
        chart_id="situation-chart",
    )
    args = {"from": report.start.isoformat(), "to": report.end.isoformat()}
    if area:
        args["area"] = str(area.id)
    return render_template(
        "reports/situation.html",
        report=report,
        areas=areas,
        area=area,
        chart=chart,
        export_args=args,
        next_status={
            UnsafePlaceStatus.REPORTED: UnsafePlaceStatus.FORWARDED,
            UnsafePlaceStatus.FORWARDED: UnsafePlaceStatus.FIXED,
        },
    )


def _filename(report, ext: str) -> str:
    return f"lagesbild-{report.start.isoformat()}-{report.end.isoformat()}.{ext}"


@bp.get("/lagesbild.csv")
@login_required
def situation_csv():
    report, _areas, _area = _filters()
    body = "".join(csv_rows(lagesbild.export_header(), lagesbild.export_rows(report)))
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": content_disposition(_filename(report, "csv")),
            "Content-Type": "text/csv; charset=utf-8",
        },
    )


@bp.get("/lagesbild.pdf")
@login_required
def situation_pdf():
    report, _areas, area = _filters()
    municipality_ids, _start, _end = coordinator_period()
    names = db_session().exec(
        select(Municipality.name)
        .where(col(Municipality.id).in_(municipality_ids))
        .order_by(Municipality.name)
    )
    data = render_situation_pdf(
        report,
        places=list(names),
        area_name=area.name if area else None,
        issued=local_datetime(utcnow()),
    )
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": content_disposition(_filename(report, "pdf"))},
    )


@bp.get("/lagesbild.xlsx")
@login_required
def situation_xlsx():
    report, _areas, _area = _filters()
    data = xlsx_bytes(
        str(_l("Lägesbild")),
        lagesbild.export_header(),
        lagesbild.export_rows(report),
        column_formats={4: "0.00"},
    )
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition(_filename(report, "xlsx"))},
    )


@bp.post("/unsafe-places/<int:place_id>/status")
@login_required
def place_status(place_id: int):
    place = load_for(UnsafePlace, place_id, "follow_up")
    session = db_session()
    try:
        status = UnsafePlaceStatus(request.form.get("status", ""))
        set_place_status(session, place, status, actor_id=current_user.id)
    except ValueError:
        flash(_("Okänd status."), "error")
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
    else:
        flash(_("Statusen för platsen är uppdaterad."), "success")
    return redirect(local_path(request.form.get("next"), url_for("reports.situation")))


nav.register(
    "reports.situation",
    _l("Lägesbild"),
    authz.coordinator_or_admin,
    order=62,
)
