"""Contract tests: real responses of the API validated against the OpenAPI description the
app itself serves (openapi-core), so the description cannot drift from the code."""

from __future__ import annotations

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData


@pytest.fixture
def described(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return OpenAPI.from_dict(response.get_json())


def _check(described, response) -> None:
    request = WerkzeugOpenAPIRequest(response.request)
    described.validate_request(request)
    described.validate_response(request, WerkzeugOpenAPIResponse(response))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/municipalities",
        "/api/v1/municipalities/hassleholm/nights",
        "/api/v1/municipalities/hassleholm/nights?from=2026-04-30&to=2026-04-30",
        "/api/v1/municipalities/bjuv/nights?from=2026-05-01&to=2026-07-31",
    ],
)
def test_answers_match_the_description(client, nights, described, path):
    response = client.get(path)
    assert response.status_code == 200
    _check(described, response)


def test_a_special_night_matches_the_description(client, nights, described):
    response = client.get("/api/v1/municipalities/hassleholm/nights?to=2026-04-30")
    assert response.get_json()["nights"][0]["special"]["key"] == "valborg"
    _check(described, response)


def test_an_area_filter_matches_the_description(client, nights, described, world):
    response = client.get(f"/api/v1/municipalities/hassleholm/nights?area={world.ids['area_h']}")
    _check(described, response)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/municipalities/hassleholm/nights?from=2026-05-10&to=2026-05-01", 400),
        ("/api/v1/municipalities/atlantis/nights", 404),
    ],
)
def test_errors_match_the_description(client, nights, described, path, status):
    response = client.get(path)
    assert response.status_code == status
    request = WerkzeugOpenAPIRequest(response.request)
    described.validate_response(request, WerkzeugOpenAPIResponse(response))


def test_the_validator_catches_a_drift(client, nights, described, monkeypatch):
    """The contract can fail: an answer with a field the description lacks is refused."""
    from nattvandring.opendata import views

    real = views._night
    monkeypatch.setattr(views, "_night", lambda night: {**real(night), "leader": "Karin"})
    response = client.get("/api/v1/municipalities/hassleholm/nights")
    with pytest.raises(InvalidData):
        _check(described, response)


def test_every_api_route_is_described(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    routes = [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    assert len(routes) == 3
    for route in routes:
        assert route.removeprefix("/api/v1").replace("<slug>", "{slug}") in paths, route
