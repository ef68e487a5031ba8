"""Comparing rendered pages: a cached page against a fresh render, over random histories."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

MAIN = re.compile(r"<main.*?</main>", re.S)
CSRF_TOKEN = re.compile(r'name="csrf_token" value="[^"<]+"')


def main_of(response) -> str:
    """The page's main element, CSRF tokens (each session's own) left out; the page must
    have been shown (an error page has a main element too) with every slot of a cached
    fragment filled (web/page_cache.py, volunteers/personal_page.py)."""
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    assert "-slot/>" not in html, "a cached fragment's slot was not filled"
    found = MAIN.search(html)
    assert found
    return CSRF_TOKEN.sub('name="csrf_token" value="…"', found.group(0))


def histories(kinds: Sequence[str], max_size: int = 8) -> st.SearchStrategy:
    """Lists of (kind of change, a number that chooses its row and value)."""
    return st.lists(
        st.tuples(st.sampled_from(list(kinds)), st.integers(min_value=0, max_value=1000)),
        min_size=1,
        max_size=max_size,
    )


def committed(db, change: Callable[[], None]) -> None:
    """One change of a history, committed; one the database refuses (the same night twice in
    an area) is rolled back, and the history goes on without it."""
    try:
        change()
        db.commit()
    except IntegrityError:
        db.rollback()
