"""Drive a page the way a keyboard user does: Tab until the control has focus, then Enter,
Space, arrow keys or typing. Nothing here clicks or calls ``element.focus()``: a control
that Tab never reaches fails the journey, which is the keyboard-only check.

Every page reached by a navigation is handed to ``PageChecks`` (axe, 390 px, error texts).
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from playwright.sync_api import Download, Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from .checks import PageChecks

_IS_FOCUSED = "el => el === document.activeElement"
_TABBABLE = """() => document.querySelectorAll(
  'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]'
).length"""
_DESCRIBE = """el => {
  const text = el.getAttribute('aria-label') || el.innerText || el.value || el.name || '';
  return el.tagName.toLowerCase() + ' "' + text.trim().slice(0, 60) + '"';
}"""


class Keyboard:
    def __init__(self, page: Page, checks: PageChecks) -> None:
        self.page = page
        self.checks = checks

    # -- arriving on a page -------------------------------------------------------------------
    def open(self, url: str) -> None:
        """Type a URL or tap a link in another app (an SMS): the only non-keyboard way in."""
        self.page.goto(url)
        self.arrived()

    def arrived(self) -> None:
        self.page.wait_for_load_state("load")
        self.checks.run(self.page)

    # -- focus --------------------------------------------------------------------------------
    def focus(self, target: Locator) -> None:
        """Press Tab until ``target`` (exactly one element) has focus, wrapping round once."""
        count = target.count()
        if (count == 0 or (count == 1 and not target.is_visible())) and self.unfold_menu():
            count = target.count()  # a main-menu link, folded away on a phone
        if count != 1:
            raise AssertionError(f"expected one element for {target}, found {count}")
        handle = target.element_handle()
        assert handle is not None
        # Date and time fields take one Tab per part, so allow several per control.
        limit = 4 * int(self.page.evaluate(_TABBABLE)) + 10
        for _ in range(limit):
            if self.page.evaluate(_IS_FOCUSED, handle):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(
            f"{self.page.evaluate(_DESCRIBE, handle)} on {self.page.url} is not reachable "
            f"with Tab ({limit} presses)"
        )

    def unfold_menu(self) -> bool:
        """On a phone the main menu is folded behind its button: Tab to it and press Enter.
        Returns whether a folded menu was opened."""
        button = self.page.locator("#menu-button")
        if button.count() != 1 or not button.is_visible():
            return False
        if button.get_attribute("aria-expanded") != "false":
            return False
        self.press(button)
        assert button.get_attribute("aria-expanded") == "true", "the menu button opened nothing"
        return True

    # -- actions ------------------------------------------------------------------------------
    def follow(self, target: Locator, key: str = "Enter") -> None:
        """Focus a link or submit button and press ``key``; wait for the next page."""
        self.focus(target)
        with self.page.expect_navigation():
            self.page.keyboard.press(key)
        self.arrived()

    def press(self, target: Locator, key: str = "Enter") -> None:
        """Focus ``target`` and press ``key`` without expecting a new page."""
        self.focus(target)
        self.page.keyboard.press(key)

    def type(self, target: Locator, text: str) -> None:
        self.focus(target)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Backspace")
        if text:
            self.page.keyboard.type(text)
        assert target.input_value() == text, f"{target} holds {target.input_value()!r}"

    def date(self, target: Locator, day: date) -> None:
        """A date field in a Swedish browser: year, then (arrow right) month and day."""
        self.focus(target)
        self.page.keyboard.type(f"{day.year:04d}")
        self.page.keyboard.press("ArrowRight")
        self.page.keyboard.type(f"{day.month:02d}{day.day:02d}")
        assert target.input_value() == day.isoformat(), (
            f"typed {day} but the field holds {target.input_value()!r}: is the browser's "
            "language Swedish (chromium-l10n installed)?"
        )

    def time(self, target: Locator, at: time, typed: str | None = None) -> None:
        """A time field, typed as an iPhone's number pad gives it: digits only ("2200"),
        unless ``typed`` says otherwise ("22,00" from a Swedish decimal pad)."""
        text = typed if typed is not None else f"{at.hour:02d}{at.minute:02d}"
        assert target.get_attribute("type") in (None, "text"), "a time field is a text field"
        self.type(target, text)

    def choose(self, target: Locator, label: str) -> None:
        """Pick an option of a closed <select> with the arrow keys."""
        self.focus(target)
        options = target.locator("option").all_inner_texts()
        matching = [i for i, text in enumerate(options) if text.strip() == label]
        assert matching, f"no option {label!r} in {options}"
        self.page.keyboard.press("Home")
        for _ in range(matching[0]):
            self.page.keyboard.press("ArrowDown")
        chosen = target.evaluate("el => el.options[el.selectedIndex].text")
        assert chosen.strip() == label, f"chose {chosen!r}, wanted {label!r}"

    def tick(self, target: Locator, on: bool = True) -> None:
        """Set a checkbox with Space."""
        self.focus(target)
        if target.is_checked() != on:
            self.page.keyboard.press("Space")
        assert target.is_checked() == on

    def upload(self, target: Locator, path: Path) -> None:
        """Open the file chooser of a file field with Space and pick ``path``."""
        self.focus(target)
        # Headless Chromium now and then ignores the key (about 1 in 10 here): press again,
        # as a person would when the dialog does not open.
        for attempt in range(3):
            try:
                with self.page.expect_file_chooser(timeout=3000) as chooser:
                    self.page.keyboard.press("Space")
            except PlaywrightTimeoutError:
                if attempt == 2:
                    raise
                continue
            chooser.value.set_files(str(path))
            return

    def download(self, target: Locator) -> Download:
        self.focus(target)
        with self.page.expect_download() as download:
            self.page.keyboard.press("Enter")
        return download.value

    def reload(self) -> None:
        """The browser's reload (F5): a browser command, not a control on the page."""
        self.page.reload()
        self.arrived()
