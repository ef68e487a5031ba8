"""The demo agreement: created once, with Hässleholm's and Bjuv's approved associations."""

from __future__ import annotations

import pytest
from sqlmodel import select

from nattvandring.associations.models import Association, AssociationStatus
from nattvandring.db import get_engine, session_scope
from nattvandring.municipalities.models import Municipality
from nattvandring.sponsorship import demo_data
from nattvandring.sponsorship.explain import describe_rule
from nattvandring.sponsorship.models import (
    AgreementAssociation,
    AgreementMunicipality,
    SponsorAgreement,
)
from nattvandring.sponsorship.rules import PaymentRule


@pytest.fixture
def app(demo_app):
    """The demo as `nattvandring demo` loaded it (tests/support/demo.py)."""
    return demo_app


def test_demo_agreement_is_idempotent(app):
    with app.app_context(), session_scope(get_engine(app)) as session:
        demo_data.load(session)  # the demo's agreement step again, after the whole demo
        deals = session.exec(select(SponsorAgreement)).all()
        assert len(deals) == 1
        deal = deals[0]
        assert deal.budget_ore == 7_500_000
        assert describe_rule(PaymentRule.from_dict(deal.rule)) == (
            "1 500 kr per godkänd vandring; minst 3 vandrare, 18 år eller äldre"
        )
        covered = set(
            session.exec(
                select(Municipality.name)
                .join(AgreementMunicipality)
                .where(AgreementMunicipality.agreement_id == deal.id)
            ).all()
        )
        assert covered == {"Hässleholm", "Bjuv"}
        expected = set(
            session.exec(
                select(Association.id)
                .join(Municipality)
                .where(
                    Municipality.name.in_(["Hässleholm", "Bjuv"]),
                    Association.status == AssociationStatus.APPROVED,
                )
            ).all()
        )
        enrolled = session.exec(
            select(AgreementAssociation.association_id).where(
                AgreementAssociation.agreement_id == deal.id
            )
        ).all()
        assert sorted(enrolled) == sorted(expected) and len(expected) >= 4
