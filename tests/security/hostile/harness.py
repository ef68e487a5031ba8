"""The hostile-input harness: a target, one request and its checks, a whole target fuzzed.

For each form a valid base submission is mutated field by field with hostile values (very
long strings, control characters, HTML/JS, SQL-looking text, impossible dates, a time in the
DST gap, negative and huge numbers, a missing or repeated field). Every answer must be
< 500; a rejection (4xx, a page showing a field error, or a redirect to a page flashing an
error) must leave every table byte-for-byte unchanged and, for 422/400, show the error next
to a field (``error-text``) or as a flashed error.

Each example starts from the same world: after a request that changed the database its rows
are written back from a snapshot (``world.Fuzzer``), so a logged-in session stays valid.
While fuzzing, the harness records which FlaskForm classes validated the submission and which
posted keys the view read (``recording``): a target must name its forms, and must send every
key the view reads (else that field would never be fuzzed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from flask_wtf import FlaskForm
from hypothesis import given
from wtforms import DateField
from wtforms.fields.core import UnboundField

from tests.security.hostile.recording import Watch, listening
from tests.security.hostile.values import FUZZ, OMIT, SWEEP, invalid_utf8, mutations
from tests.security.hostile.world import Fuzzer, World, db_fingerprint


@dataclass(frozen=True)
class Target:
    """One form to fuzz: who posts it where, a valid submission and what proves it ran."""

    name: str
    endpoint: str
    actor: str | None  # None: the anonymous public (or a volunteer by personal link)
    url: Callable[[World], str]
    base: Callable[[World], dict[str, str]]
    forms: tuple[type[FlaskForm], ...] = ()
    reached: frozenset[int] = frozenset({200, 302, 303, 422})
    ok_rejected: tuple[int, ...] = ()  # statuses other than 4xx allowed for a rejection
    # The fields are hidden inputs or button values a browser never lets anyone type: a
    # tampered value may be refused with the plain 400 page instead of a field error.
    tampered_only: bool = False
    # Headers for a submission, e.g. the webhook signature over the URL and the fields.
    headers: Callable[[str, list[tuple[str, str]]], dict[str, str]] | None = None
    # More values swept through one field (also a field the base leaves out, e.g. a button).
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


_FLASHES = re.compile(r'<div class="flashes".*?</div>', re.S)


def _short(data):
    if not isinstance(data, dict):
        return data[:200]
    return {k: (v[:60] + f"...({len(v)})" if len(v) > 60 else v) for k, v in _flat(data)}


def _flat(data):
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, item


def _main(html: str) -> str:
    start = html.find("<main")
    return html[start : start + 1500]


def _flashed_error(html: str) -> bool:
    return any("flash-error" in block for block in _FLASHES.findall(html))


_C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def stays_on_site(location: str) -> bool:
    """Whether a browser following ``location`` stays here: it drops tabs and newlines,
    trims spaces and control characters, and reads a backslash as a slash."""
    seen = re.sub(r"[\t\n\r]", "", location).strip(_C0_AND_SPACE)
    seen = seen.replace("\\", "/")
    parts = urlsplit(seen)
    return seen.startswith("/") and not seen.startswith("//") and not parts.scheme


def _fields(data) -> list[tuple[str, str]]:
    """The submitted fields as the app will read them."""
    if isinstance(data, bytes):
        return parse_qsl(data.decode("ascii"), keep_blank_values=True, errors="replace")
    return list(_flat(data))


def _has_nul(data) -> bool:
    if isinstance(data, bytes):
        return b"%00" in data
    return any("\x00" in value for _key, value in _flat(data))


@dataclass(frozen=True)
class Answer:
    status: int
    rejected: bool
    shown: str  # the answer's page, or the page its redirect led to


#: The longest Location header a form may answer with: one built from parsed, bounded values.
MAX_LOCATION = 2048


def post_and_check(fuzzer: Fuzzer, target: Target, data, *, watch: Watch | None = None) -> Answer:
    """POST ``data`` (a dict, or an urlencoded body) and check the answer and the database."""
    app, client = fuzzer.app, fuzzer.client(target.actor)
    url = target.url(fuzzer.world)
    before = fuzzer.clean
    headers = {}
    if target.headers is not None:
        headers = target.headers(url, _fields(data))
    with listening(watch):
        if isinstance(data, bytes):
            kind = "application/x-www-form-urlencoded"
        else:
            kind = "multipart/form-data"
        response = client.post(url, data=data, content_type=kind, headers=headers)
    html = response.get_data(as_text=True)
    status = response.status_code
    fuzzer.state = None  # unknown until read below
    assert status < 500, (url, _short(data))
    field_error = 'class="error-text"' in html or "flash-error" in html
    location = response.headers.get("Location", "")
    redirected_error = False
    shown = html
    if status in (302, 303):
        assert len(location) <= MAX_LOCATION, (url, len(location), location[:200], _short(data))
        assert stays_on_site(location), (url, location, _short(data))
        assert not re.search(r"/login(\?|$)", location) or target.actor is None, (url, location)
        page = client.get(location)
        assert page.status_code < 500, (location, _short(data))
        shown = page.get_data(as_text=True)
        redirected_error = _flashed_error(shown)
    # Read after following the redirect: a GET never writes, so a change is the POST's.
    after = fuzzer.state = db_fingerprint(app)
    rejected = status >= 400 or field_error or redirected_error
    if rejected:
        allowed = (302, 303) if redirected_error else target.ok_rejected
        assert 400 <= status < 500 or status in allowed, (url, status, _short(data))
        if status == 400 and _has_nul(data):
            # NUL is refused for the whole request (web/errors.py): PostgreSQL cannot store it.
            assert "Felaktig begäran" in html, (url, _short(data))
        elif status == 400 and target.tampered_only:
            assert "Felaktig begäran" in html, (url, _short(data))
        elif status in (400, 422):
            assert field_error, (url, status, _short(data), _main(html))
        changed = {t for t in before if before[t] != after[t]}
        assert not changed, (url, status, changed, _short(data))
    return Answer(status, rejected, shown)


def check_target(fuzzer: Fuzzer, target: Target) -> None:
    """Fuzz one target and check that it reached its form and that every read key is sent."""
    seen: set[int] = set()
    base = target.base(fuzzer.world)
    fuzzer.client(target.actor)
    endpoint, _args = fuzzer.app.url_map.bind("localhost").match(
        urlsplit(target.url(fuzzer.world)).path, method="POST"
    )
    assert endpoint == target.endpoint, (target.name, endpoint)

    watch = Watch()

    @FUZZ
    @given(data=mutations(base))
    def run(data):
        fuzzer.restore()
        seen.add(post_and_check(fuzzer, target, data, watch=watch).status)

    run()
    for key in dict.fromkeys([*base, *target.values]):
        for value in (*SWEEP, *target.values.get(key, ())):
            if value is OMIT and key not in base:
                continue
            fuzzer.restore()
            data = {k: v for k, v in base.items() if k != key or value is not OMIT}
            if value is not OMIT:
                data[key] = value
            seen.add(post_and_check(fuzzer, target, data, watch=watch).status)
    fuzzer.restore()
    seen.add(post_and_check(fuzzer, target, invalid_utf8(base), watch=watch).status)
    check_date_window(fuzzer, target, base)
    assert seen & target.reached, (target.name, seen)
    missing_forms = set(target.forms) - watch.forms
    assert not missing_forms, f"{target.name}: {missing_forms} never validated a submission"
    unsent = watch.keys - set(base) - set(target.values)
    assert not unsent, f"{target.name}: the view reads {sorted(unsent)}, the base never sends it"


#: Dates just and far outside the window of nattvandring.dates, each a valid calendar date.
OUTSIDE_THE_WINDOW = ("0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31")
_WINDOW_TEXT = "mellan 2000-01-01 och 2100-12-31"


def date_fields(form: type[FlaskForm]) -> dict[str, type]:
    """The date fields a FlaskForm class declares (inherited ones included), by name."""
    return {
        name: unbound.field_class
        for klass in reversed(form.__mro__)
        for name, unbound in vars(klass).items()
        if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, DateField)
    }


def check_date_window(fuzzer: Fuzzer, target: Target, base: dict[str, str]) -> None:
    """Every date field of the target's forms refuses a date outside the window, saying so,
    and writes nothing (year 1 used to be accepted for a shift, year 9999 to be a 500)."""
    for name in {name for form in target.forms for name in date_fields(form)}:
        for day in OUTSIDE_THE_WINDOW:
            fuzzer.restore()
            answer = post_and_check(fuzzer, target, base | {name: day})
            assert answer.rejected, (target.name, name, day, answer.status)
            assert _WINDOW_TEXT in answer.shown, (target.name, name, day, _main(answer.shown))
