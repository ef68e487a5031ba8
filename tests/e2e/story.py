"""The season the journeys tell, the people in it, and what one journey hands the next.

Spring 2026 in Hässleholm (demo data): the coordinator plans a new area for the season, IFK
Hässleholm books Friday 10 April there and staffs it, a volunteer confirms, then declines by
SMS, the walk is reported and approved, and the insurer pays for it.
"""

from __future__ import annotations

import re
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pytest
import requests
from sqlmodel import select
from twilio.request_validator import RequestValidator

from nattvandring import stable_links
from nattvandring.accounts.models import TokenPurpose
from nattvandring.clock import STOCKHOLM
from nattvandring.db import session_scope
from nattvandring.demo import DEMO_PASSWORD
from nattvandring.messaging.models import SmsMessage
from nattvandring.messaging.texts import LINK_MARKER, personal_url

from .browser import browser_tests_required
from .keyboard import Keyboard
from .served import SECRET, TWILIO_TOKEN, Served

COORDINATOR = "samordnare.hassleholm@demo.nattvandring.se"
LEADER = "karin.lindqvist@demo.nattvandring.se"
SPONSOR = "sponsor@demo.nattvandring.se"
MUNICIPALITY = "Hässleholm"
ASSOCIATION = "IFK Hässleholm"
AGREEMENT = "Trygghetsvandring Hässleholm och Bjuv"

AREA = "Norra station"
MEETING_POINT = "Hässleholm Norra, vid cykelparkeringen"
MEETING_AT = ("56.1612", "13.7655")  # the meeting point's latitude and longitude
EQUIPMENT = "Västar och första hjälpen-väska finns i cykelgaraget. Ta med ficklampa."
SEASON = (date(2026, 4, 1), date(2026, 6, 13))
NIGHT = (time(21, 0), time(1, 0))
VALBORG = date(2026, 4, 30)  # a Thursday in 2026: an extra night, not a regular one
FRIDAY = date(2026, 4, 10)  # the walk
SATURDAY = date(2026, 4, 11)  # booked, then cancelled before the deadline
# Saturday morning after the walk: the report is due, the payout can be run.
AFTER_THE_WALK = datetime(2026, 4, 11, 11, 0, tzinfo=STOCKHOLM)
# Monday morning: the insurer's office runs the payout (after the approval, as in real time:
# a run counts what was approved strictly before it).
PAYOUT_DAY = datetime(2026, 4, 13, 9, 0, tzinfo=STOCKHOLM)


@dataclass(frozen=True)
class Member:
    name: str
    mobile: str  # as typed in the club's register
    e164: str
    birth_year: int


# From PTS's range reserved for fiction (070-174 06 05 ... 99); the demo uses 605-674.
MEMBERS = (
    Member("Britt Åström", "070-174 06 90", "+46701740690", 1979),
    Member("Goran Đukić", "0701740691", "+46701740691", 1984),
    Member("Noor Haddad", "+46 70 174 06 92", "+46701740692", 1990),
    Member("Tove Lind", "070 174 06 93", "+46701740693", 1972),
)
# A member the import takes, with a warning: too young to walk in 2026 (the area asks for 18),
# so the group picker shows her greyed out with the reason.
YOUNG = Member("Ella Ung", "070-174 06 94", "+46701740694", 2010)
# A row the import must refuse, to show an error in the preview.
BAD_ROW = ("Kalle Kort", "12345", "kalle@example.org", "2011")


def members_csv() -> str:
    """What a club's member register exports: semicolons, Swedish headers."""
    lines = ["Namn;Mobil;E-post;Födelseår"]
    lines += [f"{m.name};{m.mobile};;{m.birth_year}" for m in (*MEMBERS, YOUNG)]
    lines.append(";".join(BAD_ROW))
    return "\n".join(lines) + "\n"


@dataclass
class Story:
    """Filled in by each journey as it succeeds. A later journey whose part is missing
    skips when run alone, and fails in CI, where the whole story always runs."""

    area_id: int | None = None
    shifts_created: int | None = None
    booking_id: int | None = None
    cancelled_booking_id: int | None = None
    walk_shift_id: int | None = None
    walker_ids: dict[str, int] = field(default_factory=dict)  # member name -> user id
    decliner: str | None = None
    report_id: int | None = None

    def need(self, *names: str) -> None:
        for name in names:
            if getattr(self, name):
                continue
            missing = f"needs `{name}` from an earlier journey"
            if browser_tests_required():
                pytest.fail(f"{missing}, which failed or did not record it")
            pytest.skip(f"{missing}: run tests/e2e as a whole")


def log_in(keys: Keyboard, served: Served, email: str, *, first_wrong: bool = False) -> None:
    """Type the login page's address, then log in with the keyboard only."""
    page = keys.page
    keys.open(served.url("/login"))
    email_field = page.get_by_label("E-post")
    password = page.get_by_label("Lösenord")
    if first_wrong:
        keys.type(email_field, email)
        keys.type(password, "inte-mitt-losenord")
        keys.follow(page.get_by_role("button", name="Logga in"))
        assert_field_error(keys, password, "Fel e-post eller lösenord.")
    keys.type(email_field, email)
    keys.type(password, DEMO_PASSWORD)
    keys.follow(page.get_by_role("button", name="Logga in"))
    logged_in = page.get_by_role("navigation", name="Huvudmeny").is_visible()
    assert logged_in, f"not logged in at {page.url}: {page.inner_text('main')[:300]}"


def assert_field_error(keys: Keyboard, target, message: str | None) -> None:
    """The field is marked invalid and one of its descriptions is the (visible) error."""
    assert target.get_attribute("aria-invalid") == "true"
    described = (target.get_attribute("aria-describedby") or "").split()
    errors = [keys.page.locator(f"#{ident}") for ident in described]
    texts = [
        e.inner_text().strip() for e in errors if "error-text" in (e.get_attribute("class") or "")
    ]
    assert texts, f"no error message among the field's descriptions {described}"
    assert message is None or any(message in text for text in texts), (message, texts)


def sent_sms(served: Served, user_id: int, kind: str) -> str:
    """The text of ``kind`` SMS as the volunteer's phone got it: the stored body with the
    personal link the worker put in at send time (derived from SECRET_KEY, never stored)."""
    with session_scope(served.engine) as session:
        message = session.exec(
            select(SmsMessage)
            .where(SmsMessage.user_id == user_id, SmsMessage.kind == kind)
            .order_by(SmsMessage.id.desc())
        ).first()
        assert message is not None, f"no {kind} SMS to user {user_id}"
        assert message.status == "sent", (kind, message.status)
        link = personal_url(
            served.base_url,
            stable_links.stable_link(
                session, TokenPurpose.PERSONAL_PAGE, secret_key=SECRET, user_id=user_id
            ),
        )
        return message.body.replace(LINK_MARKER, link)


def wait_until_sent(served: Served, query, seconds: float = 90) -> list[SmsMessage]:
    """The messages ``query`` selects, once the worker has sent them all (it polls every
    second through the console backend)."""
    deadline = clock.monotonic() + seconds
    while True:
        with session_scope(served.engine, write=False) as session:
            found = list(session.exec(query).all())
            for message in found:
                session.expunge(message)
        if found and all(m.status == "sent" for m in found):
            return found
        assert clock.monotonic() < deadline, [(m.kind, m.user_id, m.status) for m in found]
        clock.sleep(1)


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def text_by_sms(served: Served, from_e164: str, body: str, sid: str) -> requests.Response:
    """What Twilio does when a volunteer answers: a signed POST to the inbound webhook."""
    url = served.url("/webhooks/twilio/inbound")
    params = {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": from_e164,
        "To": "+46766861004",
        "Body": body,
        "NumMedia": "0",
    }
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(url, params)
    with requests.Session() as http:
        http.trust_env = False
        return http.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": signature, "I-Twilio-Idempotency-Token": sid},
            timeout=10,
        )
