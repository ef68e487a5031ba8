"""The sponsor liaison's home, per agreement: approved walks not yet in a run, the budget
left, and runs still in draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from ..clock import to_local
from ..sponsorship import services_agreements as agreements
from ..sponsorship import services_membership as membership
from ..sponsorship import walks
from ..sponsorship.models import PayoutRun, RunStatus, SponsorAgreement
from ..sponsorship.services_terms import BudgetStatus, budget_status
from .lists import Shown, shown


@dataclass(frozen=True)
class AgreementHome:
    agreement: SponsorAgreement
    since: date  # the first evening no run covers
    until: date  # today, or the agreement's last day
    walks: int  # approved walks in since..until
    budget: BudgetStatus  # the budget in force, used and left (as the dashboard shows it)
    drafts: Shown[PayoutRun]

    @property
    def all_done(self) -> bool:
        return not (self.walks or self.drafts)


def agreement_home(
    session: Session, deal: SponsorAgreement, runs: list[PayoutRun], today: date
) -> AgreementHome:
    """One agreement's part (at most four queries: members, the walks the agreement covers,
    the budget in force and what runs used of it)."""
    assert deal.id is not None
    covered = max((run.period_end for run in runs), default=None)
    since = deal.valid_from if covered is None else max(deal.valid_from, covered + timedelta(1))
    until = min(today, deal.valid_to)
    count = 0
    if since <= until:
        members = [assoc.id for assoc, _ in membership.members(session, deal.id)]
        count = sum(
            figures.walks
            for figures in walks.monthly_figures(
                session,
                association_ids=[i for i in members if i is not None],
                start=since,
                end=until,
                agreement_ids=[deal.id],
            )
        )
    return AgreementHome(
        agreement=deal,
        since=since,
        until=until,
        walks=count,
        budget=budget_status(session, deal),
        drafts=shown(
            sorted(
                (run for run in runs if run.status == RunStatus.DRAFT),
                key=lambda run: (run.period_start, run.id or 0),
            )
        ),
    )


def sponsor_home(session: Session, sponsor_ids: set[int], now: datetime) -> list[AgreementHome]:
    """A part per agreement of the sponsors, by name (agreements whose term has not begun
    are left out)."""
    if not sponsor_ids:
        return []
    today = to_local(now).date()
    deals = session.exec(
        select(SponsorAgreement)
        .where(
            col(SponsorAgreement.sponsor_id).in_(sponsor_ids),
            SponsorAgreement.valid_from <= today,
        )
        .order_by(col(SponsorAgreement.name), col(SponsorAgreement.id))
    ).all()
    runs = agreements.runs_of(session, [deal.id for deal in deals if deal.id is not None])
    return [
        agreement_home(session, deal, [run for run in runs if run.agreement_id == deal.id], today)
        for deal in deals
    ]
