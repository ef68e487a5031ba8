"""Swedish identifiers: organisation number, bankgiro and plusgiro. Pure functions."""

from __future__ import annotations

import re

from stdnum import luhn
from stdnum.exceptions import ValidationError
from stdnum.se import orgnr

from ..errors import RuleViolation
from ..i18n import _l

_SEPARATORS = re.compile(r"[\s\-.]")


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


def _only_digits(text: str) -> bool:
    """0-9 only: ``isdigit`` also takes "²", which ``int`` refuses, and full-width digits,
    which would be stored (and exported) as typed and escape the duplicate check."""
    return text.isascii() and text.isdigit()


def normalize_org_number(value: str) -> str:
    """Validate and format as NNNNNN-NNNN (Luhn over ten digits, digits 3-4 at least 20)."""
    digits = _digits(value)
    error = RuleViolation(
        "orgnr_invalid",
        _l("Ogiltigt organisationsnummer. Skriv det som NNNNNN-NNNN."),
        field="org_number",
    )
    if not _only_digits(digits) or len(digits) != 10 or int(digits[2:4]) < 20:
        raise error
    try:
        orgnr.validate(digits)
    except ValidationError as exc:
        raise error from exc
    return f"{digits[:6]}-{digits[6:]}"


def normalize_bankgiro(value: str) -> str:
    """Seven or eight digits with a Luhn check, formatted NNN-NNNN or NNNN-NNNN."""
    digits = _digits(value)
    if not _only_digits(digits) or len(digits) not in (7, 8) or not luhn.is_valid(digits):
        raise RuleViolation(
            "bankgiro_invalid",
            _l("Ogiltigt bankgironummer. Det har 7 eller 8 siffror, t.ex. 5050-1055."),
            field="account_number",
        )
    return f"{digits[:-4]}-{digits[-4:]}"


def normalize_plusgiro(value: str) -> str:
    """Two to eight digits with a Luhn check, formatted with a dash before the check digit."""
    digits = _digits(value)
    if not _only_digits(digits) or not 2 <= len(digits) <= 8 or not luhn.is_valid(digits):
        raise RuleViolation(
            "plusgiro_invalid",
            _l("Ogiltigt plusgironummer. Det har 2–8 siffror, t.ex. 4711-8."),
            field="account_number",
        )
    return f"{digits[:-1]}-{digits[-1]}"


def normalize_account(account_type: str, value: str) -> str:
    if account_type == "bankgiro":
        return normalize_bankgiro(value)
    if account_type == "plusgiro":
        return normalize_plusgiro(value)
    raise RuleViolation(
        "account_type_invalid", _l("Välj bankgiro eller plusgiro."), field="account_type"
    )


def with_check_digit(body: str) -> str:
    """``body`` plus its Luhn check digit (used to build valid demo and test numbers)."""
    return body + luhn.calc_check_digit(body)
