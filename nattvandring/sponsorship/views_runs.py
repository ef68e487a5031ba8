"""Payout runs: create for an agreement, view, recompute, approve, mark paid, export."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import col, select

from .. import authz
from ..accounts.models import Role
from ..db import db_session
from ..errors import RuleViolation
from ..exports import csv_rows, xlsx_bytes
from ..i18n import _, _l
from ..web import nav
from ..web.forms_util import load_for, show_violation
from . import explain, policy, run_checks, services_runs, services_terms
from . import services_exports as rows
from .blueprint import XLSX_TYPE, bp, csv_dialect, download, stream_csv
from .exports import statement_pdf
from .forms import PaidForm, RunForm
from .models import PayoutRun, RunStatus, Sponsor, SponsorAgreement
from .views import enrol_form, render_agreement

STATUS_LABELS = {
    RunStatus.DRAFT: _l("Utkast"),
    RunStatus.APPROVED: _l("Godkänd"),
    RunStatus.PAID: _l("Betald"),
}


@bp.app_template_filter("run_status")
def run_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))  # type: ignore[call-overload]


@bp.get("/sponsorship/payouts")
@login_required
def payouts():
    authz.require_role(current_user, Role.SPONSOR_LIAISON, Role.COORDINATOR)
    session = db_session()
    found = session.exec(
        select(PayoutRun, SponsorAgreement, Sponsor)
        .join(SponsorAgreement, col(SponsorAgreement.id) == PayoutRun.agreement_id)
        .join(Sponsor, col(Sponsor.id) == PayoutRun.sponsor_id)
        .order_by(col(PayoutRun.period_start).desc(), col(PayoutRun.id).desc())
    ).all()
    visible = [(r, a, s) for r, a, s in found if authz.can(current_user, "view", r)]
    totals = {
        r.id: rows.run_totals(
            session,
            r.id,  # type: ignore[arg-type]
            municipality_ids=policy.line_scope(current_user, r.sponsor_id),
        )
        for r, _a, _s in visible
    }
    deals = session.exec(select(SponsorAgreement).order_by(SponsorAgreement.name)).all()
    runnable = [a for a in deals if authz.can(current_user, "run", a)]
    return render_template(
        "sponsorship/payouts.html", runs=visible, totals=totals, agreements=runnable
    )


@bp.post("/sponsorship/agreements/<int:agreement_id>/runs")
@login_required
def run_create(agreement_id: int):
    deal = load_for(SponsorAgreement, agreement_id, "run")
    session = db_session()
    form = RunForm()
    if form.validate_on_submit():
        try:
            run = services_runs.create_run(
                session,
                agreement=deal,
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                actor_id=current_user.id,
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Utbetalningen är beräknad som utkast."), "success")
            return redirect(url_for("sponsorship.run", run_id=run.id))
    return render_agreement(deal, enrol_form(deal), form), 422


def _load_run(run_id: int, action: str = "view") -> tuple[PayoutRun, SponsorAgreement]:
    run = load_for(PayoutRun, run_id, action)
    deal = db_session().get(SponsorAgreement, run.agreement_id)
    assert deal is not None
    return run, deal


def _render_run(
    run: PayoutRun,
    deal: SponsorAgreement,
    paid_form: PaidForm,
    template: str = "run.html",
    **context: Any,
) -> str:
    session = db_session()
    scope = policy.line_scope(current_user, run.sponsor_id)
    lines = rows.run_lines(session, run.id, municipality_ids=scope)  # type: ignore[arg-type]
    can_manage = authz.can(current_user, "manage", run)
    draft = run.status == RunStatus.DRAFT
    return render_template(
        f"sponsorship/{template}",
        run=run,
        agreement=deal,
        sponsor=session.get(Sponsor, run.sponsor_id),
        lines=lines,
        cuts=[line for line in lines if line.cut_by_budget_ore or line.cut_by_cap_ore],
        associations=len({line.association_id for line in lines}),
        explain_line=lambda line: (
            explain.line_text(line.details, _) if line.details else line.explanation
        ),
        allocation=explain.allocation_label(
            services_terms.current(session, deal, run.period_end).allocation, _
        ),
        totals=rows.run_totals(session, run.id, municipality_ids=scope),  # type: ignore[arg-type]
        partial=policy.sees_only_part(scope, policy.run_municipality_ids(db_session(), run)),
        can_manage=can_manage,
        earlier_draft=run_checks.earlier_draft(session, run) if draft else None,
        # Named only to who may approve: a partial view must not learn other towns' clubs.
        payee_changed=run_checks.payee_changed(session, run) if draft and can_manage else None,
        agreement_changed=draft and can_manage and run_checks.agreement_changed(session, run),
        also_enrolled=run_checks.also_enrolled(session, run) if draft and can_manage else [],
        paid_form=paid_form,
        account_label=rows.account_label,
        **context,
    )


@bp.get("/sponsorship/runs/<int:run_id>")
@login_required
def run(run_id: int):
    payout, deal = _load_run(run_id)
    return _render_run(payout, deal, PaidForm())


def _act(run_id: int, action: Any, done: str):
    payout, deal = _load_run(run_id, "manage")
    session = db_session()
    try:
        action(session, payout, deal)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        payout, deal = _load_run(run_id)
        return _render_run(payout, deal, PaidForm(formdata=None)), 422
    flash(done, "success")
    return redirect(url_for("sponsorship.run", run_id=run_id))


@bp.post("/sponsorship/runs/<int:run_id>/recompute")
@login_required
def run_recompute(run_id: int):
    return _act(
        run_id,
        lambda s, r, a: services_runs.recompute(s, run=r, agreement=a),
        _("Utkastet är omräknat."),
    )


@bp.get("/sponsorship/runs/<int:run_id>/approve")
@login_required
def run_approve_confirm(run_id: int):
    """The deliberate step before locking: the total, the associations, and every cut."""
    payout, deal = _load_run(run_id, "manage")
    if payout.status != RunStatus.DRAFT:
        return redirect(url_for("sponsorship.run", run_id=run_id))
    # The form sends back what the page shows: approval refuses a draft changed since.
    seen = run_checks.fingerprint(db_session(), payout)
    return _render_run(payout, deal, PaidForm(formdata=None), "run_approve.html", seen=seen)


@bp.post("/sponsorship/runs/<int:run_id>/approve")
@login_required
def run_approve(run_id: int):
    """The lock button of the confirmation page (the run page links there, not here)."""
    return _act(
        run_id,
        lambda s, r, a: services_runs.approve(
            s, run=r, agreement=a, actor_id=current_user.id, seen=request.form.get("seen", "")
        ),
        _("Utbetalningen är godkänd och låst."),
    )


@bp.post("/sponsorship/runs/<int:run_id>/delete")
@login_required
def run_delete(run_id: int):
    payout, deal = _load_run(run_id, "manage")
    session = db_session()
    try:
        services_runs.delete_draft(session, run=payout)
    except RuleViolation as violation:
        session.rollback()
        show_violation(None, violation)
        return redirect(url_for("sponsorship.run", run_id=run_id))
    flash(_("Utkastet är borttaget."), "success")
    return redirect(url_for("sponsorship.agreement", agreement_id=deal.id))


@bp.post("/sponsorship/runs/<int:run_id>/paid")
@login_required
def run_paid(run_id: int):
    payout, deal = _load_run(run_id, "manage")
    session = db_session()
    form = PaidForm()
    if form.validate_on_submit():
        try:
            services_runs.mark_paid(
                session,
                run=payout,
                paid_on=form.paid_on.data,
                reference=form.reference.data or "",
            )
        except RuleViolation as violation:
            session.rollback()
            show_violation(form, violation)
        else:
            flash(_("Utbetalningen är markerad som betald."), "success")
            return redirect(url_for("sponsorship.run", run_id=run_id))
    payout, deal = _load_run(run_id)
    return _render_run(payout, deal, form), 422


def _run_filename(run: PayoutRun, deal: SponsorAgreement, ext: str, variant: str = "") -> str:
    """Distinct per run, format and variant; a draft's name says "utkast" ("draft")."""
    draft = "-" + _("utkast") if run.status == RunStatus.DRAFT else ""
    tail = f"-{variant}" if variant else ""
    stem = _("utbetalning")
    return f"{stem}-{run.id}-{deal.name}-{run.period_start}–{run.period_end}{draft}{tail}.{ext}"


@bp.get("/sponsorship/runs/<int:run_id>/export.<fmt>")
@login_required
def run_export(run_id: int, fmt: str):
    payout, deal = _load_run(run_id)
    session = db_session()
    scope = policy.line_scope(current_user, payout.sponsor_id)
    if fmt == "csv":
        dialect = csv_dialect()
        return stream_csv(
            lambda reader: csv_rows(
                rows.run_header(),
                rows.run_rows(reader, run_id, municipality_ids=scope, status=payout.status),
                dialect=dialect,  # type: ignore[arg-type]
            ),
            _run_filename(payout, deal, "csv", "excel" if dialect == "excel_sv" else "utf8"),
        )
    if fmt == "xlsx":
        totals: list[Any] = []
        found = rows.run_rows(session, run_id, totals, municipality_ids=scope, status=payout.status)
        title = _("Utkast") if payout.status == RunStatus.DRAFT else _("Utbetalning")
        data = xlsx_bytes(title, rows.run_header(), found, totals=totals)
        return download(data, XLSX_TYPE, _run_filename(payout, deal, "xlsx"))
    if fmt == "pdf":
        data = statement_pdf(rows.statements(session, payout, municipality_ids=scope), _)
        return download(data, "application/pdf", _run_filename(payout, deal, "pdf"))
    abort(404)


nav.register(
    "sponsorship.payouts",
    _l("Utbetalningar"),
    authz.is_liaison,
    order=63,
)
