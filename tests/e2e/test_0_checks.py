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


# On a phone: the row's action sits at the right of a table that scrolls sideways inside its
# box (the page itself does not scroll; the table is not cards), and a header menu that never
# folds, with short links.
ACTION_OFF_SCREEN = """<!doctype html><html lang="sv"><head><title>Rapporter</title></head><body>
<header class="site-header"><nav id="main-nav" aria-label="Huvudmeny"><ul>
  <li><a href="/a" style="font-size:10px;line-height:10px;display:inline-block">Översikt</a></li>
</ul></nav></header>
<main><h1>Rapporter</h1>
  <div style="overflow-x:auto" tabindex="0" aria-label="Rapporter"><table><tr>
    <td style="min-width:400px">Fredag 4 december</td>
    <td><button type="button">Skriv rapport</button></td>
  </tr></table></div>
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


def test_the_phone_check_finds_actions_off_screen_and_a_header_that_does_not_fold(page):
    page.set_content(ACTION_OFF_SCREEN)
    checks = PageChecks()
    checks.run(page)
    details = [f.detail for f in checks.findings if f.check == "mobile"]
    assert not any(d.startswith("scrolls sideways") for d in details), details
    assert any('button "Skriv rapport"' in d and "outside the 390 px" in d for d in details)
    # The table scrolls sideways inside its (focusable, named) box: a list's rows are cards.
    assert any(d.endswith("make its rows cards (table.stack)") for d in details), details
    header = [f.detail for f in checks.findings if f.check == "mobile header"]
    assert "the menu does not fold" in header, header
    assert any(d.startswith('"Översikt" is') for d in header), header


FOLDED_MENU = """<!doctype html><html lang="sv"><head><title>Meny</title></head><body>
<header><nav aria-label="Huvudmeny">
  <button type="button" id="menu-button" aria-expanded="false" aria-controls="main-menu"
    onclick="const open = this.getAttribute('aria-expanded') !== 'true';
             this.setAttribute('aria-expanded', String(open));
             document.getElementById('main-menu').hidden = !open">Meny</button>
  <ul id="main-menu" hidden><li><a href="#rapporter">Rapporter</a></li></ul>
</nav></header><main><h1>Meny</h1></main></body></html>"""


def test_the_keyboard_opens_a_folded_menu_to_reach_its_links(page):
    page.set_content(FOLDED_MENU)
    keys = Keyboard(page, PageChecks())
    link = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Rapporter")
    assert link.count() == 0  # folded away
    keys.focus(link)
    assert page.locator("#menu-button").get_attribute("aria-expanded") == "true"
    assert link.evaluate("el => el === document.activeElement")
