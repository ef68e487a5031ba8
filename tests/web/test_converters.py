"""Ids in URLs: a number no id column holds matches no route, so it is a 404, never a 500."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from nattvandring.web.converters import IdConverter
from nattvandring.web.forms_util import MAX_ID
from tests.factories import login


def _id_rules(app):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, IdConverter) for c in rule._converters.values())
    ]
    assert len(rules) > 50  # every <int:...> of the app, not a handful
    return rules


def _path(adapter, rule, number: int) -> str:
    values = {
        name: number if isinstance(converter, IdConverter) else "x"
        for name, converter in rule._converters.items()
    }
    return adapter.build(rule.endpoint, values)


def test_every_int_in_a_route_is_capped_at_the_largest_id(app):
    adapter = app.url_map.bind("localhost")
    for rule in _id_rules(app):
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        largest = _path(adapter, rule, MAX_ID)
        assert adapter.match(largest, method=method)[0] == rule.endpoint, largest
        too_large = _path(adapter, rule, MAX_ID + 1)
        try:
            endpoint, _args = adapter.match(too_large, method=method)
        except (NotFound, MethodNotAllowed):
            continue
        # Another route may take the text as a string (a <path:>); never this one.
        assert endpoint != rule.endpoint, too_large


@pytest.mark.parametrize(
    "path",
    [
        "/booking/99999999999/calendar",
        "/booking/bookings/2147483648/roster",
        "/walks/99999999999.ics",
    ],
)
def test_a_huge_id_answers_404(client, world, path):
    login(client, world.emails["leader_a"])
    assert client.get(path).status_code == 404
