import pytest

from nattvandring.messaging.gsm import is_gsm7, segments, to_gsm_friendly


@pytest.mark.parametrize(
    "text",
    [
        "Hej! Du är bokad för nattvandring i Hässleholm fredag 22:00-03:00. Svara JA eller NEJ.",
        "ÅÄÖåäö éÉ üÜ ñÑ àØøÆæß",
        "Pris: 50€ [info] {x} ~ ^ | \\",
        "@£$¥¤§¿¡ΔΦΓΛΩΠΨΣΘΞ\n\r",
        "",
    ],
)
def test_gsm7_texts(text):
    assert is_gsm7(text)


@pytest.mark.parametrize(
    "text", ["”Citat”", "22:00–03:00", "Vänta…", "a\u00a0b", "á", "ç", "`", "😀", "\x1b", "\t"]
)
def test_non_gsm7_texts(text):
    assert not is_gsm7(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("å" * 160, 1),  # Swedish letters are GSM-7: one message holds 160
        ("€" * 80, 1),  # extension characters count two septets
        ("€" * 81, 2),
        ("a" * 158 + "€", 1),
        ("a" * 159 + "€", 2),
        ("a" * 152 + "€" + "a" * 10, 2),  # the escape pair moves to part two, not split
        ("ł" * 70, 1),  # one non-GSM character makes the whole text UCS-2
        ("ł" * 71, 2),
        ("ł" * 134, 2),
        ("ł" * 135, 3),
        ("a" * 69 + "”", 1),
        ("a" * 70 + "”", 2),
        ("😀" * 35, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, 2),
    ],
)
def test_segments(text, expected):
    assert segments(text) == expected


def test_to_gsm_friendly_replaces_typography():
    text = "Pass ”Centrum” 22:00–03:00 — ta med väst…\u00a0‘OK’ «Tack»\u200b"
    friendly = to_gsm_friendly(text)
    assert friendly == 'Pass "Centrum" 22:00-03:00 - ta med väst... \'OK\' "Tack"'
    assert is_gsm7(friendly)


def test_to_gsm_friendly_keeps_gsm_letters_and_strips_other_accents():
    assert to_gsm_friendly("Åsa, Örjan, Émile, Müller, Peña") == "Åsa, Örjan, Émile, Müller, Peña"
    assert to_gsm_friendly("José Ángel, François, Zoë") == "José Angel, Francois, Zoe"


def test_to_gsm_friendly_keeps_what_it_cannot_replace():
    assert to_gsm_friendly("Tack 😀") == "Tack 😀"
    assert not is_gsm7(to_gsm_friendly("Łódź"))


def test_friendly_text_is_cheaper():
    text = "Påminnelse: nattvandring ikväll 22:00–03:00 vid Stortorget. Svara ”NEJ” om du inte kan."
    assert segments(text) == 2  # the en dash and quotes force UCS-2 (70 characters)
    assert segments(to_gsm_friendly(text)) == 1


def test_decomposed_swedish_letters_stay_gsm7():
    """ "å" pasted as "a" and a combining ring (from a PDF or a macOS file name)."""
    text = "Pa\u030aminnelse: nattvandring ikva\u0308ll 22:00 vid Stortorget."
    assert not is_gsm7(text)
    friendly = to_gsm_friendly(text)
    assert friendly == "Påminnelse: nattvandring ikväll 22:00 vid Stortorget."
    assert is_gsm7(friendly) and segments(friendly) == 1
