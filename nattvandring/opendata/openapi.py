"""The OpenAPI 3.1 description of the open-data API, served at ``/api/v1/openapi.json``.

The contract tests (tests/opendata/test_contract.py) validate real responses against it, so
it stays true to what the views return.
"""

from __future__ import annotations

from typing import Any

from .policy import DEFAULT_DAYS, MAX_DAYS

_URL = {"type": "string", "format": "uri"}
_COUNT = {"type": "integer", "minimum": 0}
_DAY = {"type": "string", "format": "date"}

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. invalid_parameter."},
        "message": {"type": "string", "description": "Explanation in the request's language."},
        "parameter": {"type": "string", "description": "The query parameter at fault."},
    },
    "additionalProperties": False,
}

_LINKS = {
    "page_url": {**_URL, "description": "The municipality's public page."},
    "nights_url": {**_URL, "description": "This API's nights of the municipality."},
    "widget_url": {**_URL, "description": "The embeddable widget (an iframe page)."},
    "feed_url": {**_URL, "description": "The municipality's iCalendar feed (https)."},
    "webcal_url": {"type": "string", "description": "The same feed as a webcal:// link."},
}

_MUNICIPALITY_SUMMARY = {
    "type": "object",
    "required": ["name", "slug", "covered", "uncovered", *_LINKS],
    "properties": {
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "covered": {**_COUNT, "description": "Nights this week an association walks."},
        "uncovered": {**_COUNT, "description": "Planned nights this week without one."},
        **_LINKS,
    },
    "additionalProperties": False,
}

_AREA = {
    "type": "object",
    "required": [
        "id",
        "name",
        "meeting_point",
        "latitude",
        "longitude",
        "feed_url",
        "covered",
        "uncovered",
    ],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "meeting_point": {"type": "string"},
        "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]},
        "feed_url": _URL,
        "covered": _COUNT,
        "uncovered": _COUNT,
    },
    "additionalProperties": False,
}

_SPECIAL = {
    "type": ["object", "null"],
    "description": "Set on special nights (Valborg, New Year's Eve, public holidays…).",
    "required": ["key", "name"],
    "properties": {
        "key": {"type": "string", "description": "e.g. valborg, new_years_eve"},
        "name": {"type": ["string", "null"], "description": "The night's name."},
    },
    "additionalProperties": False,
}

_NIGHT = {
    "type": "object",
    "required": [
        "date",
        "start",
        "end",
        "area_id",
        "area",
        "covered",
        "associations",
        "special",
    ],
    "properties": {
        "date": {**_DAY, "description": "The local (Europe/Stockholm) date the walk starts."},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "area_id": {"type": "integer"},
        "area": {"type": "string"},
        "covered": {"type": "boolean", "description": "An association has booked the night."},
        "associations": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Names of the associations that walk (no persons).",
        },
        "special": _SPECIAL,
    },
    "additionalProperties": False,
}

_CACHED = {
    "ETag": {"schema": {"type": "string"}, "description": "Send back in If-None-Match."},
    "Cache-Control": {"schema": {"type": "string"}},
}


def _json(schema: dict[str, Any], description: str, headers: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    if headers:
        answer["headers"] = _CACHED
    return answer


_NOT_MODIFIED = {"description": "Not modified since the ETag sent in If-None-Match."}
_ERROR_REF = {"$ref": "#/components/schemas/Error"}


def description() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Nattvandring open data",
            "version": "1.0.0",
            "description": (
                "Read-only public data for municipal websites: which patrol nights are "
                "covered by an association and which still need one, per municipality and "
                "patrol area. No personal data. Answers carry an ETag (send If-None-Match "
                "for a 304) and may be cached for five minutes. CORS allows GET from any "
                "origin."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/municipalities": {
                "get": {
                    "operationId": "listMunicipalities",
                    "summary": "Every municipality with this week's covered and uncovered nights",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["from", "to", "municipalities"],
                                "properties": {
                                    "from": _DAY,
                                    "to": _DAY,
                                    "municipalities": {
                                        "type": "array",
                                        "items": {
                                            "$ref": "#/components/schemas/MunicipalitySummary"
                                        },
                                    },
                                },
                                "additionalProperties": False,
                            },
                            "This week (Monday to Sunday, local time).",
                            headers=True,
                        ),
                        "304": _NOT_MODIFIED,
                    },
                }
            },
            "/municipalities/{slug}/nights": {
                "get": {
                    "operationId": "municipalityNights",
                    "summary": "A municipality's nights, per area",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": (
                                "The municipality's slug (e.g. hassleholm); a spelling with "
                                "å/ä/ö redirects to it."
                            ),
                        },
                        {
                            "name": "from",
                            "in": "query",
                            "schema": _DAY,
                            "description": "First day (default: today).",
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "schema": _DAY,
                            "description": (
                                f"Last day, included (default: {DEFAULT_DAYS} days from "
                                f"'from'); at most {MAX_DAYS} days in all."
                            ),
                        },
                        {
                            "name": "area",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1},
                            "description": "Only this patrol area (its id).",
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {"$ref": "#/components/schemas/MunicipalityNights"},
                            "The nights that are not cancelled, in start order.",
                            headers=True,
                        ),
                        "301": {"description": "To the canonical slug."},
                        "304": _NOT_MODIFIED,
                        "400": _json(_ERROR_REF, "A parameter the API cannot use."),
                        "404": _json(_ERROR_REF, "No such municipality or area."),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapiDescription",
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": _ERROR,
                "MunicipalitySummary": _MUNICIPALITY_SUMMARY,
                "Area": _AREA,
                "Night": _NIGHT,
                "MunicipalityNights": {
                    "type": "object",
                    "required": [
                        "municipality",
                        "from",
                        "to",
                        "covered",
                        "uncovered",
                        "areas",
                        "nights",
                    ],
                    "properties": {
                        "municipality": {
                            "type": "object",
                            "required": ["name", "slug", *_LINKS],
                            "properties": {
                                "name": {"type": "string"},
                                "slug": {"type": "string"},
                                **_LINKS,
                            },
                            "additionalProperties": False,
                        },
                        "from": _DAY,
                        "to": _DAY,
                        "covered": _COUNT,
                        "uncovered": _COUNT,
                        "areas": {"type": "array", "items": {"$ref": "#/components/schemas/Area"}},
                        "nights": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Night"},
                        },
                    },
                    "additionalProperties": False,
                },
            }
        },
    }
