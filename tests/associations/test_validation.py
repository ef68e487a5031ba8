"""Swedish identifiers as pure functions."""

from __future__ import annotations

import pytest

from nattvandring.associations.validation import (
    normalize_bankgiro,
    normalize_org_number,
    normalize_plusgiro,
    with_check_digit,
)
from nattvandring.errors import RuleViolation


def test_org_number_formats():
    number = with_check_digit("802479347")
    assert normalize_org_number(number) == f"{number[:6]}-{number[6:]}"
    assert normalize_org_number(f"{number[:6]} {number[6:]}") == f"{number[:6]}-{number[6:]}"


#: Digits other than 0-9: "²" (which ``int`` refuses) and full-width digits of a valid number.
NOT_ASCII = ("80²0001234", "８０２４７９２１３０")


@pytest.mark.parametrize("bad", ["", "abc", "80247934", "8024793477", "1012345678", *NOT_ASCII])
def test_org_number_rejects(bad):
    with pytest.raises(RuleViolation) as caught:
        normalize_org_number(bad)
    assert caught.value.code == "orgnr_invalid"
    assert caught.value.field == "org_number"


def test_bankgiro_seven_and_eight_digits():
    assert normalize_bankgiro("5050-1055") == "5050-1055"
    seven = with_check_digit("123456")
    assert normalize_bankgiro(seven) == f"{seven[:3]}-{seven[3:]}"
    with pytest.raises(RuleViolation):
        normalize_bankgiro("5050-1054")
    with pytest.raises(RuleViolation):
        normalize_bankgiro("12345")


def test_plusgiro_two_to_eight_digits():
    assert normalize_plusgiro("47118") == "4711-8"
    assert normalize_plusgiro(with_check_digit("1")) == f"1-{with_check_digit('1')[-1]}"
    with pytest.raises(RuleViolation):
        normalize_plusgiro("4711-2")
    with pytest.raises(RuleViolation):
        normalize_plusgiro("123456789")


def test_giro_numbers_take_only_the_digits_0_to_9():
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    superscript = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    for normalize, valid in ((normalize_bankgiro, "5050-1055"), (normalize_plusgiro, "4711-8")):
        assert normalize(valid) == valid
        for typed in (valid.translate(full_width), valid[0].translate(superscript) + valid[1:]):
            with pytest.raises(RuleViolation):
                normalize(typed)
