"""The plain ratios as a table: each is ``scale · numerator / denominator``, both sums of statement items.

Keeping the ratios as data (not code) makes every definition readable next to the authors' and lets one loop
compute them all with the same rules for a value that cannot be computed:

* a missing item (NaN, absent column, text) → ``missing item: <first missing item>``, numerator items first
  (an infinite item reads ``non-finite item: <item>``);
* otherwise a zero denominator → :attr:`RatioSpec.zero_reason`, e.g. ``division by zero: total_assets = 0``;
* otherwise a result that is not finite (overflow) → ``non-finite result``.

Ratios that are not a plain quotient (X21, X24, X29, X55, Altman Z'', cash runway) are in ``measures.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

ID_COLUMNS: tuple[str, str] = ("company_id", "fiscal_year")
RATIO_COLUMNS: tuple[str, ...] = tuple(f"X{i}" for i in range(1, 65))
EXTRA_COLUMNS: tuple[str, ...] = ("altman_z2", "cash_runway_months", "burning_cash")
OUTPUT_COLUMNS: tuple[str, ...] = (*ID_COLUMNS, *RATIO_COLUMNS, *EXTRA_COLUMNS)

#: A sum of statement items, added left to right; "-" before an item (never the first) subtracts it.
Terms = tuple[str, ...]

DAYS = 365.0  # turns a ratio to a yearly flow into days of that flow

# Sums the authors use in several ratios.
WORKING_CAPITAL: Terms = ("current_assets", "-short_term_liabilities")
EBIT: Terms = ("gross_profit", "interest_expense")
#: The authors' "EBITDA": profit on operating activities *minus* depreciation, as they wrote it.
AUTHORS_EBITDA: Terms = ("profit_on_operating_activities", "-depreciation")
CONSTANT_CAPITAL: Terms = ("equity", "long_term_liabilities")
TOTAL_COSTS: Terms = ("operating_expenses", "financial_expenses")

TA: Terms = ("total_assets",)
TL: Terms = ("total_liabilities",)
STL: Terms = ("short_term_liabilities",)
SALES: Terms = ("sales",)
FA: Terms = ("fixed_assets",)
COGS: Terms = ("cost_of_products_sold",)


def term_item(term: str) -> str:
    """The statement item of a term ("-depreciation" → "depreciation")."""
    return term[1:] if term.startswith("-") else term


@dataclass(frozen=True)
class RatioSpec:
    """One plain ratio: ``scale · numerator / (denominator · denominator_factor)``."""

    name: str
    numerator: Terms
    denominator: Terms
    scale: float = 1.0
    denominator_factor: float = 1.0  # X41 only: the yearly flow made monthly (× 12/365)

    @property
    def items(self) -> tuple[str, ...]:
        """Every item the ratio reads, numerator first, each once: the first missing one names the reason."""
        return tuple(dict.fromkeys(term_item(t) for t in (*self.numerator, *self.denominator)))

    @property
    def zero_reason(self) -> str:
        """How a zero denominator is explained, naming the denominator (without its factor)."""
        label = term_item(self.denominator[0])
        for term in self.denominator[1:]:
            label += f" − {term[1:]}" if term.startswith("-") else f" + {term}"
        return f"division by zero: {label} = 0"


def _spec(name: str, numerator: Terms, denominator: Terms, scale: float = 1.0) -> RatioSpec:
    return RatioSpec(name, numerator, denominator, scale)


#: X1..X64 except X21, X24, X29 and X55 (see ``measures.py``), as defined by Zieba, Tomczak & Tomczak (2016).
RATIO_SPECS: tuple[RatioSpec, ...] = (
    _spec("X1", ("net_profit",), TA),
    _spec("X2", TL, TA),
    _spec("X3", WORKING_CAPITAL, TA),
    _spec("X4", ("current_assets",), STL),
    _spec(
        "X5",
        ("cash", "short_term_securities", "receivables", "-short_term_liabilities"),
        ("operating_expenses", "-depreciation"),
        DAYS,
    ),
    _spec("X6", ("retained_earnings",), TA),
    _spec("X7", EBIT, TA),
    _spec("X8", ("equity",), TL),
    _spec("X9", SALES, TA),
    _spec("X10", ("equity",), TA),
    _spec("X11", ("gross_profit", "extraordinary_items", "financial_expenses"), TA),
    _spec("X12", ("gross_profit",), STL),
    _spec("X13", ("gross_profit", "depreciation"), SALES),
    _spec("X14", EBIT, TA),
    _spec("X15", TL, ("gross_profit", "depreciation"), DAYS),
    _spec("X16", ("gross_profit", "depreciation"), TL),
    _spec("X17", TA, TL),
    _spec("X18", ("gross_profit",), TA),
    _spec("X19", ("gross_profit",), SALES),
    _spec("X20", ("inventory",), SALES, DAYS),
    _spec("X22", ("profit_on_operating_activities",), TA),
    _spec("X23", ("net_profit",), SALES),
    _spec("X25", ("equity", "-share_capital"), TA),
    _spec("X26", ("net_profit", "depreciation"), TL),
    _spec("X27", ("profit_on_operating_activities",), ("financial_expenses",)),
    _spec("X28", WORKING_CAPITAL, FA),
    _spec("X30", ("total_liabilities", "-cash"), SALES),
    _spec("X31", EBIT, SALES),
    _spec("X32", STL, COGS, DAYS),
    _spec("X33", ("operating_expenses",), STL),
    _spec("X34", ("operating_expenses",), TL),
    _spec("X35", ("profit_on_sales",), TA),
    _spec("X36", SALES, TA),
    _spec("X37", ("current_assets", "-inventory"), ("long_term_liabilities",)),
    _spec("X38", CONSTANT_CAPITAL, TA),
    _spec("X39", ("profit_on_sales",), SALES),
    _spec("X40", ("current_assets", "-inventory", "-receivables"), STL),
    RatioSpec("X41", TL, ("profit_on_operating_activities", "depreciation"), denominator_factor=12.0 / 365.0),
    _spec("X42", ("profit_on_operating_activities",), SALES),
    _spec("X43", ("receivables", "inventory"), SALES, DAYS),  # = X44 + X20
    _spec("X44", ("receivables",), SALES, DAYS),
    _spec("X45", ("net_profit",), ("inventory",)),
    _spec("X46", ("current_assets", "-inventory"), STL),
    _spec("X47", ("inventory",), COGS, DAYS),
    _spec("X48", AUTHORS_EBITDA, TA),
    _spec("X49", AUTHORS_EBITDA, SALES),
    _spec("X50", ("current_assets",), TL),
    _spec("X51", STL, TA),
    _spec("X52", STL, COGS, DAYS),  # the same published definition as X32
    _spec("X53", ("equity",), FA),
    _spec("X54", CONSTANT_CAPITAL, FA),
    _spec("X56", ("sales", "-cost_of_products_sold"), SALES),
    _spec(
        "X57",
        ("current_assets", "-inventory", "-short_term_liabilities"),
        ("sales", "-gross_profit", "-depreciation"),
    ),
    _spec("X58", TOTAL_COSTS, SALES),
    _spec("X59", ("long_term_liabilities",), ("equity",)),
    _spec("X60", SALES, ("inventory",)),
    _spec("X61", SALES, ("receivables",)),
    _spec("X62", STL, SALES, DAYS),
    _spec("X63", SALES, STL),
    _spec("X64", SALES, FA),
)
