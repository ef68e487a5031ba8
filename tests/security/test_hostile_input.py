"""Hostile input: random and nasty values posted to every form never cause a 500.

For each form a valid base submission is mutated field by field with hostile values (very
long strings, control characters, HTML/JS, SQL-looking text, impossible dates, a time in the
DST gap, negative and huge numbers). Every answer must be < 500; a rejection (4xx, or a page
showing a field error) must leave every table byte-for-byte unchanged and, for 422/400, show
the error next to a field (``error-text``) or as a flashed error.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel

from nattvandring import tokens
from nattvandring.accounts.models import TokenPurpose
from nattvandring.db import get_engine
from tests.conftest import make_test_app
from tests.factories import build_world, login, org_number
from tests.reports.conftest import make_walk
from tests.sponsorship.conftest import agreement

HOSTILE_VALUES = [
    "",
    " ",
    "x" * 5000,
    "é" * 70_000,
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "\x1b[31m\x07\x08\t\v\f",
    "\u202eevil\u200b\ufeff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "1; DROP TABLE user;--",
    "%s%s%n{0}{{7*7}}",
    "=cmd|' /C calc'!A0",
    "2026-02-30",
    "2027-03-28",
    "0000-00-00",
    "99999-12-31",
    "02:30",
    "24:00",
    "25:61",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "١٢٣",
    "0x10",
    "😀" * 50,
]

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
hostile = st.one_of(st.sampled_from(HOSTILE_VALUES), _text)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def db_fingerprint(app) -> dict[str, tuple[int, str]]:  # type: ignore[no-untyped-def]
    """Row count and a hash of every row, per table."""
    result = {}
    with get_engine(app).connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            rows = connection.execute(sa_select(table)).all()
            digest = hashlib.sha256(repr(sorted(map(repr, rows))).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
    return result


@pytest.fixture
def fuzz_app(tmp_path):  # type: ignore[no-untyped-def]
    """The CSRF-disabled test app with generous rate limits (they are tested elsewhere).

    Not RATELIMIT_ENABLED=False: the Limiter is one shared object and would stay disabled
    for the apps of later tests in the same process.
    """
    app = make_test_app(
        tmp_path,
        RATELIMIT_LOGIN="10000 per minute",
        RATELIMIT_PUBLIC_FORMS="10000 per hour",
        RATELIMIT_WEBHOOKS="10000 per minute",
    )
    yield app
    get_engine(app).dispose()


@pytest.fixture
def setup(fuzz_app):  # type: ignore[no-untyped-def]
    """The world plus a booked walk with a draft report and an agreement with a run."""
    from nattvandring.db import session_scope

    with fuzz_app.app_context(), session_scope(get_engine(fuzz_app)) as session:
        world = build_world(session)
        ids = world.ids
        walk = make_walk(
            session,
            municipality_id=ids["hassleholm"],
            area_id=ids["area_h"],
            association_id=ids["assoc_a"],
            day=date(2026, 3, 6),
            walkers=(ids["vol_a"], ids["vol_a2"]),
        )
        ids["shift"] = walk.shift.id  # type: ignore[assignment]
        ids["booking"] = walk.booking.id  # type: ignore[assignment]
        deal = agreement(session, world)
        ids["agreement"] = deal.id  # type: ignore[assignment]
        world.tokens = {  # type: ignore[attr-defined]
            "reset": tokens.issue(
                session, TokenPurpose.PASSWORD_RESET, user_id=ids["leader_b"], ttl=timedelta(1)
            ),
            "personal": tokens.issue(session, TokenPurpose.PERSONAL_PAGE, user_id=ids["vol_a2"]),
        }
    return fuzz_app, world


def _short(data):  # type: ignore[no-untyped-def]
    return {k: (v[:60] + f"...({len(v)})" if len(v) > 60 else v) for k, v in data.items()}


def _main(html: str) -> str:
    start = html.find("<main")
    return html[start : start + 1500]


def post_and_check(app, client, url, data, *, logged_in=True, notices=(), ok_rejected=()):  # type: ignore[no-untyped-def]
    before = db_fingerprint(app)
    response = client.post(url, data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code < 500, (url, _short(data))
    field_error = 'class="error-text"' in html or "flash-error" in html
    field_error = field_error or any(notice in html for notice in notices)
    rejected = response.status_code >= 400 or field_error
    if rejected:
        status = response.status_code
        assert 400 <= status < 500 or status in ok_rejected, (url, status, _short(data))
        if status == 400 and any("\x00" in value for value in data.values()):
            # NUL is refused for the whole request (web/errors.py): PostgreSQL cannot store it.
            assert "Felaktig begäran" in html, (url, _short(data))
        elif status in (400, 422):
            assert field_error, (url, response.status_code, _short(data), _main(html))
        after = db_fingerprint(app)
        changed = {t for t in before if before[t] != after[t]}
        assert not changed, (url, changed, _short(data))
    elif logged_in and response.status_code == 302:
        assert "/login" not in response.headers["Location"], (url, _short(data))
    return response


def mutations(base: dict[str, str]):  # type: ignore[no-untyped-def]
    """The base submission with any subset of its fields replaced by hostile values."""
    return st.fixed_dictionaries(
        {key: st.one_of(st.just(value), hostile) for key, value in base.items()}
    )


def fuzz_form(app, client, url, base, **options) -> set[int]:  # type: ignore[no-untyped-def]
    """Run the examples; returns the statuses seen (so a test can tell it reached the form)."""
    seen: set[int] = set()

    @FUZZ
    @given(data=mutations(base))
    def run(data):  # type: ignore[no-untyped-def]
        seen.add(post_and_check(app, client, url, data, **options).status_code)

    run()
    return seen


def client_for(app, world, key):  # type: ignore[no-untyped-def]
    client = app.test_client()
    if key:
        assert login(client, world.emails[key]).status_code == 302
    return client


ASSOCIATION = {
    "name": "Nya föreningen",
    "org_number": org_number(4242),
    "account_type": "bankgiro",
    "account_number": "5050-1055",
    "contact_name": "Kim",
    "contact_email": "kim@example.org",
    "contact_phone": "070-123 45 67",
}
PASSWORDS = {"new_password": "another-long-password", "confirm": "another-long-password"}
AGREEMENT = {
    "name": "Trygghetsvandring",
    "valid_from": "2026-01-01",
    "valid_to": "2026-02-30",
    "budget": "75 000",
    "cap": "1500,50",
    "kind": "per_walk",
    "amount": "1 500",
    "packages": "10:12 000",
    "min_walkers": "3",
    "min_age": "18",
}
TIMES = {"day": "2027-03-27", "start_time": "22:00", "end_time": "02:30"}
REPORT = {
    "young_people_met": "25",
    "summary": "Lugnt",
    "walkers-0-user_id": "0",
    "walkers-0-walked": "y",
    "walkers-0-start": "22:00",
    "walkers-0-end": "03:00",
    "add_walker": "0",
    "add_start": "23:00",
    "add_end": "02:30",
    "incidents-0-category": "vandalism",
    "incidents-0-what": "Klotter",
    "incidents-0-place": "Busstationen",
    "places-0-what": "Trasig belysning",
    "places-0-place": "Gångtunneln",
    "places-0-latitude": "56,1589",
    "places-0-longitude": "13.7668",
    "save": "Spara utkast",
}


def _forms(ids, raw):  # type: ignore[no-untyped-def]
    """name -> (actor, url, a valid submission); actor None is the anonymous public."""
    h, a = ids["hassleholm"], ids["assoc_a"]
    area = {
        "name": "Stationen",
        "meeting_point": "Resecentrum",
        "latitude": "56.156",
        "longitude": "13.764",
        "description": "Runt stationen",
        "default_start": "21:00",
        "default_end": "01:00",
        "default_min_walkers": "3",
        "default_max_walkers": "6",
        "min_age": "18",
        "active": "y",
    }
    series = {"name": "Våren", "area_ids": str(ids["area_h"]), "weekdays": "5"}
    series |= {"start_date": "2027-03-20", "end_date": "2027-04-03", "start_time": "21:00"}
    series |= {"end_time": "01:00", "min_walkers": "3", "max_walkers": "", "min_age": "18"}
    report = REPORT | {"walkers-0-user_id": str(ids["vol_a"]), "add_walker": str(ids["vol_a2"])}
    return {
        "login": (None, "/login", {"email": "coord_h@example.org", "password": "wrong-one"}),
        "reset_request": (None, "/reset", {"email": "nobody@example.org"}),
        "reset_password": (None, f"/reset/{raw['reset']}", PASSWORDS),
        "change_password": (
            "coord_b",
            "/account/password",
            {"current_password": "wrong-password"} | PASSWORDS,
        ),
        "register": (
            None,
            "/register",
            ASSOCIATION
            | {
                "municipality_id": str(h),
                "password": "a-long-enough-password",
                "confirm": "a-long-enough-password",
            },
        ),
        "association_edit": (
            "leader_a",
            f"/associations/{a}/edit",
            ASSOCIATION | {"allow_self_signup": "y"},
        ),
        "municipality_new": ("admin", "/admin/municipalities", {"name": "Klippan"}),
        "invite_coordinator": (
            "admin",
            f"/municipalities/{h}/coordinators",
            {"name": "Ny", "email": "ny@example.org"},
        ),
        "area_new": ("coord_h", f"/planning/{h}/areas/new", area),
        "area_edit": ("coord_h", f"/planning/areas/{ids['area_h']}/edit", area),
        "rules": (
            "coord_h",
            f"/planning/{h}/rules",
            {
                "max_associations_per_shift": "1",
                "monthly_booking_cap": "4",
                "cancel_deadline_hours": "48",
                "report_due_days": "7",
                "allow_reserve_list": "y",
            },
        ),
        "series_new": (
            "coord_h",
            f"/planning/{h}/series/new",
            series | {"last_school_day": "2027-06-11"},
        ),
        "special_night": (
            "coord_h",
            f"/planning/{h}/special-nights",
            {"day": "2027-03-27", "key": "public_holiday", "area_ids": str(ids["area_h"])},
        ),
        "shift_edit": (
            "coord_h",
            f"/planning/shifts/{ids['shift']}/edit",
            TIMES
            | {
                "area_id": str(ids["area_h"]),
                "min_walkers": "3",
                "max_walkers": "6",
                "min_age": "18",
                "notes": "Västar",
            },
        ),
        "shift_cancel": ("coord_h", f"/planning/shifts/{ids['shift']}/cancel", {"reason": "Storm"}),
        "booking_cancel": (
            "coord_h",
            f"/booking/bookings/{ids['booking']}/cancel",
            {"reason": "Storm"},
        ),
        "member_add": (
            "leader_a",
            f"/members/{a}/new",
            {"name": "Ny Medlem", "phone": "070-765 43 21", "email": "", "birth_year": "1990"},
        ),
        "member_edit": (
            "leader_a",
            f"/members/{a}/{ids['vol_a']}/edit",
            {"name": "Vol A", "phone": "070-765 43 22", "email": "a@example.org", "birth_year": ""},
        ),
        "import_confirm": ("leader_a", f"/members/{a}/import/confirm", {"payload": "x"}),
        "report_edit": ("leader_a", "REPORT", report),
        "personal_report": (None, f"/me/{raw['personal']}/reports/{ids['shift']}", report),
        "sponsor_new": (
            "admin",
            "/sponsorship/sponsors",
            {"name": "Bolaget", "org_number": org_number(4343)},
        ),
        "invite_liaison": (
            "admin",
            f"/sponsorship/sponsors/{ids['sponsor']}/liaisons",
            {"name": "Lisa", "email": "lisa@example.org"},
        ),
        "agreement_new": (
            "admin",
            f"/sponsorship/sponsors/{ids['sponsor']}/agreements/new",
            AGREEMENT | {"municipality_ids": str(h)},
        ),
        "agreement_edit": (
            "admin",
            f"/sponsorship/agreements/{ids['agreement']}/edit",
            AGREEMENT | {"municipality_ids": str(h)},
        ),
        "enrol": (
            "admin",
            f"/sponsorship/agreements/{ids['agreement']}/enrolments",
            {"association_id": str(a), "joined_on": "2026-02-01"},
        ),
        "run_create": (
            "admin",
            f"/sponsorship/agreements/{ids['agreement']}/runs",
            {"period_start": "2026-03-01", "period_end": "2026-03-31"},
        ),
        "twilio_status": (
            None,
            "/webhooks/twilio/status",
            {"MessageSid": "SM1", "MessageStatus": "delivered", "ErrorCode": ""},
        ),
        "twilio_inbound": (
            None,
            "/webhooks/twilio/inbound",
            {"From": "+46701234567", "Body": "STOPP"},
        ),
    }


FORM_NAMES = list(_forms(defaultdict(int), defaultdict(str)))
# Notices a page shows instead of a field error once the object has moved on.
NOTICES = {"booking_cancel": ("Bokningen är redan avbokad.",)}


@pytest.mark.parametrize("name", FORM_NAMES)
def test_hostile_values_never_break_a_form(setup, name):  # type: ignore[no-untyped-def]
    app, world = setup
    actor, url, base = _forms(world.ids, world.tokens)[name]
    client = client_for(app, world, actor)
    if url == "REPORT":
        started = client.post(f"/reports/booking/{world.ids['booking']}")
        assert started.status_code == 302
        url = started.headers["Location"]
    # A failed login answers 200 with the error by design (tests/accounts/test_login.py).
    ok_rejected = (200,) if name == "login" else ()
    seen = fuzz_form(
        app,
        client,
        url,
        base,
        logged_in=actor is not None,
        notices=NOTICES.get(name, ()),
        ok_rejected=ok_rejected,
    )
    # The form was reached: without a signature Twilio's webhooks only ever answer 403.
    expected = {403} if name.startswith("twilio") else {200, 302, 422}
    assert seen & expected, (name, seen)


BAD_FILES = [
    b"\xff\xfe\x00\x00garbage\x80\x81",
    b"namn;mobil\n" + b"A" * 1_500_000,
    b"namn;mobil\n" + b"x;070\n" * 3000,
    b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "namn;mobil;e-post;födelseår\n<script>alert(1)</script>;070-1\x00;a@b;2026-02-30\n".encode(),
    "namn;mobil\n=cmd|' /C calc'!A0;+46701234567\n".encode("utf-16"),
    b"",
]


@FUZZ
@given(content=st.one_of(st.sampled_from(BAD_FILES), st.binary(max_size=4000)))
def test_hostile_csv_uploads_are_refused_or_previewed(setup, content):  # type: ignore[no-untyped-def]
    """An upload only ever previews (nothing is stored before the confirm step)."""
    app, world = setup
    client = client_for(app, world, "leader_a")
    before = db_fingerprint(app)
    response = client.post(
        f"/members/{world.ids['assoc_a']}/import",
        data={"file": (BytesIO(content), "medlemmar.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 413, 422), response.status_code
    if response.status_code == 422:
        assert 'class="error-text"' in response.get_data(as_text=True)
    assert db_fingerprint(app) == before
