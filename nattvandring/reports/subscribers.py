"""The coordinator's reminder of an overdue report reaches the leaders by SMS and e-mail."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from sqlmodel import Session

from .. import events
from ..clock import to_local
from ..i18n import _l


@events.subscribe(events.ReportReminderRequested)
def remind_the_leaders(session: Session, event: events.ReportReminderRequested) -> None:
    from ..mail.services import queue_email
    from ..messaging.models import SmsKind
    from ..messaging.services_notices import to_leaders
    from ..messaging.services_roster import leaders

    stamp = int(event.requested_at.timestamp())
    due_date = to_local(event.due_at).strftime("%Y-%m-%d")
    to_leaders(
        session,
        SmsKind.LEADER_REPORT_OVERDUE,
        association_id=event.association_id,
        shift_id=event.shift_id,
        dedupe_key=f"report_remind:{event.booking_id}:{stamp}",
        extra={"due_date": due_date, "booking_id": event.booking_id},
        before_start=False,
    )
    base_url = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    url = f"{base_url}/reports/booking/{event.booking_id}"
    for leader in leaders(session, event.association_id):
        if not leader.email or leader.anonymized_at is not None:
            continue
        with force_locale(leader.language or "sv"):
            subject = str(_l("Påminnelse: vandringsrapporten är försenad"))
            body = str(
                _l(
                    "Samordnaren påminner om rapporten för nattvandringen, som skulle ha "
                    "lämnats %(due)s. Skriv den här: %(url)s\n",
                    due=due_date,
                    url=url,
                )
            )
        queue_email(
            session,
            to_address=leader.email,
            to_name=leader.name,
            subject=subject,
            body_text=body,
            kind="report_overdue",
            dedupe_key=f"report_remind:{event.booking_id}:{stamp}:{leader.id}",
        )
