"""Demo agreement: the demo insurer pays 1 500 kr per approved walk in Hässleholm and Bjuv."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from ..associations.models import Association, AssociationStatus
from ..clock import to_local, utcnow
from ..demo import data
from ..municipalities.models import Municipality
from .models import AgreementAssociation, Sponsor, SponsorAgreement
from .rules import PaymentRule
from .services_agreements import AgreementInput, create_agreement

ORDER = 40
NAME = "Trygghetsvandring Hässleholm och Bjuv"
MUNICIPALITIES = ("Hässleholm", "Bjuv")
RULE = PaymentRule(kind="per_walk", amount_ore=150_000, min_walkers=3, min_age=18)
BUDGET_ORE = 7_500_000


def load(session: Session) -> None:
    sponsor = session.exec(select(Sponsor).where(Sponsor.name == data.SPONSOR[0])).first()
    if sponsor is None:
        return
    municipalities = session.exec(
        select(Municipality).where(col(Municipality.name).in_(MUNICIPALITIES))
    ).all()
    if not municipalities:
        return
    agreement = session.exec(
        select(SponsorAgreement).where(
            SponsorAgreement.sponsor_id == sponsor.id, SponsorAgreement.name == NAME
        )
    ).first()
    if agreement is None:
        valid_from = date(to_local(utcnow()).year, 1, 1)
        agreement = create_agreement(
            session,
            sponsor=sponsor,
            data=AgreementInput(
                name=NAME,
                valid_from=valid_from,
                valid_to=None,
                budget_ore=BUDGET_ORE,
                cap_per_association_year_ore=None,
                rule=RULE,
                municipality_ids=tuple(m.id for m in municipalities),  # type: ignore[misc]
            ),
        )
    enrolled = set(
        session.exec(
            select(AgreementAssociation.association_id).where(
                AgreementAssociation.agreement_id == agreement.id
            )
        ).all()
    )
    approved = session.exec(
        select(Association).where(
            col(Association.municipality_id).in_([m.id for m in municipalities]),
            Association.status == AssociationStatus.APPROVED,
        )
    ).all()
    for association in approved:
        if association.id not in enrolled:
            session.add(
                AgreementAssociation(
                    agreement_id=agreement.id,  # type: ignore[arg-type]
                    association_id=association.id,  # type: ignore[arg-type]
                    joined_on=agreement.valid_from,
                )
            )
    session.flush()
