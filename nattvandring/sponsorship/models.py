"""Sponsors, their agreements (rule, coverage, enrolments) and payout runs with frozen lines.

Money is whole öre. A payout run is computed from the approved-hours ledger up to its
``cutoff_at``; once approved its lines never change again. Later corrections of reports are
paid (or deducted) in the next run as adjustment lines that name the period they cover.
Lines copy the association's name, organisation number and account, so a frozen statement
stays exactly as it was approved.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class Sponsor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160)
    org_number: str = Field(max_length=11, unique=True)
    created_at: datetime = created_at_field()


class SponsorAgreement(SQLModel, table=True):
    """One agreement of a sponsor: validity, coverage, and its terms.

    The terms (rule, cap, budget, allocation) are versioned in ``AgreementTerms``; the
    columns ``budget_ore``, ``cap_per_association_year_ore`` and ``rule`` here mirror the
    latest version (written only by ``services_agreements``) for lists and dashboards.
    ``settled_through``: runs approved before terms were versioned settled every evening up
    to this day under the old arithmetic; later runs count earnings from the day after.
    """

    __tablename__ = "sponsor_agreement"

    id: int | None = Field(default=None, primary_key=True)
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)
    name: str = Field(max_length=160)
    valid_from: date
    valid_to: date
    budget_ore: int | None = None
    cap_per_association_year_ore: int | None = None
    rule: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    settled_through: date | None = None
    # Raised by every change of validity, terms, coverage or enrolments (``mark_changed``):
    # a draft computed at an older revision is computed again before it is approved.
    revision: int = 0
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class AgreementTerms(SQLModel, table=True):
    """A version of an agreement's terms, in force from ``valid_from`` until the next one.

    Versions are only added (from a day after the last approved run), never edited, so an
    approved run's evenings keep the terms they were paid under."""

    __tablename__ = "agreement_terms"
    __table_args__ = (
        UniqueConstraint("agreement_id", "valid_from", name="uq_agreement_terms_from"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="sponsor_agreement.id", index=True, ondelete="CASCADE")
    valid_from: date
    rule: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    budget_ore: int | None = None
    cap_per_association_year_ore: int | None = None
    allocation: str = Field(default="by_date", max_length=10)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()


class AgreementMunicipality(SQLModel, table=True):
    """A period in which an agreement covers a municipality's walks: evenings from
    ``covered_from`` (None: the agreement's first day) until, not including,
    ``covered_until`` (None: still covered). Taking a municipality off ends its period
    instead of deleting it, so the evenings that payouts settled stay covered."""

    __tablename__ = "agreement_municipality"
    __table_args__ = (
        Index(
            "uq_agreement_municipality_open",
            "agreement_id",
            "municipality_id",
            unique=True,
            sqlite_where=text("covered_until IS NULL"),
            postgresql_where=text("covered_until IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="sponsor_agreement.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id", index=True)
    covered_from: date | None = None
    covered_until: date | None = None


class AgreementAssociation(SQLModel, table=True):
    """A period in which an association is enrolled in an agreement: evenings from
    ``joined_on`` until, not including, ``left_on`` (None: still enrolled). Withdrawing
    ends the period instead of deleting it, so the evenings that payouts settled stay
    enrolled, and enrolling again starts a new period (or reopens the last one)."""

    __tablename__ = "agreement_association"
    __table_args__ = (
        Index(
            "uq_agreement_association_open",
            "agreement_id",
            "association_id",
            unique=True,
            sqlite_where=text("left_on IS NULL"),
            postgresql_where=text("left_on IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="sponsor_agreement.id", index=True, ondelete="CASCADE")
    association_id: int = Field(foreign_key="association.id", index=True)
    joined_on: date
    left_on: date | None = None
    created_at: datetime = created_at_field()


class RunStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    PAID = "paid"


#: Runs whose lines count as committed money (cap, budget, "already paid").
COMMITTED = (RunStatus.APPROVED.value, RunStatus.PAID.value)


class LineKind(StrEnum):
    PERIOD = "period"
    ADJUSTMENT = "adjustment"


class PayoutRun(SQLModel, table=True):
    """A payout for one agreement and period: draft -> approved (frozen) -> paid."""

    __tablename__ = "payout_run"
    __table_args__ = (Index("ix_payout_run_agreement_period", "agreement_id", "period_start"),)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="sponsor_agreement.id", index=True)
    sponsor_id: int = Field(foreign_key="sponsor.id", index=True)  # copied for authorization
    period_start: date
    period_end: date
    status: str = Field(default=RunStatus.DRAFT, max_length=10)
    # Only ledger entries recorded before this instant count (set at each computation).
    cutoff_at: datetime
    agreement_revision: int = 0  # the agreement's revision it was computed at
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()
    approved_at: datetime | None = None
    approved_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    paid_on: date | None = None
    payment_reference: str = Field(default="", max_length=120)


class PayoutLine(SQLModel, table=True):
    """One association's amount in a run: the period itself or an adjustment of an earlier one."""

    __tablename__ = "payout_line"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "association_id", "kind", "covers_start", name="uq_payout_line_scope"
        ),
        Index("ix_payout_line_association", "association_id", "covers_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="payout_run.id", index=True, ondelete="CASCADE")
    association_id: int = Field(foreign_key="association.id")
    kind: str = Field(default=LineKind.PERIOD, max_length=10)
    covers_start: date
    covers_end: date
    walks: int = 0  # qualifying walks
    walks_considered: int = 0
    walkers: int = 0  # walker entries on qualifying walks
    volunteer_minutes: int = 0
    rule_amount_ore: int = 0  # what the rule gives before cap and budget
    amount_ore: int = 0  # payable in this run (negative for a deduction)
    cut_by_cap_ore: int = 0  # earned but held back by the yearly cap in this run
    cut_by_budget_ore: int = 0  # owed but not paid because the budget ran short
    explanation: str = Field(default="", max_length=1000)  # Swedish, for exports
    # The explanation as data, rendered in the reader's language (``explain.line_text``).
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Snapshot of the payee at computation time, so a frozen line never changes.
    association_name: str = Field(max_length=160)
    org_number: str = Field(max_length=11)
    account_type: str = Field(max_length=10)
    account_number: str = Field(max_length=12)
    municipality_id: int = Field(foreign_key="municipality.id")
