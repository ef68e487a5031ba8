"""No form escapes the fuzzing.

Every POST endpoint of the URL map is the endpoint of a target in some ``test_<area>`` module
of this package, or listed in ``NOT_FUZZED`` with the reason. Every FlaskForm class in
``nattvandring`` is named by a target (which checks that it really validates the target's
submission), or listed in ``FORMS_NOT_FUZZED``. And an endpoint left out must earn it: posted
a field by an actor it lets in, it may read none (a button, nothing to type). So a new form,
a new field on a button, or a target that no longer reaches its form fails here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from flask_wtf import FlaskForm

import nattvandring
import tests.security.hostile as hostile
from nattvandring import clock
from nattvandring.app import create_app
from tests.security.conftest import NOW, fingerprint
from tests.security.hostile.harness import Target
from tests.security.hostile.recording import Watch, listening
from tests.security.matrix_runner import (
    REFUSED,
    STAFF,
    actors_of,
    is_login_redirect,
    parse_spec,
    rules_of,
)
from tests.support.access_matrix import spec_for

#: POST endpoints without anything to type: the form is a button (only the CSRF token, and
#: the ids in the URL, which the access matrix covers). Checked below: they read no field.
NOT_FUZZED = {
    "accounts.logout": "the log-out button",
    "booking.book": "the book button on a shift",
    "booking.join_reserve": "the join-the-reserve-list button",
    "booking.withdraw_reserve": "the leave-the-reserve-list button",
    "booking.roster_remove": "the remove button on a roster row",
    "calendars.rotate_association": "the new-feed-link button (association)",
    "calendars.rotate_personal": "the new-feed-link button (personal page)",
    "messaging.retry": "the retry button on a failed SMS (RetryForm: the CSRF token only)",
    "reports.approve_report": "the approve button on a submitted report",
    "rounds.draw": "the draw-now button of a booking round",
    "reports.start": "the write-a-report button on a booking",
    "sponsorship.run_delete": "the delete button on a draft run",
    "sponsorship.run_recompute": "the recompute button on a draft run",
    "sponsorship.withdraw": "the withdraw button on an enrolment",
    "volunteers.confirm": "the I-am-coming button on the personal page",
    "volunteers.decline": "the I-cannot-come button on the personal page",
    "volunteers.signup": "the sign-up button on the personal page",
    "volunteers.rotate": "the new-personal-link button on the personal page",
    "volunteers.rotate_link": "the new-personal-link button on the member page",
    "volunteers.remove": "the remove-member button",
    "volunteers.request_remove": "the take-back-the-question button on the member list",
    "volunteers.question_accept": "the join button on the personal page",
    "volunteers.question_decline": "the do-not-join button on the personal page",
    "accounts.invitation_code": "the send-a-code button of an invitation",
    "accounts.confirm_email": "the use-this-address button behind an e-mailed link",
    "associations.register_code": "the send-a-code button of an application",
    "checkins.personal_check_in": "the check-in button on the personal page",
    "checkins.personal_check_out": "the check-out button on the personal page",
    "checkins.group_check_in": "the check-in-the-whole-group button on the group page",
    "checkins.walker_check_in": "the check-in button on a walker of the group page",
    "checkins.walker_check_out": "the check-out button on a walker of the group page",
}

#: FlaskForm classes that no target names, and why.
FORMS_NOT_FUZZED = {
    "nattvandring.associations.forms.AssociationProfileForm": (
        "the shared base of AssociationEditForm and RegistrationForm, never used on its own"
    ),
    "nattvandring.messaging.forms.OutboxFilterForm": (
        "the GET filter of /messages: its query string is fuzzed by test_query_strings"
    ),
    "nattvandring.messaging.forms.RetryForm": "the CSRF token of the retry button only",
    "nattvandring.accounts.forms.ButtonForm": "the CSRF token of a yes button only",
    "nattvandring.checkins.forms.CheckForm": "the CSRF token of a check-in button only",
}


def _targets() -> list[Target]:
    found = []
    for module in pkgutil.iter_modules(hostile.__path__):
        if module.name.startswith("test_") and module.name != "test_coverage":
            loaded = importlib.import_module(f"{hostile.__name__}.{module.name}")
            found += getattr(loaded, "TARGETS", [])
    return found


TARGETS = _targets()
APP = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "coverage-routes-only"})
POST_ENDPOINTS = sorted({r.endpoint for r in rules_of(APP) if "POST" in r.methods})


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _flask_forms() -> set[str]:
    for module in pkgutil.walk_packages(nattvandring.__path__, "nattvandring."):
        importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for cls in todo.pop().__subclasses__():
            todo.append(cls)
            if cls.__module__.startswith("nattvandring."):
                found.add(_name(cls))
    return found


def test_targets_are_named_once_and_the_modules_were_found():
    names = [target.name for target in TARGETS]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert len(TARGETS) > 40, len(TARGETS)


def test_every_post_endpoint_is_fuzzed_or_excluded_with_a_reason():
    fuzzed = {target.endpoint for target in TARGETS}
    neither = [e for e in POST_ENDPOINTS if e not in fuzzed and e not in NOT_FUZZED]
    assert not neither, f"POST endpoints neither fuzzed nor in NOT_FUZZED: {neither}"
    both = sorted(fuzzed & set(NOT_FUZZED))
    assert not both, f"fuzzed and excluded at once: {both}"
    stale = sorted((set(NOT_FUZZED) | fuzzed) - set(POST_ENDPOINTS))
    assert not stale, f"entries for endpoints that take no POST (any more): {stale}"


def test_every_flask_form_is_fuzzed_or_excluded_with_a_reason():
    forms = _flask_forms()
    assert len(forms) > 30, forms  # the walk really imported the areas
    named = {_name(cls) for target in TARGETS for cls in target.forms}
    neither = sorted(forms - named - set(FORMS_NOT_FUZZED))
    assert not neither, f"FlaskForms neither named by a target nor in FORMS_NOT_FUZZED: {neither}"
    both = sorted(named & set(FORMS_NOT_FUZZED))
    assert not both, f"named by a target and excluded at once: {both}"
    stale = sorted(set(FORMS_NOT_FUZZED) - forms)
    assert not stale, f"excluded forms that no longer exist: {stale}"


def _admitted(rule) -> tuple[str, str]:
    """An actor the access matrix lets through ``rule``'s POST, and the answer it gets."""
    spec = spec_for(rule.endpoint, "POST")
    assert spec is not None, rule.endpoint
    for actor, outcome in parse_spec(spec, actors_of(rule)).items():
        # "login" is where logging out ends: a success for someone logged in.
        if outcome not in REFUSED or (outcome == "login" and actor in STAFF):
            return actor, outcome
    raise AssertionError(f"nobody may post to {rule.endpoint}: {spec}")


@pytest.mark.parametrize("endpoint", sorted(NOT_FUZZED))
def test_an_excluded_endpoint_reads_no_field(matrix, endpoint):
    rule = next(r for r in rules_of(matrix.app) if r.endpoint == endpoint)
    actor, outcome = _admitted(rule)
    watch = Watch()
    clock.freeze(NOW)  # the matrix world's Monday morning
    with listening(watch):
        response = matrix.clients[actor].post(matrix.url(rule, actor), data={"probe": "1"})
    assert response.status_code < 500, response.status_code
    # The answer the access matrix expects (sent an empty form): the view did its work.
    got = "login" if is_login_redirect(response.headers.get("Location", "")) else None
    assert (got or str(response.status_code)) == outcome, (actor, response.status_code)
    assert not watch.keys, f"{endpoint} reads {sorted(watch.keys)}: fuzz it instead"
    validated = {_name(cls) for cls in watch.forms}
    assert validated <= set(FORMS_NOT_FUZZED), validated
    if fingerprint(matrix.engine) != matrix.clean:
        matrix.restore(actor)


def test_the_target_modules_define_nothing_the_coverage_misses():
    """Each target module lists its targets as TARGETS (what _targets collects)."""
    for module in pkgutil.iter_modules(hostile.__path__):
        if not module.name.startswith("test_") or module.name == "test_coverage":
            continue
        loaded = importlib.import_module(f"{hostile.__name__}.{module.name}")
        listed = {id(target) for target in getattr(loaded, "TARGETS", [])}
        stray = [
            name
            for name, value in inspect.getmembers(loaded)
            if isinstance(value, Target) and id(value) not in listed
        ]
        assert not stray, (module.name, stray)
