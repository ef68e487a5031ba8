"""Every endpoint x method x actor answers as the matrix says; refused requests change nothing.

URL parameters are ids of tenant A / Hässleholm (see matrix_runner.PARAMS), so actors of other
tenants must get 404 (existence is not leaked) and same-tenant actors with the wrong role 403.
The test fails for a route without an entry, and for an entry whose route no longer exists.

Rule syntax: space-separated ``actors=outcome`` groups; ``*`` is everyone not named. An outcome
is an HTTP status or ``login`` (302 to the login page). Authorized POSTs are sent empty, so
they answer with their validation status (422/400/409) or perform a harmless action that the
runner rolls back by rebuilding the world.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from nattvandring.app import create_app
from nattvandring.associations.models import Association
from tests.security import matrix_runner
from tests.security.conftest import fingerprint
from tests.security.matrix_runner import Matrix, check_route, methods_of, readable_text, rules_of

# The hostile-input tests read the matrix through these names.
REFUSED, _parse, _actors = matrix_runner.REFUSED, matrix_runner.parse_spec, matrix_runner.actors_of


def _for_association(ok: str) -> str:
    """Objects of association A that only its leader acts on (its coordinator: wrong role)."""
    return f"leader_a,admin={ok} coord_h=403 leader_b,coord_b,liaison,liaison2=404 anon=login"


def _seen_by_coordinator(ok: str) -> str:
    """Objects of association A that its leader and Hässleholm's coordinator both act on."""
    return f"leader_a,coord_h,admin={ok} leader_b,coord_b,liaison,liaison2=404 anon=login"


def _coordinator_acts(ok: str) -> str:
    """Objects of association A on which only Hässleholm's coordinator acts (review, approve)."""
    return f"coord_h,admin={ok} leader_a=403 leader_b,coord_b,liaison,liaison2=404 anon=login"


def _municipality(ok: str) -> str:
    """Planning objects of Hässleholm: its coordinator; other roles are refused by role first."""
    return f"coord_h,admin={ok} coord_b=404 leader_a,leader_b,liaison,liaison2=403 anon=login"


def _run(ok: str) -> str:
    """The payout run of the agreement covering Hässleholm (coordinator and its liaison)."""
    return f"coord_h,liaison,admin={ok} leader_a,leader_b,coord_b,liaison2=404 anon=login"


def _agreement_admin(ok: str) -> str:
    """Agreement maintenance: Hässleholm's coordinator; the liaison sees but may not change."""
    return f"coord_h,admin={ok} liaison=403 leader_a,leader_b,coord_b,liaison2=404 anon=login"


def _roles(ok: str, allowed: str, other: str = "403") -> str:
    """Pages without one object: the listed roles, everyone else ``other``."""
    return f"{allowed}={ok} anon=login *={other}"


def _everyone(ok: str) -> str:
    return f"*={ok}"


#: Personal-link routes: ids belong to vol_a (assoc_a); vol_c's own link must not reach them.
def _link(ok: str) -> str:
    return f"link_a={ok} link_c=404 anon=404"


def _own_link(ok: str) -> str:
    """Routes acting only on the link holder's own data: any valid link, a forged one 404."""
    return f"link_a,link_c={ok} anon=404"


LEADER_LANDING = "leader_a,leader_b=302 admin=200 anon=login *=403"

EXPECTED: dict[str, str] = {
    "web.index": _everyone("200"),
    "web.set_language": _everyone("302"),
    "accounts.login GET": "anon=200 *=302",
    "accounts.login POST": "anon=200 *=302",  # empty form: errors; logged in: to the start page
    "accounts.logout": "*=login",
    "accounts.change_password GET": "anon=login *=200",
    "accounts.change_password POST": "anon=login *=422",
    "accounts.reset_request GET": _everyone("200"),
    "accounts.reset_request POST": _everyone("422"),
    # Live reset and invitation tokens: the token is the credential.
    "accounts.reset_password GET": _everyone("200"),
    "accounts.reset_password POST": _everyone("422"),
    "accounts.accept_invitation GET": _everyone("200"),
    "accounts.accept_invitation POST": _everyone("422"),
    # The invited account has no number: there is no code to send (the same answer).
    "accounts.invitation_code": _everyone("302"),
    # A live link proving a new e-mail address: the link is the credential.
    "accounts.confirm_email GET": _everyone("200"),
    "accounts.confirm_email POST": _everyone("302"),
    # An application whose address is proven by the link: its code, sent to its number.
    "associations.register_confirm GET": _everyone("200"),
    "associations.register_confirm POST": _everyone("422"),
    "associations.register_code": _everyone("302"),
    "associations.register GET": _everyone("200"),
    "associations.register POST": _everyone("422"),
    "associations.coordinator_list": _roles("200", "coord_h,coord_b,admin"),
    "associations.my_associations": "leader_a,leader_b=302 anon=login *=403",
    "associations.detail": _seen_by_coordinator("200"),
    "associations.change_status": _coordinator_acts("400"),  # no status given
    "associations.edit GET": _for_association("200"),
    "associations.edit POST": _for_association("302"),
    "booking.start": LEADER_LANDING,
    "booking.ours_start": LEADER_LANDING,
    "booking.calendar": _for_association("200"),
    "booking.shift_detail": _for_association("200"),
    "booking.book": _for_association("302"),
    "booking.join_reserve": _for_association("422"),
    "booking.withdraw_reserve": _for_association("422"),
    "booking.ours": _for_association("200"),
    "booking.roster": _seen_by_coordinator("200"),
    "booking.roster_add": _for_association("422"),
    "booking.roster_remove": _for_association("302"),
    "booking.cancel GET": _seen_by_coordinator("200"),
    # The leader may cancel without a reason; a coordinator (or admin) must give one.
    "booking.cancel POST": "leader_a=302 coord_h,admin=422 leader_b,coord_b,liaison,liaison2=404 "
    "anon=login",
    "calendars.municipality_feed": _everyone("200"),
    "calendars.area_feed": _everyone("200"),
    "calendars.walk_ics": _everyone("200"),
    "calendars.personal_feed": _everyone("200"),  # a live feed token is the credential
    "calendars.association_feed": _everyone("200"),
    "calendars.rotate_personal": _own_link("302"),
    "calendars.association_calendar": _for_association("200"),
    "calendars.rotate_association": _for_association("302"),
    "messaging.outbox": _roles("200", "coord_h,coord_b,admin"),
    "messaging.retry": "admin=302 leader_a,coord_h=403 leader_b,coord_b,liaison,liaison2=404 "
    "anon=login",
    "messaging.association_messages": _seen_by_coordinator("200"),
    "messaging.my_association_messages": "leader_a,leader_b=302 anon=login *=403",
    "messaging.twilio_status": _everyone("403"),  # unsigned
    "messaging.twilio_inbound": _everyone("403"),
    "municipalities.admin_list GET": _roles("200", "admin"),
    "municipalities.admin_list POST": _roles("422", "admin"),
    "municipalities.detail": "coord_h,admin=200 anon=login *=404",
    "municipalities.invite_coordinator": "admin=302 coord_h=403 anon=login *=404",
    "ops.healthz": _everyone("200"),
    "ops.readyz": _everyone("503"),  # no worker heartbeat in the test world
    "ops.workers": _roles("200", "admin"),
    "planning.areas": _municipality("200"),
    "planning.area_new GET": _municipality("200"),
    "planning.area_new POST": _municipality("422"),
    "planning.area_edit GET": _municipality("200"),
    "planning.area_edit POST": _municipality("422"),
    "planning.area_set_active": _municipality("302"),
    "planning.calendar": _municipality("200"),
    "planning.coverage": _municipality("200"),
    "planning.audit": _municipality("200"),
    "planning.rules GET": _municipality("200"),
    "planning.rules POST": _municipality("422"),
    "planning.public": _everyone("200"),
    "planning.series_new GET": _municipality("200"),
    "planning.series_new POST": _municipality("422"),
    "planning.special_night_add": _municipality("422"),
    "planning.shift_edit GET": _municipality("200"),
    "planning.shift_edit POST": _municipality("422"),
    "planning.shift_cancel": _municipality("422"),
    "planning.series_list": _municipality("200"),
    "planning.series_detail": _municipality("200"),
    "planning.series_times": _municipality("422"),
    "planning.series_cancel": _municipality("200"),
    "planning.index": "coord_h,coord_b=302 admin=200 anon=login *=403",
    "planning.coverage_index": "coord_h,coord_b=302 admin=200 anon=login *=403",
    "planning.areas_index": "coord_h,coord_b=302 admin=200 anon=login *=403",
    "reports.index": "liaison,liaison2=403 anon=login *=200",
    # Checked inline in the view: a coordinator of the same municipality also gets 404 here.
    "reports.start": "leader_a,admin=302 anon=login *=404",
    "reports.edit GET": _for_association("302"),  # submitted: editing redirects to the report
    "reports.edit POST": _for_association("409"),
    "reports.detail": _seen_by_coordinator("200"),
    "reports.approve_report": _coordinator_acts("302"),
    "reports.return_to_group": _coordinator_acts("422"),
    "reports.correct": _coordinator_acts("422"),
    "reports.hours": "liaison,liaison2=403 anon=login *=200",
    "reports.personal_report": _link("200"),
    "reports.personal_export": _own_link("200"),
    "reports.personal_erase GET": _own_link("200"),
    "reports.personal_erase POST": _own_link("422"),
    "reports.situation": _roles("200", "coord_h,coord_b,admin"),
    "reports.situation_csv": _roles("200", "coord_h,coord_b,admin"),
    "reports.situation_xlsx": _roles("200", "coord_h,coord_b,admin"),
    "reports.place_status": "coord_h,admin=302 anon=login *=404",
    "sponsorship.dashboard": _roles("200", "liaison,liaison2,admin"),
    "sponsorship.summary_export": _roles("200", "liaison,liaison2,admin"),
    "sponsorship.statement": _roles("200", "leader_a,leader_b,admin"),
    # The run is a draft: no statement yet, even for its own association.
    "sponsorship.statement_pdf_download": "leader_a,leader_b,admin=404 anon=login *=403",
    "sponsorship.payouts": "leader_a,leader_b=403 anon=login *=200",
    "sponsorship.run_create": _run("422"),
    "sponsorship.run": _run("200"),
    "sponsorship.run_recompute": _run("302"),
    "sponsorship.run_approve_confirm": _run("200"),
    "sponsorship.run_approve": _run("302"),
    "sponsorship.run_delete": _run("302"),
    "sponsorship.run_paid": _run("422"),
    "sponsorship.run_export": _run("200"),
    "sponsorship.sponsors GET": _roles("200", "admin"),
    "sponsorship.sponsors POST": _roles("422", "admin"),
    "sponsorship.sponsor": _roles("200", "admin"),
    "sponsorship.invite_liaison": _roles("302", "admin"),
    "sponsorship.agreement_list": "leader_a,leader_b=403 anon=login *=200",
    "sponsorship.agreement_new GET": _roles("200", "coord_h,coord_b,admin"),
    "sponsorship.agreement_new POST": _roles("422", "coord_h,coord_b,admin"),
    # The liaison changes the sponsor's terms too (a coordinator: their agreement of one
    # municipality's terms, and their own coverage).
    "sponsorship.agreement_edit GET": _run("200"),
    "sponsorship.agreement_edit POST": _run("422"),
    "sponsorship.agreement": _run("200"),
    "sponsorship.enrol": _agreement_admin("422"),
    "sponsorship.withdraw": _agreement_admin("302"),
    "volunteers.start": LEADER_LANDING,
    "volunteers.members": _for_association("200"),
    "volunteers.add GET": _for_association("200"),
    "volunteers.add POST": _for_association("422"),
    "volunteers.member": _for_association("200"),
    "volunteers.edit GET": _for_association("200"),
    "volunteers.edit POST": _for_association("422"),
    "volunteers.remove": _for_association("302"),
    "volunteers.rotate_link": _for_association("302"),
    "volunteers.import_upload GET": _for_association("200"),
    "volunteers.import_upload POST": _for_association("422"),
    "volunteers.import_confirm": _for_association("422"),
    "volunteers.request_remove": _for_association("302"),
    "volunteers.personal": _own_link("200"),
    "volunteers.confirm": _link("302"),
    "volunteers.decline": _link("302"),
    "volunteers.signup": _link("302"),
    "volunteers.rotate": _own_link("302"),
    # Association B's question to vol_a: only vol_a's link answers it.
    "volunteers.question_accept": _link("302"),
    "volunteers.question_decline": _link("302"),
    "volunteers.contact_page": _own_link("200"),
    "volunteers.contact_phone": _own_link("422"),
    "volunteers.contact_phone_code": _own_link("422"),
    "volunteers.contact_email": _own_link("422"),
}


def _spec_for(endpoint: str, method: str) -> str | None:
    return EXPECTED.get(f"{endpoint} {method}") or EXPECTED.get(endpoint)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):  # type: ignore[no-untyped-def]
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("m")
    runner = Matrix(folder)
    yield runner
    runner.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


APP = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "matrix-routes-only"})
ENDPOINTS = [(rule.endpoint, method) for rule in rules_of(APP) for method in methods_of(rule)]


def test_every_route_has_an_entry_and_every_entry_a_route():
    live = {f"{endpoint} {method}" for endpoint, method in ENDPOINTS}
    live_endpoints = {endpoint for endpoint, _ in ENDPOINTS}
    missing = sorted(key for key in live if _spec_for(*key.split(" ")) is None)
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted(
        key
        for key in EXPECTED
        if (key if " " not in key else key.split(" ")[0]) not in live_endpoints
        or (" " in key and key not in live)
    )
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("endpoint", "method"), ENDPOINTS, ids=[" ".join(p) for p in ENDPOINTS])
def test_access(matrix, endpoint, method):  # type: ignore[no-untyped-def]
    spec = _spec_for(endpoint, method)
    assert spec is not None, f"no matrix entry for {endpoint} {method}"
    check_route(matrix, endpoint, method, spec)


def _shared(ok: str, *, coordinators: str) -> str:
    """The agreement of Hässleholm and Bjuv and its draft run: both coordinators see it, but
    paying out money of two municipalities is the sponsor's liaison's (or an admin's)."""
    others = "leader_a,leader_b,liaison2=404 anon=login"
    return f"liaison,admin={ok} coord_h,coord_b={coordinators} {others}"


def _shared_maintenance(ok: str) -> str:
    """Each coordinator maintains the shared agreement for their own municipality."""
    return f"coord_h,coord_b,admin={ok} liaison=403 leader_a,leader_b,liaison2=404 anon=login"


#: Routes on the shared agreement and its run (URL ids: SHARED_OBJECTS).
SHARED_EXPECTED: dict[str, str] = {
    "sponsorship.agreement": _shared("200", coordinators="200"),
    # Coordinators change their own coverage; the shared terms are the liaison's (or an
    # admin's): the page opens for all three.
    "sponsorship.agreement_edit GET": _shared("200", coordinators="200"),
    "sponsorship.agreement_edit POST": _shared("422", coordinators="422"),
    "sponsorship.enrol": _shared_maintenance("422"),
    # The association is Hässleholm's: Bjuv's coordinator may not withdraw it.
    "sponsorship.withdraw": "coord_h,admin=302 coord_b,liaison=403 leader_a,leader_b,liaison2=404 "
    "anon=login",
    "sponsorship.run_create": _shared("422", coordinators="403"),
    "sponsorship.run": _shared("200", coordinators="200"),
    "sponsorship.run_export": _shared("200", coordinators="200"),
    "sponsorship.run_recompute": _shared("302", coordinators="403"),
    "sponsorship.run_approve_confirm": _shared("200", coordinators="403"),
    "sponsorship.run_approve": _shared("302", coordinators="403"),
    "sponsorship.run_delete": _shared("302", coordinators="403"),
    "sponsorship.run_paid": _shared("422", coordinators="403"),
    # Leaders only, for their own association; the run is a draft, so no statement yet.
    "sponsorship.statement_pdf_download": "leader_a,leader_b,admin=404 anon=login *=403",
}
SHARED_OBJECTS = {"agreement_id": "shared_agreement", "run_id": "shared_run"}
SHARED = [
    (endpoint, method)
    for endpoint, method in ENDPOINTS
    if f"{endpoint} {method}" in SHARED_EXPECTED or endpoint in SHARED_EXPECTED
]


def test_every_route_of_an_agreement_or_run_has_a_shared_entry():
    """A new agreement or run route must say what the shared agreement's actors get."""
    live = {
        f"{endpoint} {method}"
        for endpoint, method in ENDPOINTS
        if endpoint.startswith("sponsorship.")
        and {"agreement_id", "run_id"}
        & set(next(r for r in rules_of(APP) if r.endpoint == endpoint).arguments)
    }
    covered = {f"{endpoint} {method}" for endpoint, method in SHARED}
    assert live == covered


@pytest.mark.parametrize(("endpoint", "method"), SHARED, ids=[" ".join(p) for p in SHARED])
def test_access_on_an_agreement_of_two_municipalities(matrix, endpoint, method):  # type: ignore[no-untyped-def]
    spec = SHARED_EXPECTED.get(f"{endpoint} {method}") or SHARED_EXPECTED[endpoint]
    check_route(matrix, endpoint, method, spec, objects=SHARED_OBJECTS)


def _post_only() -> list[str]:
    """Endpoints answering only POST whose URL has no GET endpoint of its own."""
    rules = rules_of(APP)
    with_get = {rule.rule for rule in rules if "GET" in rule.methods}
    return sorted(
        rule.endpoint for rule in rules if "GET" not in rule.methods and rule.rule not in with_get
    )


@pytest.mark.parametrize("endpoint", _post_only())
def test_post_only_routes_refuse_get_with_405(matrix, endpoint):  # type: ignore[no-untyped-def]
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    actor = "link_a" if rule.rule.startswith("/me/") else "admin"
    answer = matrix.request(actor, "GET", matrix.url(rule, actor), restore=False)
    assert answer.status == 405
    assert not answer.changed


def test_refused_requests_left_the_world_as_built(matrix):  # type: ignore[no-untyped-def]
    assert fingerprint(matrix.engine) == matrix.clean


# List pages have no object id to refuse; they must filter. (page, marker of tenant A/Hässleholm,
# an actor who sees it, actors of other tenants who must not.)
LISTS = [
    ("/sponsorship/agreements", "Trygghetsvandring", "coord_h", ("coord_b", "liaison2")),
    ("/sponsorship/payouts", "Trygghetsvandring", "liaison", ("coord_b", "liaison2")),
    ("/sponsorship/", "IFK Hässleholm", "liaison", ("liaison2",)),
    ("/reports", "IFK Hässleholm", "coord_h", ("coord_b", "leader_b")),
    ("/hours", "IFK Hässleholm", "leader_a", ("coord_b", "leader_b")),
    ("/messages", "Vol A", "coord_h", ("coord_b",)),
    ("/associations", "IFK Hässleholm", "coord_h", ("coord_b",)),
]


@pytest.mark.parametrize(("url", "marker", "insider", "outsiders"), LISTS)
def test_list_pages_show_other_tenants_nothing(matrix, url, marker, insider, outsiders):  # type: ignore[no-untyped-def]
    assert marker in matrix.clients[insider].get(url).get_data(as_text=True)
    for actor in outsiders:
        response = matrix.clients[actor].get(url)
        assert response.status_code == 200
        assert marker not in response.get_data(as_text=True), actor


def _pages_of_shared(matrix) -> list[str]:  # type: ignore[no-untyped-def]
    ids = matrix.world.ids
    run, deal = ids["shared_run"], ids["shared_agreement"]
    return [
        f"/sponsorship/agreements/{deal}",
        f"/sponsorship/runs/{run}",
        f"/sponsorship/runs/{run}/export.csv",
        f"/sponsorship/runs/{run}/export.csv?dialect=plain",
        f"/sponsorship/runs/{run}/export.xlsx",
        f"/sponsorship/runs/{run}/export.pdf",
        "/sponsorship/payouts",
    ]


@pytest.mark.parametrize(
    ("coordinator", "own", "other"),
    [("coord_b", "assoc_c", "assoc_a"), ("coord_h", "assoc_a", "assoc_c")],
)
def test_shared_agreement_shows_each_coordinator_only_their_associations(
    matrix, coordinator, own, other
):  # type: ignore[no-untyped-def]
    """The draft run of the shared agreement holds a line for IFK Hässleholm and Bjuvs IF."""
    with matrix.engine.connect() as connection:
        payee = {
            key: connection.execute(
                sa.select(
                    Association.name, Association.org_number, Association.account_number
                ).where(Association.id == matrix.world.ids[key])
            ).one()
            for key in (own, other)
        }
    for url in _pages_of_shared(matrix):
        response = matrix.clients[coordinator].get(url)
        assert response.status_code == 200, url
        text = readable_text(response.get_data(), url)
        leaked = [value for value in payee[other] if value in text]
        assert not leaked, f"{coordinator} reads {leaked} in {url}"
        if "payouts" not in url:
            assert payee[own][0] in text, url
