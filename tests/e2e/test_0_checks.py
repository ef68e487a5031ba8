"""The page checks and the keyboard driver catch what they claim to catch (on a bad page)."""

from __future__ import annotations

import pytest

from .checks import PHONE, PageChecks
from .keyboard import Keyboard

BAD_PAGE = """<!doctype html><html lang="sv"><head><title>Dålig sida</title></head><body>
<main>
  <h1>Dålig sida</h1>
  <p style="color:#b0b0b0;background:#ffffff">Nästan osynlig text</p>
  <form><input name="namn"><span class="error-text">Fyll i namnet</span></form>
  <div style="width:800px">En bred ruta</div>
  <div onclick="void 0">Inte nåbar med Tab</div>
</main></body></html>"""

# Sideways scrolling that hides: a scrolling box nobody can focus, and a positioned label
# that escapes it (its containing block is outside the box) and widens the page.
HIDDEN_OVERFLOW = """<!doctype html><html lang="sv"><head><title>Bred tabell</title></head><body>
<main><h1>Bred tabell</h1>
  <div style="overflow-x:auto"><table><tr><td style="min-width:800px">Siffror
    <span style="position:absolute;left:700px;width:1px;overflow:hidden">dold</span>
  </td></tr></table></div>
</main></body></html>"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_checks_find_axe_errors_unlinked_messages_and_sideways_scrolling(page):
    page.set_content(BAD_PAGE)
    checks = PageChecks()
    checks.run(page)
    found = {(f.check, f.detail.split(" ")[0]) for f in checks.findings}
    assert ("axe", "color-contrast") in found
    assert ("axe", "label") in found
    assert ("error message", "error") in found
    assert ("mobile", "scrolls") in found
    assert page.viewport_size == {"width": 1280, "height": 900}  # restored after the check
    assert PHONE["width"] == 390


def test_the_phone_check_sees_overflow_that_escapes_a_scrolling_box(page):
    page.set_content(HIDDEN_OVERFLOW)
    checks = PageChecks()
    checks.run(page)
    details = [f.detail for f in checks.findings if f.check == "mobile"]
    assert any(d.startswith("scrolls sideways at 390 px") and "span" in d for d in details)
    assert any(d.endswith("has no tabindex and name") for d in details), details


def test_the_keyboard_refuses_what_tab_cannot_reach(page):
    page.set_content(BAD_PAGE)
    keys = Keyboard(page, PageChecks())
    keys.focus(page.locator("input[name=namn]"))
    with pytest.raises(AssertionError, match="not reachable with Tab"):
        keys.focus(page.locator("div[onclick]"))
