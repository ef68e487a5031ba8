"""Hostile values, the hypothesis settings and the ways a base submission is mutated."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE_VALUES = [
    "",
    " ",
    "x" * 5000,
    "é" * 70_000,
    "\x00",
    "a\x00b",
    "\r\nSet-Cookie: x=1",
    "\x1b[31m\x07\x08\t\v\f",
    "\u202eevil\u200b\ufeff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "1; DROP TABLE user;--",
    "%s%s%n{0}{{7*7}}",
    "=cmd|' /C calc'!A0",
    "2026-02-30",
    "2027-03-28",
    "0000-00-00",
    "99999-12-31",
    "02:30",
    "24:00",
    "25:61",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "١٢٣",
    "0x10",
    "😀" * 50,
    "//evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "https://evil.example/",
]
#: Swept through a ``next`` field: each one leaves the site if used as it stands.
OFF_SITE = ("//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/")


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omit()  # the field is left out of the submission


class _Twice:
    def __repr__(self) -> str:
        return "TWICE"


TWICE = _Twice()  # the field is sent twice: the base value and a hostile one

#: Swept through every field one at a time, the other fields keeping their valid values, so
#: that each value also reaches the service rules behind the form.
SWEEP = ["x" * 5000, "99999999999999999999", "-1", "2026-02-30", "02:30", OMIT]

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
hostile = st.one_of(st.sampled_from([*HOSTILE_VALUES, OMIT, TWICE]), _text)

# Bounded and reproducible: the same 25 examples per form on every run and every machine.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def mutations(base: dict[str, str]):
    """The base submission with any subset of its fields replaced by hostile values."""

    def settle(items: dict) -> dict:
        data = {}
        for key, value in items.items():
            if value is OMIT:
                continue
            data[key] = [base[key], "x" * 300] if value is TWICE else value
        return data

    return st.fixed_dictionaries(
        {key: st.one_of(st.just(value), hostile) for key, value in base.items()}
    ).map(settle)


def invalid_utf8(base: dict[str, str]) -> bytes:
    """The base submission urlencoded with bytes that are not UTF-8 before every value."""
    return "&".join(f"{quote(k)}=%FF%FE%C3%28{quote(v)}" for k, v in base.items()).encode()
