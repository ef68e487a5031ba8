"""Machinery of the access matrix: one app and world per module, actors, URL filling, restore."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import openpyxl
import pypdf
from sqlalchemy import func, select
from sqlmodel import SQLModel

from nattvandring import clock
from nattvandring.db import get_engine, session_scope
from tests.factories import login
from tests.security.conftest import NOW, build_rich_world, fingerprint, reset_database
from tests.support.database import make_test_app

STAFF = ("leader_a", "leader_b", "coord_h", "coord_b", "liaison", "liaison2", "admin")
LINKS = ("link_a", "link_c")  # a volunteer by personal link: vol_a's token, vol_c's token

# URL parameters, filled with ids of tenant A / Hässleholm.
PARAMS = {
    "association_id": "assoc_a",
    "municipality_id": "hassleholm",
    "shift_id": "shift",
    "booking_id": "booking",
    "assignment_id": "assignment",
    "area_id": "area_h",
    "series_id": "series",
    "report_id": "report",
    "place_id": "place",
    "run_id": "run",
    "agreement_id": "agreement",
    "sponsor_id": "sponsor",
    "message_id": "sms",
    "user_id": "vol_a",
    "request_id": "request",
    "round_id": "round",
}
# Parameters per endpoint where the general choice above does not fit.
SPECIAL = {
    "booking.book": {"shift_id": "open_shift"},
    "booking.join_reserve": {"shift_id": "open_shift"},
    "booking.withdraw_reserve": {"shift_id": "open_shift"},
    "reports.start": {"booking_id": "past_booking"},
    "volunteers.personal_report": {"shift_id": "past_shift"},
    "volunteers.question_accept": {"request_id": "question_vol_a"},
    "volunteers.question_decline": {"request_id": "question_vol_a"},
}


FORGED = "x" * 43  # the shape of a token, but no token


def row_counts(engine) -> dict[str, int]:
    tables = SQLModel.metadata.sorted_tables
    counts = [select(func.count()).select_from(table).scalar_subquery() for table in tables]
    with engine.connect() as connection:
        row = connection.execute(select(*counts)).one()
    return {table.name: count for table, count in zip(tables, row, strict=True)}


@dataclass
class Answer:
    status: int
    location: str
    changed: bool


class Matrix:
    def __init__(self, tmp_path) -> None:
        self.app = make_test_app(
            tmp_path,
            # High limits rather than RATELIMIT_ENABLED=False: Flask-Limiter keeps a disabled
            # state on the shared limiter for every app created afterwards.
            RATELIMIT_LOGIN="100000 per minute",
            RATELIMIT_PUBLIC_FORMS="100000 per hour",
            RATELIMIT_WEBHOOKS="100000 per minute",
            RATELIMIT_CODE_TRIES="100000 per minute",
            PUBLIC_BASE_URL="http://localhost",
            TWILIO_AUTH_TOKEN="twilio-auth-token",
            # The cache on, as in production (QR codes): no actor may see another's.
            CACHE_TYPE="SimpleCache",
        )
        self.engine = get_engine(self.app)
        self.clients: dict[str, object] = {}
        self.cookies: dict[str, str] = {}
        self.rebuild()
        for actor in STAFF:
            self.clients[actor] = self._logged_in(actor)
        self.clients["anon"] = self.app.test_client()
        for actor in LINKS:
            self.clients[actor] = self.app.test_client()
        self.rebuild()  # logging in wrote last-login times; sessions survive a rebuild

    def rebuild(self) -> None:
        clock.freeze(NOW)
        reset_database(self.engine)
        with self.app.test_request_context(), session_scope(self.engine) as session:
            self.world = build_rich_world(session, self.app.config["SECRET_KEY"])
        self.clean = fingerprint(self.engine)
        self.clean_counts = row_counts(self.engine)

    def restore(self, actor: str) -> None:
        """Rebuild the world and give ``actor`` back its session (logout clears it)."""
        self.rebuild()
        if actor in self.cookies:
            self.clients[actor].set_cookie("nv_session", self.cookies[actor])

    def _logged_in(self, actor: str):
        client = self.app.test_client()
        response = login(client, self.world.emails[actor])
        assert response.status_code == 302, actor
        self.cookies[actor] = client.get_cookie("nv_session").value
        return client

    def url(self, rule, actor: str, *, forged: bool = False, objects=None) -> str:
        """The rule's URL for ``actor``; ``objects`` maps URL parameters to other world ids."""
        ids, raw = self.world.ids, self.world.raw
        values: dict[str, object] = {}
        for name in rule.arguments:
            special = {**SPECIAL.get(rule.endpoint, {}), **(objects or {})}
            if name in special:
                values[name] = ids[special[name]]
            elif name in PARAMS:
                values[name] = ids[PARAMS[name]]
            elif name in ("token", "personal_token") and forged:
                values[name] = FORGED
            elif name in ("token", "personal_token") and rule.rule.startswith("/me/"):
                values[name] = raw["personal_vol_c" if actor == "link_c" else "personal_vol_a"]
            elif name == "token" and rule.endpoint == "calendars.personal_feed":
                values[name] = raw["feed_vol_a"]
            elif name == "token" and rule.endpoint == "calendars.association_feed":
                values[name] = raw["assoc_feed_a"]
            elif name == "token" and rule.endpoint == "accounts.reset_password":
                values[name] = raw["reset"]
            elif name == "token" and rule.endpoint in (
                "accounts.accept_invitation",
                "accounts.invitation_code",
            ):
                values[name] = raw["invitation"]
            elif name == "token" and rule.endpoint == "accounts.confirm_email":
                values[name] = raw["email_change"]
            elif name == "token" and rule.endpoint.startswith("associations.register_"):
                values[name] = raw["registration"]
            elif name == "slug":
                values[name] = "hässleholm"
            elif name == "fmt":
                values[name] = "csv"
            else:
                raise AssertionError(f"no value for <{name}> in {rule.rule}")
        with self.app.test_request_context():
            from flask import url_for

            return url_for(rule.endpoint, **values)

    def request(self, actor: str, method: str, url: str, *, restore: bool) -> Answer:
        clock.freeze(NOW)
        client = self.clients[actor]
        # Authorized POSTs are sent empty: they fail validation or act and are rolled back.
        response = client.open(url, method=method, data={} if method == "POST" else None)
        status, location = response.status_code, response.headers.get("Location", "")
        response.close()
        if method == "GET":
            changed = row_counts(self.engine) != self.clean_counts
        else:
            changed = fingerprint(self.engine) != self.clean
        if changed and restore:
            self.restore(actor)
        return Answer(status, location, changed)


def rules_of(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def is_login_redirect(location: str) -> bool:
    return bool(re.search(r"/login(\?|$)", location))


REFUSED = {"403", "404", "405", "login"}


def parse_spec(spec: str, actors: tuple[str, ...]) -> dict[str, str]:
    """``actors=outcome`` groups (see test_access_matrix) as an outcome per actor."""
    named: dict[str, str] = {}
    default = None
    for group in spec.split():
        who, outcome = group.split("=")
        for actor in who.split(","):
            if actor == "*":
                default = outcome
            else:
                assert actor in actors, f"unknown actor {actor!r} in {spec!r}"
                named[actor] = outcome
    missing = [actor for actor in actors if actor not in named and default is None]
    assert not missing, f"{spec!r} says nothing about {missing}"
    return {actor: named.get(actor, default) for actor in actors}


def actors_of(rule) -> tuple[str, ...]:
    return ("anon",) + (LINKS if rule.rule.startswith("/me/") else STAFF)


def check_route(matrix, endpoint, method, spec, objects=None) -> None:
    """Send ``method`` to the endpoint as every actor; each answers as ``spec`` says, and a
    refused request changes nothing. ``objects``: URL parameters naming other world ids."""
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    expected = parse_spec(spec, actors_of(rule))
    failures = []
    for actor, outcome in expected.items():
        forged = actor == "anon" and rule.rule.startswith("/me/")
        url = matrix.url(rule, actor, forged=forged, objects=objects)
        # Logging out ends in the login page too, but it is a success for a logged-in actor.
        refused = outcome in REFUSED and (outcome != "login" or actor in ("anon", *LINKS))
        counts_before = row_counts(matrix.engine) if refused else None
        answer = matrix.request(actor, method, url, restore=not refused)
        got = "login" if answer.status == 302 and is_login_redirect(answer.location) else None
        got = got or str(answer.status)
        if got != outcome:
            failures.append(f"{actor}: expected {outcome}, got {answer.status} {answer.location}")
        if refused:
            if answer.changed or row_counts(matrix.engine) != counts_before:
                failures.append(f"{actor}: a refused {method} changed the database")
                matrix.restore(actor)
        elif method == "GET" and answer.changed:
            failures.append(f"{actor}: GET changed the database")
    assert not failures, f"{method} {rule.rule}:\n" + "\n".join(failures)


def readable_text(body: bytes, url: str) -> str:
    """The text a person reads in a page or download (XLSX cells, PDF text)."""
    if url.endswith(".xlsx"):
        rows = openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
        return "\n".join(" ".join(str(value) for value in row) for row in rows)
    if url.endswith(".pdf"):
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8-sig")
