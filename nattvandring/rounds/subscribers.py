"""The leaders of every association that took part hear the result by SMS and e-mail."""

from __future__ import annotations

from collections import Counter

from flask_babel import force_locale
from sqlmodel import Session, select

from .. import events
from ..i18n import _l
from .models import BookingRound, RoundPick, RoundWish


@events.subscribe(events.BookingRoundDrawn)
def tell_the_result(session: Session, event: events.BookingRoundDrawn) -> None:
    from ..mail.services import queue_email
    from ..messaging.models import SmsKind
    from ..messaging.services_notices import _base_url, to_leaders
    from ..messaging.services_roster import leaders

    found = session.get(BookingRound, event.round_id)
    assert found is not None
    nights = Counter(
        session.exec(select(RoundPick.association_id).where(RoundPick.round_id == found.id))
    )
    taking_part = sorted(
        set(session.exec(select(RoundWish.association_id).where(RoundWish.round_id == found.id)))
    )
    for aid in taking_part:
        url = f"{_base_url()}/booking/{aid}/rounds/{found.id}"
        to_leaders(
            session,
            SmsKind.ROUND_RESULT,
            association_id=aid,
            shift_id=None,
            dedupe_key=f"round:{found.id}:{aid}",
            extra={"round": found.name, "count": nights[aid], "url": url},
            before_start=False,
        )
        for leader in leaders(session, aid):
            if not leader.email or leader.anonymized_at is not None:
                continue
            with force_locale(leader.language or "sv"):
                subject = str(_l("Bokningsomgången %(name)s är lottad", name=found.name))
                body = str(
                    _l(
                        "Bokningsomgången %(name)s är lottad. Ni fick %(count)s kvällar. "
                        "Önskemål som inte gick att uppfylla står nu på passens reservlistor.\n\n"
                        "Resultatet, fröet och varje val: %(url)s\n",
                        name=found.name,
                        count=nights[aid],
                        url=url,
                    )
                )
            queue_email(
                session,
                to_address=leader.email,
                to_name=leader.name,
                subject=subject,
                body_text=body,
                kind="round_result",
                dedupe_key=f"round:{found.id}:{leader.id}",
            )
