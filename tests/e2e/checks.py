"""What every page a journey visits must pass: axe-core, no sideways scrolling at 390 px, every
action within the phone's width (none in a table scrolled sideways), a folded header menu with
tap targets of 24 px (44 px for the menu button), and error messages tied to their fields.
Findings are collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).parent / "assets" / "axe.min.js").read_text(encoding="utf-8")
FAILING_IMPACTS = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).parent / "screenshots"

_RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  }));
}"""

# The page must not scroll sideways; name the widest elements when it does.
_OVERFLOW = """() => {
  const root = document.documentElement;
  const width = Math.min(root.clientWidth, window.innerWidth);
  if (root.scrollWidth <= width && document.body.scrollWidth <= width) return null;
  const classes = el => typeof el.className === 'string' && el.className.trim()
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el);
  // Inside a scrolling box (a wide table) only what escapes it counts: positioned elements
  // whose containing block is outside the box, for example.
  const clipped = el => {
    if (['absolute', 'fixed'].includes(getComputedStyle(el).position)) return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement)
      if (getComputedStyle(up).overflowX !== 'visible') return true;
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')]
    .filter(el => !clipped(el))
    .map(el => [el, el.getBoundingClientRect().right])
    .filter(([el, right]) => right > width + 1)
    .sort((a, b) => b[1] - a[1]).slice(0, 6)
    .map(([el, right]) => describe(el) + ' (right edge ' + Math.round(right) + ' px)');
  return {scrollWidth: root.scrollWidth, width, wide};
}"""

# Every control a person taps (links, buttons, fields) lies within the phone's width: none sits
# off-screen in a table that scrolls sideways. Hidden and visually hidden elements (the skip
# link, screen-reader texts) don't count.
_OFF_SCREEN = """() => {
  const width = Math.min(document.documentElement.clientWidth, window.innerWidth);
  const describe = el => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    return el.tagName.toLowerCase() + ' "' + text + '"';
  };
  return [...document.querySelectorAll(
      'a[href], button, input:not([type=hidden]), select, textarea, summary')]
    .map(el => [el, el.getBoundingClientRect()])
    .filter(([el, r]) => r.width > 2 && r.height > 2 && r.right > 0)
    .filter(([el, r]) => getComputedStyle(el).visibility !== 'hidden')
    .filter(([el, r]) => r.right > width + 1 || r.left < -1)
    .slice(0, 6)
    .map(([el, r]) =>
      describe(el) + ' (' + Math.round(r.left) + '–' + Math.round(r.right) + ' px)');
}"""

# The header on a phone: the menu folds behind a button of at least 44×44 px, the header is
# at most 120 px tall, and every link or button of the header (the open menu's too) is at
# least 24 px tall. The menu is opened for the measurement and closed again.
_HEADER = """() => {
  const problems = [];
  const header = document.querySelector('.site-header');
  if (!header) return problems;
  const tall = header.getBoundingClientRect().height;
  if (tall > 120) problems.push('the header is ' + Math.round(tall) + ' px tall');
  const button = document.getElementById('menu-button');
  const folded = button && button.getClientRects().length > 0;
  if (document.getElementById('main-nav') && !folded) problems.push('the menu does not fold');
  if (folded) {
    const r = button.getBoundingClientRect();
    if (r.width < 44 || r.height < 44)
      problems.push(
        'the menu button is ' + Math.round(r.width) + '×' + Math.round(r.height) + ' px');
    if (button.getAttribute('aria-expanded') !== 'false')
      problems.push('the folded menu is open on arrival');
    if (!document.getElementById(button.getAttribute('aria-controls') || ''))
      problems.push('the menu button controls nothing');
    button.click();
    if (button.getAttribute('aria-expanded') !== 'true')
      problems.push('the menu button opens nothing');
  }
  for (const el of header.querySelectorAll('a[href], button')) {
    const r = el.getBoundingClientRect();
    const name = '"' + (el.innerText || '').trim() + '"';
    if (!el.getClientRects().length) {
      problems.push(name + ' is hidden in the open menu');
      continue;
    }
    if (r.height < 24) problems.push(name + ' is ' + Math.round(r.height) + ' px tall');
  }
  if (folded) button.click();
  return problems;
}"""

# A box that scrolls sideways at this width (a wide table) must take keyboard focus itself,
# so that the arrow keys can scroll it, and say what it holds.
_SCROLLERS = """() => [...document.body.querySelectorAll('*')]
  .filter(el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .filter(el => !(el.tabIndex >= 0 &&
    (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'))))
  .map(el => el.tagName.toLowerCase() + '.' + el.className + ' (' + el.scrollWidth + ' px)')"""

# A table that scrolls sideways at this width: wider than the box it scrolls in (or than the
# screen). On list pages a row is a card instead (table.stack), so its action is in reach.
_WIDE_TABLES = """() => {
  const width = Math.min(document.documentElement.clientWidth, window.innerWidth);
  const found = [];
  for (const table of document.querySelectorAll('main table')) {
    if (!table.getClientRects().length) continue;
    let box = null;
    for (let up = table.parentElement; up && up !== document.body; up = up.parentElement)
      if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) { box = up; break; }
    const wide = box ? box.scrollWidth > box.clientWidth + 1
                     : table.getBoundingClientRect().right > width + 1;
    if (!wide) continue;
    const head = table.querySelector('caption, th');
    const name = (box && box.getAttribute('aria-label')) ||
      (head ? head.innerText.trim().slice(0, 40) : '');
    found.push('table' + (table.className ? '.' + table.className.split(/\\s+/).join('.') : '') +
      ' "' + name + '" (' + Math.round(box ? box.scrollWidth : table.scrollWidth) + ' px)');
  }
  return found;
}"""

# Every visible error message in a form has an id that a field (or fieldset) names in its
# aria-describedby, and every field marked invalid points at an existing description.
_ERRORS = """() => {
  const problems = [];
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  for (const el of document.querySelectorAll('form .error-text, form [role=alert]')) {
    if (!visible(el)) continue;
    const text = el.textContent.trim().slice(0, 80);
    if (!el.id) { problems.push('error without an id: ' + text); continue; }
    const owner = document.querySelector('[aria-describedby~="' + CSS.escape(el.id) + '"]');
    if (!owner) problems.push('error #' + el.id + ' is not in any aria-describedby: ' + text);
  }
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
    if (!ids.some(id => document.getElementById(id)))
      problems.push((el.name || el.id) + ' is invalid but describes no error');
  }
  return problems;
}"""


@dataclass(frozen=True)
class Finding:
    where: str
    check: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.check}: {self.detail}"


@dataclass
class PageChecks:
    """Runs the checks on a page; ``findings`` holds every problem seen, ``visited`` the URLs."""

    findings: list[Finding] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def run(self, page: Page) -> None:
        parts = urlsplit(page.url)
        where = parts.path + (f"?{parts.query}" if parts.query else "")
        self.visited.append(where)
        self._axe(page, where)
        self._errors_described(page, where)
        self._fits_a_phone(page, where)

    def _axe(self, page: Page, where: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated over the DevTools protocol: our Content-Security-Policy stays on.
            page.evaluate(AXE_SOURCE)
        for violation in page.evaluate(_RUN_AXE):
            if violation["impact"] in FAILING_IMPACTS:
                detail = f"{violation['id']} ({violation['impact']}): {violation['help']} " + (
                    f"at {', '.join(violation['nodes'])}"
                )
                self.findings.append(Finding(where, "axe", detail))

    def _errors_described(self, page: Page, where: str) -> None:
        for problem in page.evaluate(_ERRORS):
            self.findings.append(Finding(where, "error message", problem))

    def _fits_a_phone(self, page: Page, where: str) -> None:
        size = page.viewport_size
        if size != PHONE:
            page.set_viewport_size(PHONE)
        try:
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            overflow = page.evaluate(_OVERFLOW)
            scrollers = page.evaluate(_SCROLLERS)
            off_screen = page.evaluate(_OFF_SCREEN)
            header = page.evaluate(_HEADER)
            wide_tables = page.evaluate(_WIDE_TABLES)
        finally:
            if size is not None and size != PHONE:
                page.set_viewport_size(size)
        if overflow:
            detail = (
                f"scrolls sideways at 390 px ({overflow['scrollWidth']} px wide): "
                + "; ".join(overflow["wide"])
            )
            self.findings.append(Finding(where, "mobile", detail))
        for scroller in scrollers:
            detail = f"{scroller} scrolls sideways at 390 px but has no tabindex and name"
            self.findings.append(Finding(where, "mobile", detail))
        for control in off_screen:
            detail = f"{control} is outside the 390 px screen (scroll sideways to reach it)"
            self.findings.append(Finding(where, "mobile", detail))
        for table in wide_tables:
            detail = f"{table} scrolls sideways at 390 px: make its rows cards (table.stack)"
            self.findings.append(Finding(where, "mobile", detail))
        for problem in header:
            self.findings.append(Finding(where, "mobile header", problem))

    def report(self) -> str:
        return "\n".join(str(finding) for finding in self.findings)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``tests/e2e/screenshots/<name>.png`` (git-ignored; the best are in docs/)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
