"""Two clean languages: every page, in English, holds no common Swedish word; in Swedish, no
common English word.

The pages are every GET route of the access matrix (tests/support/access_matrix.py), each
fetched as the first actor the matrix says gets a 200, in the rich world of the security
tests. What people typed (names of municipalities, associations, areas, people, places,
reasons: every text stored in the database) is taken out first, and so is any element with
its own ``lang`` attribute (the language switch names the other language in that language).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from tests.security.matrix_runner import Matrix, actors_of, parse_spec, readable_text, rules_of
from tests.support.access_matrix import spec_for


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SWEDISH_WORDS = _words(
    "och för inte kväll kvällar vecka veckor måndag tisdag onsdag torsdag fredag lördag söndag "
    "januari februari augusti oktober att med eller av som har är inga ingen spara avbryt "
    "bokade lediga vandring vandringar vandrare förening föreningen föreningar kommun "
    "logga utbetalning timmar godkänd godkända visa ändra du din ditt dina ska kan "
    "bekräfta tillbaka nästa föregående datum helg område"
)
ENGLISH_WORDS = _words(
    "the and Save Cancel of with you your shift shifts walk walks booked open Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday January February March June July August "
    "October association payout hours approved show change to is are this that not yes "
    "please back next previous date weekend area"
)
SWEDISH = re.compile(r"(?<![\w-])(" + "|".join(SWEDISH_WORDS) + r")(?![\w-])", re.I)
ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(ENGLISH_WORDS) + r")(?![\w-])")
#: Downloads and feeds: calendar feeds and the outbox's raw SMS are not pages.
SKIPPED = re.compile(r"\.(ics|png|svg|json)$|^/(static|feeds|webhooks)/")
#: What a person reads: pages and the documents they download.
READ_TYPES = {
    "text/html",
    "text/csv",
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Addresses shown to copy (feeds, links) are not words.
URL = re.compile(r"\b(?:https?|webcal)://\S+")
#: Attributes people read (or hear from a screen reader).
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "aria-description")
#: Product and brand names that are the same in both languages.
NAMES = ("Nattvandring", "Ute nu", "Brå", "Bankgiro", "Plusgiro", "Excel", "Svenska", "English")


class _Text(HTMLParser):
    """The text a person reads on a page: text nodes and read attributes, without scripts,
    styles and elements that say they are in another language (``lang``)."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _hidden(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        skip = tag in ("script", "style") or ("lang" in found and tag != "html")
        if not skip and not self._hidden():
            self.parts += [found[a] or "" for a in READ_ATTRIBUTES if a in found]
            if tag == "input" and found.get("type") in ("submit", "button"):
                self.parts.append(found.get("value") or "")
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)


def page_text(body: bytes, url: str) -> str:
    if not url.endswith((".csv", ".xlsx", ".pdf")):
        parser = _Text()
        parser.feed(body.decode("utf-8"))
        return "\n".join(parser.parts)
    return readable_text(body, url)


def _is_text(column) -> bool:
    kind = column.type
    kind = getattr(kind, "impl_instance", kind)  # AutoString is a TypeDecorator over String
    return isinstance(kind, sa.String) and not isinstance(kind, sa.Enum)


def stored_texts(engine) -> list[str]:
    """Every text stored in the database (what people typed, names), longest first."""
    found: set[str] = set()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if _is_text(column):
                    for (value,) in connection.execute(sa.select(column).distinct()):
                        if isinstance(value, str) and len(value.strip()) >= 3:
                            found.add(value.strip())
    return sorted(found, key=len, reverse=True)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else tmp_path_factory.mktemp("l")
    runner = Matrix(folder)
    yield runner
    runner.engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def _pages(matrix) -> list[tuple[str, str]]:
    """(actor, url) of every GET page some actor may read."""
    pages = []
    for rule in rules_of(matrix.app):
        if "GET" not in rule.methods or SKIPPED.search(rule.rule):
            continue
        spec = spec_for(rule.endpoint, "GET")
        if spec is None:
            continue
        outcomes = parse_spec(spec, actors_of(rule))
        readers = [actor for actor, outcome in outcomes.items() if outcome == "200"]
        if readers:
            pages.append((readers[0], matrix.url(rule, readers[0])))
    return pages


def _leaks(matrix, language: str, pattern: re.Pattern[str], own: re.Pattern[str]) -> list[str]:
    from nattvandring import clock
    from tests.security.conftest import NOW

    for client in matrix.clients.values():
        client.post("/lang", data={"lang": language, "next": "/"})
    typed = stored_texts(matrix.engine)
    pages = _pages(matrix)
    assert len(pages) > 60, pages  # the matrix's readable pages, not a handful
    leaks = []
    read = in_own_language = 0
    for actor, url in pages:
        clock.freeze(NOW)
        response = matrix.clients[actor].get(url)
        if response.status_code != 200 or SKIPPED.search(url.split("?")[0]):
            continue
        if response.mimetype not in READ_TYPES:  # JSON of the open-data API: keys, not words
            continue
        text = page_text(response.get_data(), url.split("?")[0])
        for value in typed:
            text = text.replace(value, " ")
        for name in NAMES:
            text = text.replace(name, " ")
        text = URL.sub(" ", text)
        read += 1
        in_own_language += bool(own.search(text))
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            context = " ".join(text[start : match.end() + 40].split())
            leaks.append(f"{url} [{actor}]: {match[0]!r} in …{context}…")
    # The switch took: nearly every page reads as the language asked for.
    assert read > 60 and in_own_language >= 0.9 * read, (language, read, in_own_language)
    return leaks


def test_the_check_sees_a_leak_in_text_and_attributes_but_not_in_a_lang_element():
    page = (
        b'<html lang="en"><body><p>Bookings</p><button aria-label="Spara">Save</button>'
        b'<a lang="sv" href="/lang">Svenska och mer</a><script>var och = 1;</script></body>'
    )
    text = page_text(page, "/x")
    assert [m[0] for m in SWEDISH.finditer(text)] == ["Spara"]
    assert [m[0] for m in SWEDISH.finditer(page_text(b"<p>fredag 4 december</p>", "/"))] == [
        "fredag"
    ]
    assert not SWEDISH.search(page_text(b"<p>pre-och-post</p>", "/"))


def test_english_pages_hold_no_swedish_word(matrix):
    leaks = _leaks(matrix, "en", SWEDISH, ENGLISH)
    assert not leaks, f"{len(leaks)} Swedish words on English pages:\n" + "\n".join(leaks[:60])


def test_swedish_pages_hold_no_english_word(matrix):
    leaks = _leaks(matrix, "sv", ENGLISH, SWEDISH)
    assert not leaks, f"{len(leaks)} English words on Swedish pages:\n" + "\n".join(leaks[:60])
