"""The journeys that matter, in production mode over HTTPS, behind nginx and with gunicorn's
own TLS: a leader logs in and books a night, a volunteer answers on the personal page the
SMS links to, the sponsor downloads the hours and a payout; a POST from another site is
refused. Every step posts a form, as Chromium does under our Referrer-Policy.

The clock is the real one (production refuses the test clock) and the demo's nights follow
today's date, so nothing here names a date: the journey books the first open night.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from datetime import date, timedelta

from playwright.sync_api import Browser, Locator, Page, Response
from sqlmodel import select

from nattvandring.accounts.models import Membership, Role, User
from nattvandring.associations.models import Association
from nattvandring.booking.models import Assignment, AssignmentStatus
from nattvandring.booking.services_roster import other_shifts_of
from nattvandring.clock import to_local, utcnow
from nattvandring.db import session_scope
from nattvandring.demo import DEMO_PASSWORD
from nattvandring.demo.loader import demo_logins
from nattvandring.messaging.models import SmsMessage
from nattvandring.planning.models import Shift
from nattvandring.sponsorship.models import SponsorAgreement

from ..deployed import Deployed
from ..story import AGREEMENT, links_in, log_in
from ..test_5_sponsor import xlsx_checks_out

LOGINS = dict(demo_logins())
SMS_WAIT_SECONDS = 60
CROSS_SITE = "Formuläret skickades från en annan webbplats"
ATTACKER = "https://angripare.example"


@dataclass(frozen=True)
class Journey:
    leader: str  # the leader's e-mail
    association: str


# Each deployment with its own association: they share the demo database.
JOURNEYS = {
    "nginx": Journey(LOGINS["leader (IFK Hässleholm)"], "IFK Hässleholm"),
    "gunicorn": Journey(LOGINS["leader (Bjuvs IF)"], "Bjuvs IF"),
}


@dataclass
class Seen:
    """Every page (document) the browser got: address, status and its HSTS header."""

    pages: list[tuple[str, int, str | None]]

    @classmethod
    def on(cls, page: Page) -> Seen:
        seen = cls([])

        def record(response: Response) -> None:
            if response.request.resource_type == "document":
                hsts = response.headers.get("strict-transport-security")
                seen.pages.append((response.url, response.status, hsts))

        page.on("response", record)
        return seen

    def all_https(self, deployed: Deployed) -> None:
        assert self.pages
        for url, status, hsts in self.pages:
            assert url.startswith(deployed.base_url + "/"), url
            assert status < 400, (url, status)
            assert hsts and hsts.startswith("max-age="), (url, hsts)


def assert_secure_session(page: Page, deployed: Deployed) -> None:
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies(deployed.base_url)}
    session = cookies["nv_session"]
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax", session


def wait_for_sent_sms(deployed: Deployed, *, user_id: int, shift_id: int) -> dict:
    """The confirmation SMS as the fake Twilio got it from the worker."""
    deadline = time.monotonic() + SMS_WAIT_SECONDS
    while True:
        with session_scope(deployed.engine, write=False) as session:
            row = session.exec(
                select(SmsMessage).where(
                    SmsMessage.user_id == user_id,
                    SmsMessage.shift_id == shift_id,
                    SmsMessage.kind == "confirmation",
                )
            ).first()
            sid = row.twilio_sid if row is not None and row.status == "sent" else None
        if sid is not None:
            break
        assert time.monotonic() < deadline, f"no confirmation sent within {SMS_WAIT_SECONDS} s"
        time.sleep(0.5)
    (message,) = [m for m in deployed.twilio.messages if m["sid"] == sid]
    return message


def first_night_a_day_ahead(deployed: Deployed, nights: Locator) -> tuple[Locator, int]:
    """The first of ``nights`` (booking-calendar rows) whose shift starts a day from now or
    later, with its shift id."""
    with session_scope(deployed.engine, write=False) as session:
        for index in range(nights.count()):
            night = nights.nth(index)
            href = night.locator("a[href*='/shifts/']").get_attribute("href") or ""
            shift_id = int(href.rstrip("/").rsplit("/", 1)[-1])
            shift = session.get(Shift, shift_id)
            assert shift is not None
            if shift.start_at >= utcnow() + timedelta(days=1):
                return night, shift_id
    raise AssertionError("no open night starts a day from now or later")


def free_member(deployed: Deployed, journey: Journey, shift_id: int) -> tuple[int, str]:
    """A volunteer of the association with no walk at that time: id and roster label."""
    with session_scope(deployed.engine, write=False) as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        members = session.exec(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .join(Association, Association.id == Membership.association_id)
            .where(Association.name == journey.association, Membership.role == Role.VOLUNTEER)
            .where(User.birth_year != None)  # noqa: E711 - the leader gives no birth year
            .order_by(User.name)
        ).all()
        for user in members:
            if not other_shifts_of(session, user.id, shift):
                return user.id, f"{user.name} ({user.birth_year})"
    raise AssertionError(f"every member of {journey.association} walks elsewhere that night")


def assignment_status(deployed: Deployed, shift_id: int, user_id: int) -> str:
    with session_scope(deployed.engine, write=False) as session:
        return session.exec(
            select(Assignment.status).where(
                Assignment.shift_id == shift_id, Assignment.user_id == user_id
            )
        ).one()


def test_a_leader_books_a_night_and_the_volunteer_confirms_from_the_sms(deployed, people):
    journey = JOURNEYS[deployed.tls]
    keys = people.phone()
    page = keys.page
    seen = Seen.on(page)
    log_in(keys, deployed, journey.leader)
    assert_secure_session(page, deployed)

    # The first open night that starts tomorrow or later (the clock is real: a night about to
    # start would let its confirmation expire before the worker sends it).
    menu = page.get_by_role("navigation", name="Huvudmeny")
    keys.follow(menu.get_by_role("link", name="Boka pass"))
    assert journey.association in page.get_by_role("heading", level=1).inner_text()
    open_nights = page.locator("li.shift-item").filter(has=page.get_by_role("button", name="Boka"))
    night, shift_id = first_night_a_day_ahead(deployed, open_nights)
    keys.follow(night.get_by_role("button", name="Boka"))
    assert page.get_by_text("Passet är bokat.").is_visible()

    # The group: a member who walks nowhere else that night.
    user_id, label = free_member(deployed, journey, shift_id)
    keys.tick(page.get_by_label(label, exact=True))
    keys.follow(page.get_by_role("button", name="Lägg till valda"))
    assert page.get_by_text("Nattvandraren är tillagd i gruppen.").is_visible()
    assert assignment_status(deployed, shift_id, user_id) == AssignmentStatus.ASSIGNED
    seen.all_https(deployed)

    # The worker sends the confirmation; its links are the public HTTPS address.
    sms = wait_for_sent_sms(deployed, user_id=user_id, shift_id=shift_id)
    personal, ics = links_in(sms["body"])
    assert personal.startswith(deployed.url("/me/")), sms["body"]
    assert ics == deployed.url(f"/walks/{shift_id}.ics")
    (created,) = [
        r for r in deployed.twilio.created_requests() if r.form.get("Body") == sms["body"]
    ]
    assert created.form["StatusCallback"] == deployed.url("/webhooks/twilio/status")

    # The volunteer taps the link in the SMS and confirms.
    volunteer = people.phone()
    their_page = volunteer.page
    their_seen = Seen.on(their_page)
    volunteer.open(personal)
    walk = their_page.locator("ul.walk-list > li").filter(
        has=their_page.locator(f"a[href$='/walks/{shift_id}.ics']")
    )
    assert walk.get_by_text("Väntar på ditt svar").is_visible()
    volunteer.follow(walk.get_by_role("button", name="Jag kommer"))
    assert walk.get_by_text("Bekräftat").is_visible()
    assert assignment_status(deployed, shift_id, user_id) == AssignmentStatus.CONFIRMED
    their_seen.all_https(deployed)


def _half_of_the_year(deployed: Deployed) -> tuple[date, date]:
    """The agreement's days so far, halved: nginx pays the first half, gunicorn the second
    (runs of one agreement may not overlap, and the deployments share the database)."""
    with session_scope(deployed.engine, write=False) as session:
        agreement = session.exec(
            select(SponsorAgreement).where(SponsorAgreement.name == AGREEMENT)
        ).one()
        first = agreement.valid_from
    today = to_local(utcnow()).date()
    middle = first + timedelta(days=(today - first).days // 2)
    if deployed.tls == "nginx":
        return first, middle
    return middle + timedelta(days=1), max(today, middle + timedelta(days=1))


def test_the_sponsor_downloads_the_hours_and_a_payout(deployed, people, tmp_path):
    keys = people.desktop()
    page = keys.page
    seen = Seen.on(page)
    log_in(keys, deployed, LOGINS["sponsor liaison"])
    assert_secure_session(page, deployed)
    menu = page.get_by_role("navigation", name="Huvudmeny")

    # The hours, as a CSV for Swedish Excel.
    keys.follow(menu.get_by_role("link", name="Sponsring"))
    download = keys.download(page.get_by_role("link", name="CSV för svensk Excel"))
    assert download.suggested_filename.startswith("timmar-")
    assert download.url.startswith(deployed.base_url + "/")
    text = download.path().read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # the BOM Swedish Excel needs
    header, *_rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert "Förening" in header, header

    # A payout run (a form) and its Excel file, whose totals add up.
    first, last = _half_of_the_year(deployed)
    keys.follow(menu.get_by_role("link", name="Utbetalningar"))
    keys.follow(page.get_by_role("link", name=AGREEMENT))
    keys.date(page.get_by_label("Period från"), first)
    keys.date(page.get_by_label("Period till"), last)
    keys.follow(page.get_by_role("button", name="Beräkna utbetalning"))
    assert page.get_by_text("Utbetalningen är beräknad som utkast.").is_visible()
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[-1])
    xlsx_checks_out(keys, tmp_path, run_id, deployed)
    seen.all_https(deployed)


def test_a_post_from_another_site_is_refused(deployed, browser: Browser):
    """A page on another site posts our login form (with a token it somehow got) from a
    browser that has our site open: Chromium marks it cross-site and it is refused."""
    context = browser.new_context(ignore_https_errors=True, locale="sv-SE")
    try:
        ours = context.new_page()
        ours.goto(deployed.url("/login"))
        token = ours.locator("input[name=csrf_token]").first.input_value()
        form = f"""<!doctype html><html lang="sv"><title>Vinn en resa</title>
<form method="post" action="{deployed.url("/login")}">
<input type="hidden" name="csrf_token" value="{token}">
<input type="hidden" name="email" value="{JOURNEYS[deployed.tls].leader}">
<input type="hidden" name="password" value="gissat">
<button>Vinn</button></form></html>"""
        attack = context.new_page()
        attack.route(
            f"{ATTACKER}/**",
            lambda route: route.fulfill(status=200, content_type="text/html", body=form),
        )
        attack.goto(f"{ATTACKER}/vinn")
        attack.unroute(f"{ATTACKER}/**")  # the POST goes out as Chromium sends it
        with attack.expect_navigation() as navigation:
            attack.get_by_role("button", name="Vinn").click()
        answer = navigation.value
        assert answer is not None and answer.status == 400
        assert answer.request.all_headers().get("sec-fetch-site") == "cross-site"
        assert CROSS_SITE in attack.content()
    finally:
        context.close()

    # Without Fetch Metadata (an older browser), the Origin decides, as the proxy forwarded
    # scheme, host and port: another site's is refused, ours passes with the token.
    with deployed.http() as http:
        page = http.get(deployed.url("/login"), timeout=10)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        assert token is not None
        form_data = {
            "email": JOURNEYS[deployed.tls].leader,
            "password": DEMO_PASSWORD,
            "csrf_token": token[1],
        }
        login = deployed.url("/login")
        refused = http.post(
            login, data=form_data, headers={"Origin": ATTACKER}, allow_redirects=False, timeout=10
        )
        assert refused.status_code == 400 and CROSS_SITE in refused.text
        accepted = http.post(
            login,
            data=form_data,
            headers={"Origin": deployed.base_url},
            allow_redirects=False,
            timeout=10,
        )
        assert accepted.status_code == 302, accepted.text
        assert "Secure" in accepted.headers["Set-Cookie"]
        assert accepted.headers["Strict-Transport-Security"].startswith("max-age=")
