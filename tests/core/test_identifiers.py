import pytest
from hypothesis import given
from hypothesis import strategies as st

from nic1000.core.identifiers import brn_check_digit, brn_format, brn_is_valid, brn_make, brn_validate
from nic1000.core.money import krw, krw_short


def test_known_valid_brn() -> None:
    # 220-81-62517: a published example; hand check: 2*1+2*3+0*7+8*1+1*3+6*7+2*1+5*3+1*5 = 83, + (1*5)//10 = 0
    # -> 83 -> (10 - 3) % 10 = 7
    assert brn_check_digit("220816251") == 7
    assert brn_validate("220-81-62517") == "2208162517"
    assert brn_format("2208162517") == "220-81-62517"


def test_wrong_check_digit_is_refused() -> None:
    with pytest.raises(ValueError, match="check digit"):
        brn_validate("220-81-62518")


@pytest.mark.parametrize("value", ["", "123", "abcdefghij", "22081625171"])
def test_bad_format_is_refused(value: str) -> None:
    assert not brn_is_valid(value)


@given(st.from_regex(r"[1-9][0-9]{8}", fullmatch=True))
def test_made_numbers_validate_and_one_digit_change_fails(nine: str) -> None:
    full = brn_make(nine)
    if brn_is_valid(full):  # stdnum also rejects some office codes; our digit must agree when it accepts
        wrong = full[:9] + str((int(full[9]) + 1) % 10)
        assert not brn_is_valid(wrong)


def test_ninth_digit_tens_term() -> None:
    # ninth digit 9: 9*5 = 45 contributes 45 + 4. "123456789": 1+6+21+4+15+42+7+24+45 = 165, +4 = 169 -> 1
    assert brn_check_digit("123456789") == 1


def test_krw_formats() -> None:
    assert krw(1234567) == "1,234,567원"
    assert krw(1234567, "en") == "KRW 1,234,567"
    assert krw_short(1_800_000_000_000) == "1.80조원"
    assert krw_short(35_400_000_000) == "354.0억원"
    assert krw_short(35_400_000_000, "en") == "KRW 35.4 billion"
