"""Korean business identifiers. Pure functions, no Django."""

from __future__ import annotations

import re

from stdnum.kr import brn as stdnum_brn

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_compact(value: str) -> str:
    return re.sub(r"[\s\-.]", "", str(value or ""))


def brn_check_digit(first_nine: str) -> int:
    """Check digit of a business registration number (사업자등록번호).

    Weights 1,3,7,1,3,7,1,3,5 on the first nine digits, plus the tens digit of 5 × the ninth digit;
    check = (10 − sum mod 10) mod 10. python-stdnum checks only the format, so this adds the rule.
    """
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def brn_validate(value: str) -> str:
    """Return the compact 10-digit BRN or raise ValueError with a reason."""
    compact = brn_compact(value)
    if not compact.isdigit() or len(compact) != 10:
        raise ValueError("a business registration number has 10 digits (XXX-XX-XXXXX)")
    try:
        stdnum_brn.validate(compact)
    except Exception as exc:  # stdnum raises its own ValidationError subclasses
        raise ValueError(f"not a valid business registration number format: {exc}") from exc
    if brn_check_digit(compact[:9]) != int(compact[9]):
        raise ValueError("the check digit of the business registration number is wrong")
    return compact


def brn_is_valid(value: str) -> bool:
    try:
        brn_validate(value)
    except ValueError:
        return False
    return True


def brn_format(value: str) -> str:
    compact = brn_compact(value)
    if len(compact) != 10:
        return value
    return f"{compact[:3]}-{compact[3:5]}-{compact[5:]}"


def brn_make(first_nine: str) -> str:
    """Complete nine digits with their check digit (used by the demo generator and tests)."""
    return first_nine + str(brn_check_digit(first_nine))
