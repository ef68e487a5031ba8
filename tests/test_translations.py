"""Every user-facing string has an English translation (Swedish is the message id)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _extracted_ids() -> set[str]:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def _catalog():
    with (ROOT / "nattvandring/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh)


def test_every_string_is_translated_into_english():
    catalog = _catalog()
    missing = []
    for msgid in sorted(_extracted_ids()):
        message = catalog.get(msgid)
        translated = (
            message is not None
            and not message.fuzzy
            and all(
                part
                for part in (
                    [message.string] if isinstance(message.string, str) else message.string
                )
            )
        )
        if not translated:
            missing.append(msgid)
    assert missing == [], f"{len(missing)} untranslated (run `make messages`): {missing[:10]}"


def test_placeholders_survive_translation():
    problems = [
        (message.id, [str(error) for error in errors])
        for message, errors in _catalog().check()
        if errors
    ]
    assert problems == []


def test_the_extraction_covers_python_and_every_kind_of_template():
    """A guard on babel.cfg: strings from views, HTML templates and macros are all found."""
    ids = _extracted_ids()
    assert "Boka pass" in ids  # nattvandring/booking/views.py
    assert "Hoppa till innehållet" in ids  # templates/base.html
    assert "Kopiera länken" in ids  # a macro in templates/_forms.html


def test_every_sms_text_exists_in_every_language():
    """SMS texts are one template per language (templates/sms/<lang>/), not catalog entries."""
    folders = {path.name: path for path in (ROOT / "templates" / "sms").iterdir()}
    assert set(folders) == {"sv", "en"}
    kinds = {lang: {p.name for p in folder.glob("*.txt")} for lang, folder in folders.items()}
    assert kinds["sv"] == kinds["en"]
    for name in kinds["sv"]:
        swedish = (folders["sv"] / name).read_text(encoding="utf-8")
        english = (folders["en"] / name).read_text(encoding="utf-8")
        assert swedish.strip() and english.strip() and swedish != english, name
