"""GSM 03.38 (GSM-7) character set, segment counting and a GSM-friendly text cleaner.

A text made only of GSM-7 characters costs 160 characters in one SMS (153 per part when
concatenated); characters from the extension table (``€ [ ] { } | ~ ^ \\`` and form feed) take
two septets. Any other character switches the whole message to UCS-2: 70 characters in one
SMS, 67 per part. Swedish å, ä, ö, Å, Ä, Ö and é, ü are in the basic set, but typographic
quotes, en dashes, ellipses and non-breaking spaces are not; ``to_gsm_friendly`` replaces
them so a reminder stays in one cheap segment.
"""

from __future__ import annotations

import unicodedata

# The basic character set, in table order (0x00-0x7F), without 0x1B (the escape to the
# extension table), which is not a character of its own.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each character is sent as ESC + character, i.e. two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7 = 160
MULTI_GSM7 = 153
SINGLE_UCS2 = 70
MULTI_UCS2 = 67

# Common characters outside GSM-7 and their GSM-7 stand-ins.
_REPLACEMENTS = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark / apostrophe
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",
    "\u2032": "'",  # prime
    "\u00b4": "'",  # acute accent
    "`": "'",
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark (Swedish quotes)
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # « (Swedish also uses »...«)
    "\u00bb": '"',  # »
    "\u2039": "'",
    "\u203a": "'",
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash (22:00–03:00)
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2026": "...",  # ellipsis
    "\u2022": "-",  # bullet
    "\u00b7": "-",  # middle dot
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space (Swedish thousands separator)
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\t": " ",
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",  # word joiner
    "\ufeff": "",  # byte order mark
    "\u00ad": "",  # soft hyphen
}


def is_gsm7(text: str) -> bool:
    """True if every character of ``text`` can be sent in the GSM-7 alphabet."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _septets(ch: str) -> int:
    return 2 if ch in GSM7_EXTENSION else 1


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def segments(text: str) -> int:
    """Number of SMS parts ``text`` is sent as (0 for an empty text).

    Counts septets for GSM-7 (extension characters count 2) and UTF-16 code units for UCS-2
    (characters outside the BMP, such as emoji, count 2). As phones do, a two-unit character
    is never split across two parts, so it may start the next part early.
    """
    if not text:
        return 0
    if is_gsm7(text):
        width, single, per_part = _septets, SINGLE_GSM7, MULTI_GSM7
    else:
        width, single, per_part = _utf16_units, SINGLE_UCS2, MULTI_UCS2
    if sum(width(ch) for ch in text) <= single:
        return 1
    parts, used = 1, 0
    for ch in text:
        units = width(ch)
        if used + units > per_part:
            parts += 1
            used = 0
        used += units
    return parts


def _fallback(ch: str) -> str:
    """Strip accents from a non-GSM letter (á -> a), when that yields GSM-7 text."""
    decomposed = unicodedata.normalize("NFKD", ch)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped and is_gsm7(stripped):
        return stripped
    return ch


def to_gsm_friendly(text: str) -> str:
    """Replace common non-GSM characters with GSM-7 equivalents.

    Characters already in GSM-7 (including å, ä, ö, é, ü) are never touched. Typographic
    quotes become straight quotes, dashes a hyphen, an ellipsis three dots, special spaces a
    plain space, and invisible characters are dropped. Other accented letters lose their
    accent (á -> a, ç -> c). Anything else (emoji, other scripts) is kept, so the text may
    still need UCS-2. Text is composed first (NFC): an "å" pasted as "a" and a combining
    ring is GSM-7 once composed, and would otherwise make the whole message UCS-2.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
            out.append(ch)
        elif ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        elif "\u2000" <= ch <= "\u200a":  # en quad ... hair space
            out.append(" ")
        else:
            out.append(_fallback(ch))
    return "".join(out)
