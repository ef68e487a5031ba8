"""The open-data API (``/api/v1``), its OpenAPI description and the embeddable widget.

Public and read-only: no login, no cookie needed, nothing written. Each payload is built
field by field from public facts (``policy``), in a constant number of queries
(``services``).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby

from flask import render_template, request, url_for
from flask_babel import format_date

from .. import dates
from ..clock import to_local, utcnow
from ..db import db_session
from ..i18n import _
from ..municipalities.blueprint import public_municipality
from ..municipalities.models import Municipality
from . import openapi, policy, services
from .blueprint import API_PREFIX, bp, json_error, json_response


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter, self.message = parameter, message


@bp.errorhandler(BadParameter)
def _bad_parameter(exc: BadParameter):
    return json_error(400, "invalid_parameter", exc.message, parameter=exc.parameter)


def _day_param(name: str, default: date) -> date:
    raw = request.args.get(name)
    if raw is None:
        return default
    day = dates.parse_day(raw)
    if day is None:
        raise BadParameter(
            name,
            _(
                "Ange ett datum (ÅÅÅÅ-MM-DD) mellan %(first)s och %(last)s.",
                first=dates.FIRST_DAY.isoformat(),
                last=dates.LAST_DAY.isoformat(),
            ),
        )
    return day


def _area_param() -> int | None:
    raw = request.args.get("area")
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise BadParameter("area", _("Området anges med sitt id, ett positivt heltal."))
    return int(raw)


def _municipality_links(municipality: Municipality) -> dict[str, str]:
    feed = url_for("calendars.municipality_feed", slug=municipality.slug, _external=True)
    return {
        "page_url": url_for("planning.public", slug=municipality.slug, _external=True),
        "nights_url": url_for("opendata.nights", slug=municipality.slug, _external=True),
        "widget_url": url_for("opendata.widget", slug=municipality.slug, _external=True),
        "feed_url": feed,
        "webcal_url": "webcal://" + feed.split("://", 1)[1],
    }


@bp.get(f"{API_PREFIX}/municipalities")
def municipalities():
    monday, sunday = services.current_week()
    summary = services.week_summary(db_session(), first=monday, last=sunday)
    return json_response(
        {
            "from": monday.isoformat(),
            "to": sunday.isoformat(),
            "municipalities": [
                {
                    "name": item.municipality.name,
                    "slug": item.municipality.slug,
                    "covered": item.tally.covered,
                    "uncovered": item.tally.uncovered,
                    **_municipality_links(item.municipality),
                }
                for item in summary
            ],
        }
    )


def _night(night: services.Night) -> dict[str, object]:
    shift = night.row.shift
    special = (
        None
        if night.special_key is None
        else {"key": night.special_key, "name": night.special_name}
    )
    return {
        "date": night.row.local_day.isoformat(),
        "start": to_local(shift.start_at).isoformat(),
        "end": to_local(shift.end_at).isoformat(),
        "area_id": shift.area_id,
        "area": night.row.area_name,
        "covered": night.covered,
        "associations": list(night.row.associations),
        "special": special,
    }


@bp.get(f"{API_PREFIX}/municipalities/<slug>/nights")
def nights(slug: str):
    municipality = public_municipality(slug)
    today = to_local(utcnow()).date()
    first = _day_param("from", today)
    last = _day_param("to", first + timedelta(days=policy.DEFAULT_DAYS - 1))
    problem = policy.window_problem(first, last)
    if problem == "reversed":
        raise BadParameter("to", _("Slutdatumet ligger före startdatumet."))
    if problem is not None:
        raise BadParameter(
            "to", _("Ett fönster får vara högst %(days)s dagar.", days=policy.MAX_DAYS)
        )
    area_id = _area_param()
    found = services.municipality_nights(
        db_session(), municipality, first=first, last=last, area_id=area_id
    )
    if area_id is not None and not found.areas:
        return json_error(404, "not_found", _("Området finns inte i kommunen."))
    links = _municipality_links(municipality)
    areas = []
    for item in found.areas:
        feed = url_for(
            "calendars.area_feed", slug=municipality.slug, area_id=item.area.id, _external=True
        )
        areas.append(
            {
                "id": item.area.id,
                "name": item.area.name,
                "meeting_point": item.area.meeting_point,
                "latitude": item.area.latitude,
                "longitude": item.area.longitude,
                "feed_url": feed,
                "covered": item.tally.covered,
                "uncovered": item.tally.uncovered,
            }
        )
    return json_response(
        {
            "municipality": {"name": municipality.name, "slug": municipality.slug, **links},
            "from": first.isoformat(),
            "to": last.isoformat(),
            "covered": found.tally.covered,
            "uncovered": found.tally.uncovered,
            "areas": areas,
            "nights": [_night(night) for night in found.nights],
        }
    )


@bp.get(f"{API_PREFIX}/openapi.json")
def openapi_description():
    return json_response(openapi.description())


@bp.get("/kommun/<slug>/widget")
def widget(slug: str):
    municipality = public_municipality(slug)
    today = to_local(utcnow()).date()
    found = services.municipality_nights(
        db_session(),
        municipality,
        first=today,
        last=today + timedelta(days=policy.WIDGET_DAYS - 1),
        upcoming_only=True,
    )
    shown = found.nights[: policy.WIDGET_MAX_NIGHTS]
    by_day = [(day, list(items)) for day, items in groupby(shown, key=lambda n: n.row.local_day)]
    body = render_template(
        "opendata/widget.html",
        municipality=municipality,
        by_day=by_day,
        more=len(found.nights) - len(shown),
        format_day=lambda day: format_date(day, "EEEE d MMMM"),
    )
    return (
        body,
        200,
        {
            "Content-Security-Policy": policy.WIDGET_CSP,
            "Cache-Control": policy.CACHE_CONTROL,
            "Vary": "Accept-Language, Cookie",
        },
    )
