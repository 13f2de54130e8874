"""KRW and percentage formatting in the conventions of Korean public administration. Pure functions.

The convention (docs/architecture.md, Conventions): detail tables and messages give the full amount in whole won
(`krw`: 2,000,000,000원 / KRW 2,000,000,000); summaries, totals and charts give it short (`krw_short`: 20.0억원,
1.80조원 / KRW 2.0 billion); shares and probabilities are percentages with one decimal (`percent`: 23.3%).
"""

from __future__ import annotations

from decimal import Decimal

EOK = 100_000_000  # 억
JO = 1_000_000_000_000  # 조


def krw(amount: int | float | Decimal | None, lang: str = "ko") -> str:
    """The full amount in whole won with thousands separators: 1,234,567,000원 (en: KRW 1,234,567,000)."""
    if amount is None:
        return "–"
    if lang.startswith("ko"):
        return f"{int(amount):,}원"
    return f"KRW {int(amount):,}"


def percent(share: float | Decimal | None, digits: int = 1) -> str:
    """A share or probability (0.233) as a percentage: 23.3%. Both languages write it the same way."""
    if share is None:
        return "–"
    return f"{float(share) * 100:,.{digits}f}%"


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
