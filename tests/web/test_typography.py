"""Swedish typography in the stylesheets: dates are written as the locale writes them (no
text-transform: "fredag 4 december", "januari 2027"), and names in the month calendars wrap
between words, hyphenated by the page's language, never mid-word by force."""

from __future__ import annotations

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "css"
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _rules():
    for path in sorted(CSS.glob("*.css")):
        text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        for selector, body in RULE.findall(text):
            yield path.name, " ".join(selector.split()), body


DATED = re.compile(r"month|day|date|week|calendar|time", re.I)


def test_no_stylesheet_changes_the_case_of_dates():
    """Month and weekday names come from Babel in the reader's language, case included."""
    found = [
        (name, sel)
        for name, sel, body in _rules()
        if "text-transform" in body and (DATED.search(sel) or sel.strip() in ("h1", "h2", "body"))
    ]
    assert not found, found


def test_calendar_names_wrap_between_words():
    calendar = [
        (name, sel, body) for name, sel, body in _rules() if re.search(r"\.month-(grid|day)\b", sel)
    ]
    assert calendar
    for name, sel, body in calendar:
        assert not re.search(r"overflow-wrap:\s*anywhere|word-break:\s*break-all", body), (
            name,
            sel,
        )
    hyphenated = {sel for _n, sel, body in calendar if re.search(r"hyphens:\s*auto", body)}
    assert ".month-grid td" in hyphenated and ".month-day" in hyphenated, hyphenated


def test_pages_say_their_language_so_the_browser_hyphenates_in_it():
    base = (CSS.parents[1] / "templates" / "base.html").read_text(encoding="utf-8")
    assert '<html lang="{{ current_locale() }}">' in base
