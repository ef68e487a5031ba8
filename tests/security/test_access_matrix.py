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
from tests.security.conftest import fingerprint
from tests.security.matrix_runner import Matrix, check_route, methods_of, readable_text, rules_of
from tests.support.access_matrix import EXPECTED, spec_for


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
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
    missing = sorted(key for key in live if spec_for(*key.split(" ")) is None)
    assert not missing, f"routes without an access-matrix entry: {missing}"
    stale = sorted(
        key
        for key in EXPECTED
        if (key if " " not in key else key.split(" ")[0]) not in live_endpoints
        or (" " in key and key not in live)
    )
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize(("endpoint", "method"), ENDPOINTS, ids=[" ".join(p) for p in ENDPOINTS])
def test_access(matrix, endpoint, method):
    spec = spec_for(endpoint, method)
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
    "sponsorship.run_approve": _shared("422", coordinators="403"),
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
def test_access_on_an_agreement_of_two_municipalities(matrix, endpoint, method):
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
def test_post_only_routes_refuse_get_with_405(matrix, endpoint):
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    actor = "link_a" if rule.rule.startswith("/me/") else "admin"
    answer = matrix.request(actor, "GET", matrix.url(rule, actor), restore=False)
    assert answer.status == 405
    assert not answer.changed


def test_refused_requests_left_the_world_as_built(matrix):
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
    # The home page: each person's part names only their own tenants.
    ("/", "IFK Hässleholm", "leader_a", ("coord_b", "liaison2")),
    ("/", "Trygghetsvandring", "liaison", ("liaison2", "coord_b", "leader_a")),
]


@pytest.mark.parametrize(("url", "marker", "insider", "outsiders"), LISTS)
def test_list_pages_show_other_tenants_nothing(matrix, url, marker, insider, outsiders):
    assert marker in matrix.clients[insider].get(url).get_data(as_text=True)
    for actor in outsiders:
        response = matrix.clients[actor].get(url)
        assert response.status_code == 200
        assert marker not in response.get_data(as_text=True), actor


def _pages_of_shared(matrix) -> list[str]:
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
):
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
