"""The SMS outbox and the seen-webhook tables.

Every SMS is a ``SmsMessage`` row written in the same transaction as the change that causes
it; the dispatch job claims due rows with ``nattvandring.outbox.claim`` and sends them after
that claim has committed. The body holds ``LINK_MARKER`` where the recipient's personal link
goes: the link is derived at send time, so the outbox (and the "Skickade SMS" page) never
stores a working personal-page token.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models_base import created_at_field


class SmsStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"
    # Not sent because it stopped being useful first (see ``services_timing.useful_until``).
    EXPIRED = "expired"


class SmsKind(StrEnum):
    CONFIRMATION = "confirmation"
    REMINDER = "reminder"
    CHANGE = "change"
    CANCELLATION = "cancellation"
    REMOVED = "removed"
    LEADER_DECLINED = "leader_declined"
    LEADER_UNDERSTAFFED = "leader_understaffed"
    LEADER_REPORT_DUE = "leader_report_due"
    LEADER_INVALID_NUMBER = "leader_invalid_number"
    RESERVE_OFFERED = "reserve_offered"
    RESERVE_EXPIRED = "reserve_expired"
    # "Vi behöver en till": a group asks its members for one more walker (booking/calls.py).
    WALKER_CALL = "walker_call"
    ROUND_RESULT = "round_result"
    MEMBERSHIP_QUESTION = "membership_question"
    VERIFICATION_CODE = "verification_code"
    NUMBER_CHANGED = "number_changed"
    # Safety nudges of the check-in area (nattvandring/checkins/nudges.py).
    LEADER_NOT_STARTED = "leader_not_started"
    LEADER_STILL_OUT = "leader_still_out"


# Kinds about a volunteer's own walk: cancelled when the walk is cancelled or they drop out.
VOLUNTEER_SHIFT_KINDS = (SmsKind.CONFIRMATION, SmsKind.REMINDER, SmsKind.CHANGE)
OPEN_STATUSES = (SmsStatus.PENDING, SmsStatus.UNKNOWN)


class SmsMessage(SQLModel, table=True):
    __tablename__ = "sms_outbox"
    __table_args__ = (
        Index("ix_sms_outbox_status_due", "status", "due_at"),
        Index("ix_sms_outbox_shift_user", "shift_id", "user_id"),
        Index("ix_sms_outbox_municipality_created", "municipality_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    to_e164: str = Field(default="", max_length=20)
    user_id: int | None = Field(
        default=None, foreign_key="user_account.id", index=True, ondelete="SET NULL"
    )
    shift_id: int | None = Field(default=None, foreign_key="shift.id", ondelete="SET NULL")
    association_id: int | None = Field(
        default=None, foreign_key="association.id", index=True, ondelete="SET NULL"
    )
    municipality_id: int | None = Field(
        default=None, foreign_key="municipality.id", ondelete="SET NULL"
    )
    language: str = Field(default="sv", max_length=5)
    body: str = Field(default="", max_length=1600)
    due_at: datetime = created_at_field()
    # Useful until: never sent at or after this instant (a reminder once the walk started);
    # the row is ``expired`` instead. Set for every row when it is queued.
    not_after: datetime | None = None
    # May go out inside quiet hours (also its retries): an answer to the person's own SMS or
    # request, or a note about a walk that starts within the quiet hours it was queued in.
    ignores_quiet_hours: bool = Field(default=False)
    dedupe_key: str = Field(max_length=160, unique=True)
    status: str = Field(default=SmsStatus.PENDING, max_length=12)
    attempts: int = Field(default=0)
    lease_until: datetime | None = None
    # Set when a send's outcome is unknown (5xx, timeout, a worker died mid-send): Twilio is
    # asked for messages sent after this instant before anything is sent again.
    reconcile_since: datetime | None = None
    retried_unreachable: bool = Field(default=False)
    twilio_sid: str | None = Field(default=None, max_length=64, index=True)
    error_code: int | None = None
    error_message: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


class WebhookReceipt(SQLModel, table=True):
    """An ``I-Twilio-Idempotency-Token`` already handled (Twilio retries callbacks)."""

    __tablename__ = "twilio_webhook_receipt"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=128, unique=True)
    received_at: datetime = created_at_field()


class InboundReceipt(SQLModel, table=True):
    """An inbound SMS already handled, by Twilio's ``MessageSid``.

    A signed webhook replayed without its idempotency token (or with another one) carries the
    same MessageSid, which the signature covers; the unique constraint lets only the first
    request act on it, also when two arrive at once. Holds no number and no text.
    """

    __tablename__ = "twilio_inbound_receipt"
    __table_args__ = (UniqueConstraint("message_sid", name="uq_twilio_inbound_receipt_sid"),)

    id: int | None = Field(default=None, primary_key=True)
    message_sid: str = Field(max_length=64)
    received_at: datetime = created_at_field()


class SmsProviderHealth(SQLModel, table=True):
    """One row (id 1): whether the SMS provider has been failing, and since when.

    Written by the dispatch job after each run that talked to the provider: a run with a
    success clears ``failing_since``; a run with only provider failures (429, 5xx, timeouts,
    connections) sets it if unset. Admins see a banner once it is older than 15 minutes.
    """

    __tablename__ = "sms_provider_health"

    id: int | None = Field(default=None, primary_key=True)
    failing_since: datetime | None = None
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str = Field(default="", max_length=200)
