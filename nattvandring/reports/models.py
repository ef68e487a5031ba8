"""Patrol reports, who walked, incidents, unsafe places and the append-only hours ledger.

Hours are never stored as an editable total: approval writes one ``HoursLedgerEntry`` per
walker and later corrections add signed adjustment entries, so every total is a sum over the
ledger and every change has who, when and why. Ledger rows copy what payout rules need
(association, municipality, evening date, walker's birth year) so they survive erasure of the
person.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from ..models_base import created_at_field


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


#: Statuses in which the group may still edit the report.
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})


class IncidentCategory(StrEnum):
    VIOLENCE = "violence"
    ALCOHOL = "alcohol"
    DRUGS = "drugs"
    VANDALISM = "vandalism"
    THREAT = "threat"
    OTHER = "other"


class UnsafePlaceStatus(StrEnum):
    REPORTED = "reported"
    FORWARDED = "forwarded"
    FIXED = "fixed"


class LedgerKind(StrEnum):
    APPROVAL = "approval"
    CORRECTION = "correction"


class PatrolReport(SQLModel, table=True):
    """The report of one booking (one association's group on one shift)."""

    __tablename__ = "patrol_report"
    __table_args__ = (
        UniqueConstraint("booking_id", name="uq_patrol_report_booking"),
        Index("ix_patrol_report_association_status", "association_id", "status"),
        Index("ix_patrol_report_municipality_status", "municipality_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    booking_id: int = Field(foreign_key="booking.id")
    association_id: int = Field(foreign_key="association.id")
    municipality_id: int = Field(foreign_key="municipality.id")
    status: str = Field(default=ReportStatus.DRAFT, max_length=10)
    young_people_met: int = Field(default=0)
    summary: str = Field(default="", max_length=4000)
    filed_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    submitted_at: datetime | None = None
    approved_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    approved_at: datetime | None = None
    returned_at: datetime | None = None
    return_comment: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()


class ReportWalker(SQLModel, table=True):
    """One person in the walking group as reported, with their actual UTC start and end."""

    __tablename__ = "report_walker"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="patrol_report.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    start_at: datetime
    end_at: datetime
    minutes: int
    # False when the walker was added in a coordinator's correction after approval.
    in_filed_report: bool = Field(default=True)


class Incident(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="patrol_report.id", index=True, ondelete="CASCADE")
    category: str = Field(max_length=12)
    description: str = Field(default="", max_length=2000)
    place: str = Field(default="", max_length=255)


class UnsafePlace(SQLModel, table=True):
    """An unsafe spot noticed on a walk, which the coordinator follows up."""

    __tablename__ = "unsafe_place"
    __table_args__ = (Index("ix_unsafe_place_municipality_status", "municipality_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="patrol_report.id", index=True, ondelete="CASCADE")
    municipality_id: int = Field(foreign_key="municipality.id")
    area_id: int = Field(foreign_key="patrolarea.id", index=True)
    description: str = Field(max_length=2000)
    place: str = Field(default="", max_length=255)
    latitude: float | None = None
    longitude: float | None = None
    status: str = Field(default=UnsafePlaceStatus.REPORTED, max_length=10)
    reported_at: datetime = created_at_field()
    forwarded_at: datetime | None = None
    fixed_at: datetime | None = None
    status_changed_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )


class HoursLedgerEntry(SQLModel, table=True):
    """An append-only hours entry: approval (one per walker) or a signed correction."""

    __tablename__ = "hours_ledger_entry"
    __table_args__ = (
        Index("ix_hours_ledger_association_evening", "association_id", "evening"),
        Index("ix_hours_ledger_municipality_evening", "municipality_id", "evening"),
    )

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="patrol_report.id", index=True)
    # The walker this entry belongs to; the stable key totals are grouped by.
    walker_id: int = Field(foreign_key="report_walker.id", index=True)
    shift_id: int = Field(foreign_key="shift.id")
    association_id: int = Field(foreign_key="association.id")
    municipality_id: int = Field(foreign_key="municipality.id")
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    evening: date  # local Stockholm date on which the walk started
    minutes: int  # signed: the approval's minutes or a correction's delta
    walker_birth_year: int | None = None  # copied so age rules survive erasure
    kind: str = Field(max_length=12)
    reason: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = created_at_field()


# At most one approval entry per walker, whatever happens concurrently.
Index(
    "uq_hours_ledger_approval",
    col(HoursLedgerEntry.walker_id),
    unique=True,
    postgresql_where=HoursLedgerEntry.kind == "approval",
    sqlite_where=HoursLedgerEntry.kind == "approval",
)


class ReportReminder(SQLModel, table=True):
    """Marks that ReportDue was emitted for a booking, so it is emitted exactly once."""

    __tablename__ = "report_reminder"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    emitted_at: datetime = created_at_field()
