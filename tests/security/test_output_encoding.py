"""Output encoding: a hostile name goes through every output and stays inert.

The association, a volunteer and an area are called EVIL (HTML + a spreadsheet formula), a
second association and area FORMULA (a formula at the start of the cell), and the meeting
point carries a CR/LF followed by an iCalendar property. Each output is read back the way
its consumer reads it: HTML text, SMS segments, icalendar, the e-mail parser, csv,
openpyxl, pypdf and the Content-Disposition header.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from urllib.parse import unquote

import icalendar
import openpyxl
import pypdf
import pytest

from nattvandring import clock
from nattvandring.associations.models import Association
from nattvandring.db import get_engine, session_scope
from nattvandring.exports import content_disposition
from nattvandring.mail.backends import OutgoingMail, build_mime
from nattvandring.messaging import texts
from nattvandring.messaging.gsm import is_gsm7, segments
from nattvandring.planning.models import PatrolArea
from nattvandring.sponsorship import services_runs as runs
from nattvandring.sponsorship.models import SponsorAgreement
from tests.calendars.conftest import (
    SECRET,
    assign,
    association_feed_path,
    personal_feed_path,
    personal_page_token,
)
from tests.factories import login
from tests.sponsorship.conftest import agreement, login_as, walk
from tests.support.shifts import book, make_shift

EVIL = "<script>alert(1)</script>\";=cmd|' /C calc'!A0"
FORMULA = "=cmd|' /C calc'!A0"
INJECTED = "\r\nATTENDEE:mailto:x@evil.example"
RAW = "<script>alert(1)"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def evil(app, world):  # type: ignore[no-untyped-def]
    """Hostile names, a booked shift with vol_a, approved March walks and an approved run."""
    from nattvandring.accounts.models import User

    ids = world.ids
    clock.freeze(datetime(2026, 5, 1, tzinfo=UTC))
    with app.app_context(), session_scope(get_engine(app)) as session:
        session.get(Association, ids["assoc_a"]).name = EVIL
        session.get(Association, ids["assoc_c"]).name = FORMULA
        session.get(User, ids["vol_a"]).name = EVIL
        area = session.get(PatrolArea, ids["area_h"])
        area.name, area.meeting_point = EVIL, "Torget" + INJECTED + " " + EVIL
        session.get(PatrolArea, ids["area_b"]).name = FORMULA
        shift = make_shift(
            session, municipality_id=ids["hassleholm"], area_id=ids["area_h"], day=date(2026, 6, 5)
        )
        booking = book(session, shift, ids["assoc_a"])
        assign(session, booking, ids["vol_a"])
        ids["shift"], ids["booking"] = shift.id, booking.id
        deal = agreement(session, world, enrol=("assoc_a", "assoc_c"))
        deal.name = EVIL
        for key, muni, area_key in (
            ("assoc_a", "hassleholm", "area_h"),
            ("assoc_c", "bjuv", "area_b"),
        ):
            walk(
                session,
                association_id=ids[key],
                municipality_id=ids[muni],
                area_id=ids[area_key],
                evening=date(2026, 3, 6),
                birth_years=[1980, 1981, 1982],
                recorded_at=datetime(2026, 3, 10, tzinfo=UTC),
            )
        run = runs.create_run(
            session,
            agreement=deal,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
            actor_id=None,
        )
        runs.approve(session, run=run, agreement=deal, actor_id=ids["admin"])
        session.flush()
        ids["run"], ids["agreement"] = run.id, deal.id
        world.paths = {  # type: ignore[attr-defined]
            "personal_feed": personal_feed_path(session, ids["vol_a"]),
            "association_feed": association_feed_path(session, ids["assoc_a"]),
            "personal_page": f"/me/{personal_page_token(session, ids['vol_a'])}",
        }
    assert app.config["SECRET_KEY"] == SECRET
    return world


def _html_pages(ids, paths):  # type: ignore[no-untyped-def]
    a, h = ids["assoc_a"], ids["hassleholm"]
    return {
        "leader_a": [
            f"/associations/{a}",
            f"/members/{a}/",
            f"/members/{a}/{ids['vol_a']}",
            f"/booking/bookings/{ids['booking']}/roster",
            f"/booking/{a}/bookings",
            "/sponsorship/statement",
        ],
        "coord_h": [
            f"/planning/{h}/areas",
            f"/planning/areas/{ids['area_h']}/edit",
            f"/planning/shifts/{ids['shift']}/edit",
            "/associations",
            "/lagesbild?from=2026-01-01&to=2026-12-31",
        ],
        "liaison": [
            f"/sponsorship/runs/{ids['run']}",
            "/sponsorship/?start=2026-01-01&end=2026-12-31",
        ],
        None: [paths["personal_page"]],
    }


def test_html_pages_escape_the_name(app, evil):  # type: ignore[no-untyped-def]
    for actor, urls in _html_pages(evil.ids, evil.paths).items():
        client = app.test_client()
        if actor:
            login(client, evil.emails[actor])
        for url in urls:
            response = client.get(url)
            html = response.get_data(as_text=True)
            assert response.status_code == 200, url
            assert RAW not in html, url
            assert ESCAPED in html, url


SMS_CONTEXT = {
    "name": EVIL,
    "volunteer": EVIL,
    "association": EVIL,
    "area": EVIL + " " + "Ö" * 80,
    "meeting_point": "Torget" + INJECTED + " " + EVIL * 3,
    "date": "fre 5 juni",
    "due_date": "fre 12 juni",
    "start": "21:00",
    "end": "01:00",
    "count": 2,
    "minimum": 3,
    "base_url": "https://nattvandring.example",
    "personal_url": "https://nattvandring.example/me/" + "t" * 43,
    "ics_url": "https://nattvandring.example/walks/1.ics",
}


def test_sms_texts_are_gsm_friendly_and_fit_two_segments(app):  # type: ignore[no-untyped-def]
    folder = Path(app.root_path, app.template_folder or "templates", "sms", "sv")
    kinds = sorted(path.stem for path in folder.glob("*.txt"))
    assert "confirmation" in kinds and len(kinds) > 10
    with app.test_request_context():
        for language in ("sv", "en"):
            for kind in kinds:
                text = texts.render(kind, language, SMS_CONTEXT)
                assert segments(text) <= texts.MAX_SEGMENTS, (kind, language, text)
                assert "\r" not in text and "\n" not in text, kind
                assert "&lt;" not in text and "&#34;" not in text, kind  # not HTML-escaped
                assert is_gsm7(text), (kind, text)


def _assert_folded(body: bytes) -> None:
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line


def test_ical_feeds_escape_and_fold(app, evil):  # type: ignore[no-untyped-def]
    client = app.test_client()
    for path in (evil.paths["personal_feed"], evil.paths["association_feed"]):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data()
        _assert_folded(body)
        calendar = icalendar.Calendar.from_ical(body)
        events = {
            int(str(e["UID"]).split("-")[1].split("@")[0]): e for e in calendar.walk("VEVENT")
        }
        event = events[evil.ids["shift"]]
        assert "ATTENDEE" not in event, path
        location = str(event.get("LOCATION"))
        assert EVIL in location and "\r" not in location and "\n" not in location
        assert EVIL in str(event.get("SUMMARY")) + str(event.get("DESCRIPTION"))


def test_mail_headers_cannot_be_injected(app):  # type: ignore[no-untyped-def]
    mail = OutgoingMail(
        to_address="kim@example.org",
        to_name=EVIL + "\r\nBcc: victim@example.org",
        subject="Inbjudan " + EVIL + "\r\nX-Injected: yes",
        body_text="Hej " + EVIL + "\r\nBcc: not-a-header@example.org\n",
    )
    raw = build_mime(mail, sender="Nattvandring <noreply@example.org>").as_bytes()
    parsed = message_from_bytes(raw, policy=email_policy.default)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert [addr.addr_spec for addr in parsed["To"].addresses] == ["kim@example.org"]
    assert parsed["To"].addresses[0].display_name.startswith("<script>alert(1)</script>")
    assert "Inbjudan <script>" in str(parsed["Subject"])
    assert EVIL in parsed.get_content()


def test_invitation_mail_from_the_form_stays_one_header(app, world, db):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from nattvandring.mail.models import EmailMessage

    client = app.test_client()
    login(client, world.emails["admin"])
    response = client.post(
        f"/municipalities/{world.ids['hassleholm']}/coordinators",
        data={"name": EVIL + "\r\nBcc: victim@example.org", "email": "ny@example.org"},
    )
    assert response.status_code < 500
    db.rollback()
    for row in db.exec(select(EmailMessage)).all():
        mail = OutgoingMail(row.to_address, row.to_name, row.subject, row.body_text)
        parsed = message_from_bytes(build_mime(mail, sender="a@example.org").as_bytes())
        assert parsed["Bcc"] is None


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def _assert_disposition(header: str, ext: str) -> None:
    assert "\r" not in header and "\n" not in header
    match = re.fullmatch(
        r'attachment; filename="([A-Za-z0-9._-]+)"(?:; filename\*=UTF-8\'\'(\S+))?', header
    )
    assert match, header
    assert match.group(1).endswith("." + ext)
    if match.group(2):
        assert unquote(match.group(2)).endswith("." + ext)


@pytest.mark.parametrize(("actor", "first_cell"), [("coord_h", EVIL), ("coord_b", "'" + FORMULA)])
def test_lagesbild_exports_neutralize_cells(app, evil, actor, first_cell):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, evil.emails[actor])
    query = "?from=2026-01-01&to=2026-12-31"
    response = client.get("/lagesbild.csv" + query)
    assert response.status_code == 200
    _assert_disposition(response.headers["Content-Disposition"], "csv")
    rows = _csv(response.get_data())
    assert rows[1][0] == first_cell
    xlsx = client.get("/lagesbild.xlsx" + query)
    _assert_disposition(xlsx.headers["Content-Disposition"], "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    assert list(sheet.iter_rows(values_only=True))[1][0] == first_cell


def test_sponsorship_exports_pdf_and_filenames(app, evil):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login_as(client, evil.emails["liaison"])
    run_id = evil.ids["run"]
    csv_response = client.get(f"/sponsorship/runs/{run_id}/export.csv")
    _assert_disposition(csv_response.headers["Content-Disposition"], "csv")
    disposition = csv_response.headers["Content-Disposition"]
    assert "script" in unquote(disposition.split("filename*=UTF-8''")[1])
    names = {row[0] for row in _csv(csv_response.get_data())[1:]}
    assert names == {EVIL, "'" + FORMULA}
    xlsx = client.get(f"/sponsorship/runs/{run_id}/export.xlsx")
    _assert_disposition(xlsx.headers["Content-Disposition"], "xlsx")
    values = list(
        openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active.iter_rows(values_only=True)
    )
    assert {row[0] for row in values[1:-1]} == {EVIL, "'" + FORMULA}
    summary = client.get("/sponsorship/summary.csv?start=2026-01-01&end=2026-12-31")
    assert {row[0] for row in _csv(summary.get_data())[1:]} >= {EVIL, "'" + FORMULA}
    summary_xlsx = client.get("/sponsorship/summary.xlsx?start=2026-01-01&end=2026-12-31")
    _assert_disposition(summary_xlsx.headers["Content-Disposition"], "xlsx")
    pdf = client.get(f"/sponsorship/runs/{run_id}/export.pdf")
    assert pdf.status_code == 200
    _assert_disposition(pdf.headers["Content-Disposition"], "pdf")
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.get_data())).pages
    )
    assert "alert(1)" in text and "cmd|" in text


def test_every_other_download_names_its_file_the_same_safe_way(app, evil):  # type: ignore[no-untyped-def]
    """The walk's .ics and the personal data export (their names hold no user text today,
    but they go through the same helper as the exports above)."""
    client = app.test_client()
    walk = client.get(f"/walks/{evil.ids['shift']}.ics")
    _assert_disposition(walk.headers["Content-Disposition"], "ics")
    export = client.get(evil.paths["personal_page"] + "/privacy/export.json")
    assert export.status_code == 200
    _assert_disposition(export.headers["Content-Disposition"], "json")


def test_no_view_writes_a_content_disposition_by_hand():
    package = Path(__file__).resolve().parents[2] / "nattvandring"
    helper = package / "exports.py"
    by_hand = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path != helper and "attachment; filename" in path.read_text(encoding="utf-8")
    ]
    assert by_hand == [], "use nattvandring.exports.content_disposition"


@pytest.mark.parametrize(
    "name",
    [
        EVIL + ".csv",
        'a"b\r\nSet-Cookie: x=1.csv',
        "Ödegärdet – vår/höst\\2026.pdf",
        "\x00.xlsx",
        "",
    ],
)
def test_content_disposition_is_safe_for_any_name(name):  # type: ignore[no-untyped-def]
    header = content_disposition(name)
    header.encode("latin-1")  # a valid header value
    assert "\r" not in header and "\n" not in header
    fallback = re.match(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S*)$', header)
    assert fallback, header
    assert re.fullmatch(r"[A-Za-z0-9._-]+", fallback.group(1))
    assert "/" not in unquote(fallback.group(2)) and "\\" not in unquote(fallback.group(2))


def test_agreement_name_is_escaped_on_its_page(app, evil, db):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, evil.emails["admin"])
    deal = db.get(SponsorAgreement, evil.ids["agreement"])
    assert deal.name == EVIL
    html = client.get(f"/sponsorship/agreements/{deal.id}/edit").get_data(as_text=True)
    assert RAW not in html and "&lt;script&gt;" in html
