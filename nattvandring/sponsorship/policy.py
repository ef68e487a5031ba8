"""Who may see and do what with sponsors, agreements and payout runs.

A sponsor liaison sees their sponsor's agreements and runs; a coordinator those covering their
municipality, and manages them (enrols only their own associations). Admins see everything
(authz lets them through). Leaders never see a run: they get their own statement pages.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from .. import authz
from ..accounts.identity import Identity
from ..db import db_session
from .models import AgreementMunicipality


def covered_municipality_ids(agreement_id: int | None) -> set[int]:
    if agreement_id is None:
        return set()
    return set(
        db_session()
        .exec(
            select(AgreementMunicipality.municipality_id).where(
                AgreementMunicipality.agreement_id == agreement_id
            )
        )
        .all()
    )


def liaises(actor: Identity, sponsor_id: int | None) -> bool:
    return sponsor_id is not None and sponsor_id in actor.sponsor_ids()


def coordinates_agreement(actor: Identity, agreement_id: int | None) -> bool:
    mine = actor.municipality_ids()
    return bool(mine) and bool(mine & covered_municipality_ids(agreement_id))


@authz.visibility("Sponsor")
def _see_sponsor(actor: Identity, sponsor: Any) -> bool:
    return liaises(actor, sponsor.id)


@authz.action("Sponsor", "view")
def _view_sponsor(actor: Identity, sponsor: Any) -> bool:
    return liaises(actor, sponsor.id)


@authz.visibility("SponsorAgreement")
def _see_agreement(actor: Identity, agreement: Any) -> bool:
    return liaises(actor, agreement.sponsor_id) or coordinates_agreement(actor, agreement.id)


@authz.action("SponsorAgreement", "view", "run")
def _run_agreement(actor: Identity, agreement: Any) -> bool:
    return liaises(actor, agreement.sponsor_id) or coordinates_agreement(actor, agreement.id)


@authz.action("SponsorAgreement", "manage")
def _manage_agreement(actor: Identity, agreement: Any) -> bool:
    return coordinates_agreement(actor, agreement.id)


@authz.visibility("PayoutRun")
def _see_run(actor: Identity, run: Any) -> bool:
    return liaises(actor, run.sponsor_id) or coordinates_agreement(actor, run.agreement_id)


@authz.action("PayoutRun", "view", "manage")
def _manage_run(actor: Identity, run: Any) -> bool:
    return liaises(actor, run.sponsor_id) or coordinates_agreement(actor, run.agreement_id)
