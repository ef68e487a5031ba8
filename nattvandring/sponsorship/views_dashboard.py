"""The sponsor liaison's dashboard and hour-summary exports; the leader's own statements."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role
from ..associations.models import Association
from ..clock import to_local, utcnow
from ..db import db_session
from ..errors import NotFound
from ..exports import csv_rows, xlsx_bytes
from ..i18n import _, _l
from ..municipalities.models import Municipality
from ..reports.charts import bar_chart, month_labels
from ..reports.situation import months_between
from ..web import nav, page_cache
from ..web.query import date_arg, int_arg
from . import explain, walks
from . import services_exports as rows
from .blueprint import XLSX_TYPE, bp, csv_dialect, download, stream_csv
from .exports import statement_pdf
from .models import (
    COMMITTED,
    AgreementAssociation,
    AgreementMunicipality,
    LineKind,
    PayoutLine,
    PayoutRun,
    Sponsor,
    SponsorAgreement,
)
from .services_terms import budget_status

#: The chart shows at most this many months: the last ones of the period.
CHART_MONTHS = 36


#: The statements every view of the dashboard runs, built once (building them cost more than
#: running them).
_EVERY_AGREEMENT = select(SponsorAgreement.id)
_AGREEMENTS_OF = select(SponsorAgreement.id).where(
    col(SponsorAgreement.sponsor_id).in_(bindparam("sponsor_ids", expanding=True))
)
_ASSOCIATIONS_OF = (
    select(Association.id, Association.municipality_id)
    .join(AgreementAssociation, col(AgreementAssociation.association_id) == Association.id)
    .where(col(AgreementAssociation.agreement_id).in_(bindparam("deal_ids", expanding=True)))
    .distinct()
)
_MUNICIPALITIES_OF = select(AgreementMunicipality.municipality_id).where(
    col(AgreementMunicipality.agreement_id).in_(bindparam("deal_ids", expanding=True))
)


def _my_agreement_ids() -> list[int]:
    authz.require_role(current_user, Role.SPONSOR_LIAISON)
    if authz.is_admin(current_user):
        found = db_session().exec(_EVERY_AGREEMENT)
    else:
        found = db_session().exec(
            _AGREEMENTS_OF, params={"sponsor_ids": sorted(current_user.sponsor_ids())}
        )
    return sorted(found.all())  # type: ignore[arg-type]


def _scope() -> dict[str, Any]:
    """The liaison's agreements, associations and municipalities (as ids: a page view only
    needs them for its filters and its cache key), with the request's filters applied.
    Associations withdrawn and municipalities taken off are kept: a past period has them.

    A filter naming an association or municipality outside their agreements answers 404.
    """
    session = db_session()
    deal_ids = _my_agreement_ids()
    pairs: list[tuple[int, int]] = []
    municipality_ids: list[int] = []
    if deal_ids:
        found_pairs = session.exec(_ASSOCIATIONS_OF, params={"deal_ids": deal_ids}).all()
        pairs = list(found_pairs)  # type: ignore[arg-type]
        found = session.exec(_MUNICIPALITIES_OF, params={"deal_ids": deal_ids}).all()
        municipality_ids = sorted(set(found))
    all_association_ids = sorted(association_id for association_id, _ in pairs)
    year = to_local(utcnow()).year
    start = date_arg("start", date(year, 1, 1))
    end = date_arg("end", date(year, 12, 31))
    if end < start:
        start, end = end, start
    municipality_id, association_id = int_arg("municipality"), int_arg("association")
    chosen = all_association_ids
    chosen_municipalities = municipality_ids
    if municipality_id is not None:
        if municipality_id not in municipality_ids:
            raise NotFound()
        chosen_municipalities = [municipality_id]
    if association_id is not None:
        if association_id not in chosen:
            raise NotFound()
        chosen = [association_id]
    return {
        "agreement_ids": deal_ids,
        "all_association_ids": all_association_ids,
        "all_municipality_ids": municipality_ids,
        # Every municipality whose rows the page shows: its cache key's versions.
        "shown_municipality_ids": set(municipality_ids) | {m for _, m in pairs},
        "start": start,
        "end": end,
        "municipality_id": municipality_id,
        "association_id": association_id,
        "association_ids": chosen,
        "municipality_ids": chosen_municipalities,
    }


@bp.get("/sponsorship/")
@login_required
def dashboard():
    scope = _scope()
    # The content is a function of the scope and the day (the budget in force today):
    # liaisons with the same scope share it.
    parts = (
        to_local(utcnow()).date(),
        scope["agreement_ids"],
        scope["association_ids"],
        scope["municipality_ids"],
        scope["start"],
        scope["end"],
        scope["municipality_id"],
        scope["association_id"],
    )
    content = page_cache.fragment(
        "sponsorship.dashboard",
        municipality_ids=scope["shown_municipality_ids"],
        parts=parts,
        render=lambda: (_dashboard_content(scope), None),
    )
    return render_template("sponsorship/dashboard.html", content=content)


def _dashboard_content(scope: dict[str, Any]) -> str:
    session = db_session()
    agreements = _by_name(session, SponsorAgreement, scope["agreement_ids"])
    associations = _by_name(session, Association, scope["all_association_ids"])
    municipalities = _by_name(session, Municipality, scope["all_municipality_ids"])
    figures = list(
        walks.monthly_figures(
            session,
            association_ids=scope["association_ids"],
            start=scope["start"],
            end=scope["end"],
            municipality_ids=scope["municipality_ids"],
            agreement_ids=scope["agreement_ids"],
        )
    )
    names = {a.id: a.name for a in associations}
    by_month: dict[date, int] = {}
    for row in figures:
        by_month[row.month] = by_month.get(row.month, 0) + row.walks
    # Every month of the period, empty ones included (the last CHART_MONTHS of a long one).
    months = months_between(scope["start"], scope["end"])
    shown = months[-CHART_MONTHS:]
    chart = bar_chart(
        title=_("Godkända vandringar per månad"),
        description=_("Antal godkända vandringar per månad i vald period."),
        labels=month_labels(shown),
        series=[(_("Vandringar"), [by_month.get(month, 0) for month in shown])],
        chart_id="sponsor-chart",
    )
    budgets = [(deal, budget_status(session, deal)) for deal in agreements]
    filters = {
        key: value
        for key, value in (
            ("start", scope["start"].isoformat()),
            ("end", scope["end"].isoformat()),
            ("municipality", scope["municipality_id"]),
            ("association", scope["association_id"]),
        )
        if value is not None
    }
    return render_template(
        "sponsorship/_dashboard_content.html",
        scope=scope,
        agreements=agreements,
        associations=associations,
        municipalities=municipalities,
        figures=figures,
        names=names,
        chart=chart,
        chart_cut=len(months) > len(shown),
        chart_months=len(shown),
        budgets=budgets,
        totals=(
            sum(r.walks for r in figures),
            sum(r.walker_visits for r in figures),
            sum(r.minutes for r in figures),
        ),
        export_url=lambda fmt, **extra: url_for(
            "sponsorship.summary_export", fmt=fmt, **filters, **extra
        ),
    )


def _by_name(session: Any, model: Any, ids: list[int]) -> list[Any]:
    if not ids:
        return []
    return list(session.exec(select(model).where(col(model.id).in_(ids)).order_by(model.name)))


@bp.get("/sponsorship/summary.<fmt>")
@login_required
def summary_export(fmt: str):
    scope = _scope()
    session = db_session()
    name = _("timmar") + f"-{scope['start']}–{scope['end']}"
    kwargs = {
        "association_ids": scope["association_ids"],
        "start": scope["start"],
        "end": scope["end"],
        "municipality_ids": scope["municipality_ids"],
        "agreement_ids": scope["agreement_ids"],
    }
    if fmt == "csv":
        dialect = csv_dialect()
        return stream_csv(
            lambda reader: csv_rows(
                rows.summary_header(),
                rows.summary_rows(reader, **kwargs),
                dialect=dialect,  # type: ignore[arg-type]
            ),
            f"{name}.csv",
        )
    if fmt == "xlsx":
        totals: list[Any] = []
        data = rows.summary_rows(session, totals=totals, **kwargs)
        return download(
            xlsx_bytes(_("Timmar"), rows.summary_header(), data, totals=totals),
            XLSX_TYPE,
            f"{name}.xlsx",
        )
    abort(404)


def _leader_association_ids() -> set[int]:
    authz.require_role(current_user, Role.LEADER)
    return current_user.association_ids()


@bp.get("/sponsorship/statement")
@login_required
def statement():
    own = _leader_association_ids()
    session = db_session()
    found = session.exec(
        select(PayoutLine, PayoutRun, SponsorAgreement, Sponsor)
        .join(PayoutRun, col(PayoutRun.id) == PayoutLine.run_id)
        .join(SponsorAgreement, col(SponsorAgreement.id) == PayoutRun.agreement_id)
        .join(Sponsor, col(Sponsor.id) == PayoutRun.sponsor_id)
        .where(col(PayoutLine.association_id).in_(own), col(PayoutRun.status).in_(COMMITTED))
        .order_by(col(PayoutRun.period_start).desc(), col(PayoutLine.id))
    ).all()
    walk_lists = {
        line.id: rows.walk_rows(session, run, line.association_id)
        for line, run, _agreement, _sponsor in found
        if line.kind == LineKind.PERIOD
    }
    return render_template(
        "sponsorship/statement.html",
        lines=found,
        walk_lists=walk_lists,
        explain_line=lambda line: (
            explain.line_text(line.details, _) if line.details else line.explanation
        ),
        reason=lambda text: explain.reason_text(text, _),
    )


@bp.get("/sponsorship/statement/<int:run_id>/<int:association_id>.pdf")
@login_required
def statement_pdf_download(run_id: int, association_id: int):
    own = _leader_association_ids()
    session = db_session()
    payout = session.get(PayoutRun, run_id)
    if (
        (association_id not in own and not authz.is_admin(current_user))
        or payout is None
        or payout.status not in COMMITTED
    ):
        raise NotFound()
    found = rows.statements(session, payout, association_id=association_id)
    if not found:
        raise NotFound()
    return download(
        statement_pdf(found, _),
        "application/pdf",
        _("utbetalning") + f"-{run_id}-{found[0].association_name}.pdf",
    )


nav.register(
    "sponsorship.dashboard",
    _l("Sponsring"),
    authz.is_liaison,
    order=62,
)
nav.register(
    "sponsorship.statement",
    _l("Ersättning"),
    authz.is_leader,
    order=64,
)
