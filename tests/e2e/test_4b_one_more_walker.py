"""One walker short: the leader, on a phone, books next Friday and presses "Vi behöver en till".
The members who can walk get an SMS; the first to answer JA joins the group, the next hears
"Tack, vi är fulltaliga". Saturday 11 April 2026 at 22:45, after the walk, so nobody still
owes an answer about a coming walk and every member who can walk is asked; it is night, so
the page says the SMS go at 08:00, and they do."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import col, select

from nattvandring.accounts.models import User
from nattvandring.booking.models import WalkerCall, WalkerCallInvite
from nattvandring.clock import STOCKHOLM
from nattvandring.db import session_scope
from nattvandring.messaging.models import SmsMessage

from .checks import screenshot
from .story import LEADER, MEMBERS, YOUNG, log_in, text_by_sms, wait_until_sent
from .test_2_leader import book

NEXT_FRIDAY = date(2026, 4, 17)
ASKED_AT = datetime(2026, 4, 11, 22, 45, tzinfo=STOCKHOLM)  # quiet hours: SMS wait
MORNING = datetime(2026, 4, 12, 8, 5, tzinfo=STOCKHOLM)


def asked_for_one_more(served, shift_id: int) -> list[str]:
    """The names of those the group's "Vi behöver en till" asked, in the order asked."""
    with session_scope(served.engine, write=False) as session:
        return list(
            session.exec(
                select(User.name)
                .join(WalkerCallInvite, col(WalkerCallInvite.user_id) == User.id)
                .join(WalkerCall, col(WalkerCall.id) == WalkerCallInvite.call_id)
                .where(WalkerCall.shift_id == shift_id)
                .order_by(col(WalkerCallInvite.id))
            ).all()
        )


def test_the_leader_asks_for_one_more_and_the_first_ja_joins(people, served, story):
    story.need("area_id", "report_id")
    served.at(ASKED_AT)
    keys = people.phone()
    page = keys.page
    log_in(keys, served, LEADER)
    shift_id = book(keys, served, story.area_id, NEXT_FRIDAY)
    assert page.locator(".quiet-note").get_by_text("Det är natt nu.").is_visible()
    asking = page.get_by_role("button", name="Fråga medlemmarna: vi behöver en till")
    box = asking.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 and box["height"] >= 44, box
    keys.follow(asking)
    asked = asked_for_one_more(served, shift_id)
    assert {m.name for m in MEMBERS} <= set(asked), asked  # free again after last Friday
    assert YOUNG.name not in asked  # too young to walk: never asked
    assert page.get_by_text(f"{len(asked)} medlemmar har fått ett SMS.").is_visible()
    assert page.locator(".call-open").is_visible()
    night = "SMS:en skickas i morgon kl 08:00: inga SMS går ut på natten."
    assert page.locator("p.flash-info").get_by_text(night).is_visible()  # and in .quiet-note
    screenshot(page, "leader-one-more", full_page=False)
    with session_scope(served.engine, write=False) as session:
        held = session.exec(
            select(SmsMessage.status).where(
                SmsMessage.kind == "walker_call", SmsMessage.shift_id == shift_id
            )
        ).all()
    assert held and set(held) == {"pending"}, held

    # The asks as the phones got them, in the morning.
    served.at(MORNING)
    texts = wait_until_sent(
        served,
        select(SmsMessage).where(SmsMessage.kind == "walker_call", SmsMessage.shift_id == shift_id),
    )
    assert len(texts) == len(asked)
    assert all("behöver en nattvandrare till" in t.body and "Svara JA" in t.body for t in texts)

    # Two say yes; Twilio calls our signed webhook for each, in this order.
    first, second = MEMBERS[1], MEMBERS[2]
    # The replies are TwiML, UTF-8 by its XML declaration (no charset in the Content-Type).
    yes = text_by_sms(served, first.e164, "JA", sid="SM" + "e2e-call-1".ljust(32, "0"))
    assert yes.status_code == 200
    assert f"Tack {first.name.split()[0]}! Du är med i gruppen" in yes.content.decode(), yes.content
    late = text_by_sms(served, second.e164, "ja", sid="SM" + "e2e-call-2".ljust(32, "0"))
    assert late.status_code == 200
    assert "vi är fulltaliga" in late.content.decode(), late.content

    # The leader's group: the first is in, confirmed; the second is not; no ask is open.
    keys.reload()
    assert page.get_by_role("row").filter(has_text=first.name).get_by_text("Bekräftat").is_visible()
    assert not page.get_by_role("row").filter(has_text=second.name).count()
    assert not page.locator(".call-open").count()
    screenshot(page, "leader-one-more-joined", full_page=False)
