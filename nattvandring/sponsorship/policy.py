"""Who may see and do what with sponsors, agreements and payout runs.

A sponsor liaison sees their sponsor's agreements and runs whole. A coordinator sees the
agreements covering their municipality, but inside them only their own municipality's
associations: enrolments, payout lines, amounts, budget use and exports (``line_scope``).
An agreement (or a run) can span several municipalities; paying out such a run (create,
recompute, approve, mark paid, delete) is for the sponsor's liaison or an admin, because it
moves money of associations no single coordinator answers for (``may_pay_out``). A run of
one municipality stays with that municipality's coordinator. Admins see everything (authz
lets them through). Leaders never see a run: they get their own statement pages.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlmodel import Session, col, select

from .. import authz
from ..accounts.identity import Identity
from ..associations.models import Association
from .models import AgreementAssociation, AgreementMunicipality, PayoutLine


def covered_municipality_ids(session: Session | None, agreement_id: int | None) -> set[int]:
    if agreement_id is None or session is None:
        return set()
    return set(
        session.exec(
            select(AgreementMunicipality.municipality_id).where(
                AgreementMunicipality.agreement_id == agreement_id,
                col(AgreementMunicipality.covered_until).is_(None),
            )
        ).all()
    )


def agreement_municipality_ids(session: Session | None, agreement_id: int | None) -> set[int]:
    """Every municipality a run of the agreement can pay into: the covered ones, and those
    of associations ever enrolled (an enrolment outlives a municipality taken off the cover,
    and a withdrawn association's earlier evenings can still be settled)."""
    if agreement_id is None or session is None:
        return set()
    enrolled = session.exec(
        select(Association.municipality_id)
        .join(AgreementAssociation, col(AgreementAssociation.association_id) == Association.id)
        .where(AgreementAssociation.agreement_id == agreement_id)
    ).all()
    return covered_municipality_ids(session, agreement_id) | set(enrolled)


def run_municipality_ids(session: Session | None, run: Any) -> set[int]:
    """The municipalities a run pays into now or after a recompute: its agreement's, and
    those of the lines it already holds (frozen lines keep the municipality they had)."""
    if session is None:
        return set()
    held = session.exec(
        select(PayoutLine.municipality_id).where(PayoutLine.run_id == run.id).distinct()
    ).all()
    return agreement_municipality_ids(session, run.agreement_id) | set(held)


def liaises(actor: Identity, sponsor_id: int | None) -> bool:
    return sponsor_id is not None and sponsor_id in actor.sponsor_ids()


def coordinates_agreement(
    session: Session | None, actor: Identity, agreement_id: int | None
) -> bool:
    """A coordinator of a municipality the agreement covers, or whose associations it
    enrols or enrolled (their evenings are still paid after the cover is taken off)."""
    mine = actor.municipality_ids()
    return bool(mine) and bool(mine & agreement_municipality_ids(session, agreement_id))


def coordinates_covered(session: Session | None, actor: Identity, agreement_id: int | None) -> bool:
    """A coordinator of a municipality the agreement covers now (who changes its cover)."""
    mine = actor.municipality_ids()
    return bool(mine) and bool(mine & covered_municipality_ids(session, agreement_id))


def sees_whole_agreement(actor: Identity, sponsor_id: int | None) -> bool:
    """The sponsor's liaison and admins see every municipality of the sponsor's agreements."""
    return actor.is_admin or liaises(actor, sponsor_id)


def line_scope(actor: Identity, sponsor_id: int | None) -> set[int] | None:
    """The municipalities whose associations (lines, enrolments, amounts) the actor sees in
    the sponsor's agreements and runs: None means all of them."""
    if sees_whole_agreement(actor, sponsor_id):
        return None
    return actor.municipality_ids()


def editable_municipality_ids(actor: Identity) -> set[int] | None:
    """The municipalities whose coverage and enrolments the actor changes (None: all)."""
    return None if actor.is_admin else actor.municipality_ids()


def may_pay_out(actor: Identity, sponsor_id: int | None, municipality_ids: Collection[int]) -> bool:
    """Create, recompute, approve, mark paid or delete a run paying into these municipalities:
    the liaison or an admin always; a coordinator only for a run of their one municipality."""
    if sees_whole_agreement(actor, sponsor_id):
        return True
    scope = set(municipality_ids)
    return len(scope) == 1 and scope <= actor.municipality_ids()


def sees_only_part(scope: Collection[int] | None, municipality_ids: Collection[int]) -> bool:
    """Whether a ``line_scope`` hides some of these municipalities (the page says so)."""
    return scope is not None and not set(municipality_ids) <= set(scope)


@authz.visibility("Sponsor")
def _see_sponsor(actor: Identity, sponsor: Any) -> bool:
    return liaises(actor, sponsor.id)


@authz.action("Sponsor", "view")
def _view_sponsor(actor: Identity, sponsor: Any) -> bool:
    return liaises(actor, sponsor.id)


@authz.visibility("SponsorAgreement")
def _see_agreement(actor: Identity, agreement: Any) -> bool:
    return liaises(actor, agreement.sponsor_id) or coordinates_agreement(
        authz.session_of(agreement), actor, agreement.id
    )


@authz.action("SponsorAgreement", "view")
def _view_agreement(actor: Identity, agreement: Any) -> bool:
    return liaises(actor, agreement.sponsor_id) or coordinates_agreement(
        authz.session_of(agreement), actor, agreement.id
    )


@authz.action("SponsorAgreement", "run")
def _run_agreement(actor: Identity, agreement: Any) -> bool:
    return may_pay_out(
        actor,
        agreement.sponsor_id,
        agreement_municipality_ids(authz.session_of(agreement), agreement.id),
    )


def may_change_terms(actor: Identity, agreement: Any) -> bool:
    """Name, validity and terms: the liaison or an admin; for an agreement of one
    municipality also that municipality's coordinator. A shared agreement's terms bind the
    associations of every covered municipality, which no single coordinator answers for."""
    if sees_whole_agreement(actor, agreement.sponsor_id):
        return True
    covered = agreement_municipality_ids(authz.session_of(agreement), agreement.id)
    return len(covered) == 1 and covered <= actor.municipality_ids()


@authz.action("SponsorAgreement", "edit")
def _edit_agreement(actor: Identity, agreement: Any) -> bool:
    """The edit page: terms (``may_change_terms``) or the coordinator's own coverage."""
    return may_change_terms(actor, agreement) or coordinates_covered(
        authz.session_of(agreement), actor, agreement.id
    )


@authz.action("SponsorAgreement", "manage")
def _manage_agreement(actor: Identity, agreement: Any) -> bool:
    return coordinates_agreement(authz.session_of(agreement), actor, agreement.id)


@authz.visibility("PayoutRun")
def _see_run(actor: Identity, run: Any) -> bool:
    return liaises(actor, run.sponsor_id) or coordinates_agreement(
        authz.session_of(run), actor, run.agreement_id
    )


@authz.action("PayoutRun", "view")
def _view_run(actor: Identity, run: Any) -> bool:
    return liaises(actor, run.sponsor_id) or coordinates_agreement(
        authz.session_of(run), actor, run.agreement_id
    )


@authz.action("PayoutRun", "manage")
def _manage_run(actor: Identity, run: Any) -> bool:
    return may_pay_out(actor, run.sponsor_id, run_municipality_ids(authz.session_of(run), run))
