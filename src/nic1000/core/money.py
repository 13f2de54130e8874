"""KRW formatting in the conventions of Korean public administration. Pure functions."""

from __future__ import annotations

from decimal import Decimal

EOK = 100_000_000  # 억
JO = 1_000_000_000_000  # 조


def krw(amount: int | float | Decimal | None) -> str:
    """Whole won with thousands separators: ₩1,234,567,000."""
    if amount is None:
        return "–"
    return f"₩{int(amount):,}"


def krw_short(amount: int | float | Decimal | None, lang: str = "ko") -> str:
    """Large amounts the way reports state them: 1.8조원 / 354억원 (or KRW 1.80 trillion / 35.4 billion)."""
    if amount is None:
        return "–"
    value = int(amount)
    sign = "-" if value < 0 else ""
    a = abs(value)
    if lang.startswith("ko"):
        if a >= JO:
            return f"{sign}{a / JO:,.2f}조원"
        if a >= EOK:
            return f"{sign}{a / EOK:,.1f}억원"
        return f"{sign}{a:,}원"
    if a >= JO:
        return f"{sign}KRW {a / JO:,.2f} trillion"
    if a >= 1_000_000_000:
        return f"{sign}KRW {a / 1_000_000_000:,.1f} billion"
    if a >= 1_000_000:
        return f"{sign}KRW {a / 1_000_000:,.1f} million"
    return f"{sign}KRW {a:,}"
