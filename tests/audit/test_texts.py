"""Audit entries read as sentences in Swedish and English, never as developer codes."""

from __future__ import annotations

import ast
import pathlib

import pytest

from nattvandring.audit import texts


@pytest.fixture
def english(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def swedish(app):
    with app.test_request_context():
        yield


def test_a_declined_walker_reads_as_a_sentence_in_swedish(swedish):
    assert texts.sentence("roster.declined", 710, "shift=182") == (
        "En vandrare tackade nej till pass #182"
    )
    assert texts.details_text("shift=182") == ""


def test_the_same_entry_in_english(english):
    assert texts.sentence("roster.declined", 710, "shift=182") == ("A walker declined shift #182")
    assert texts.sentence("roster.added", 5, "shift=9; user=7") == (
        "Added person #7 to the group of shift #9"
    )


def test_details_are_translated_fields_and_phrases(english):
    assert texts.details_text("new person") == "new person"
    assert texts.details_text("shift=4; reason=Sjuk ledare") == "reason: Sjuk ledare"
    assert texts.details_text(
        "2026-03-01–2026-05-31 21:00–01:00; Centrum; skapade 12, hoppade över 1"
    ) == ("2026-03-01–2026-05-31 21:00–01:00; Centrum; 12 created, 1 already existed")
    assert texts.details_text(
        "max_associations_per_shift: 1 → 2; allow_reserve_list: True → False"
    ) == ("Associations per shift: 1 → 2; Associations may join a waiting list: yes → no")


def test_swedish_details_say_the_same_in_swedish(swedish):
    assert texts.details_text("new person") == "ny person"
    assert texts.details_text("skapade 3, hoppade över 0") == "3 skapade, 0 fanns redan"
    assert texts.sentence("report.correct", 3, "walker=8 delta=-60") == (
        "Rättade tiden för vandrare #8 i rapport #3"
    )
    assert texts.details_text("walker=8 delta=-60") == "-60 minuter"
    assert texts.details_text("nudge_still_out: True → False") == (
        "SMS till ledaren när någon är incheckad två timmar efter passets slut: ja → nej"
    )


def test_an_unknown_kind_is_not_shown_as_a_code(swedish):
    assert texts.sentence("something.new", 1) == "Händelse av okänt slag"


def _written_actions() -> set[str]:
    """Every literal ``action=`` the services pass to the audit log."""
    root = pathlib.Path(__file__).resolve().parents[2] / "nattvandring"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "action":
                for const in ast.walk(node.value):
                    value = const.value if isinstance(const, ast.Constant) else None
                    if isinstance(value, str) and "." in value and not value.endswith("."):
                        found.add(value)
    return found


def test_every_kind_the_services_write_has_a_sentence():
    written = _written_actions() | {"roster.confirmed", "roster.declined"}
    written |= {f"association.{s}" for s in ("approved", "pending", "suspended")}
    assert written, "no audit actions found"
    assert written <= set(texts.SENTENCES), written - set(texts.SENTENCES)
