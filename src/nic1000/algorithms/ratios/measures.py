"""What is not a plain ratio: X21 and X24 (need earlier statements), X29 (a logarithm), X55 (no division),
Altman's Z'' with its zones, the cash runway and the ``burning_cash`` flag.

Each measure takes the statement items and the reason column to fill, and returns its values (NaN where it
cannot be computed, the reason written). Later writes win, so each function writes its reasons from the
least to the most telling one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from nic1000.algorithms.ratios.specs import WORKING_CAPITAL
from nic1000.algorithms.ratios.statements import StatementItems, finish, mark_missing

R_NEEDS_PREVIOUS = "needs previous year"
R_NEEDS_3_YEARS = "needs 3 years of statements (n, n−1, n−2)"
R_NOT_BURNING = "not burning cash"

ALTMAN_SAFE_ABOVE = 2.60
ALTMAN_DISTRESS_BELOW = 1.10

Measure = Callable[[StatementItems, np.ndarray], np.ndarray]


def working_capital(items: StatementItems, reasons: np.ndarray) -> np.ndarray:
    """X55: current assets − short-term liabilities (an amount, in the statements' currency)."""
    missing = mark_missing(reasons, items, ("current_assets", "short_term_liabilities"))
    return finish(items.sum(WORKING_CAPITAL), reasons, missing)


def log_total_assets(items: StatementItems, reasons: np.ndarray) -> np.ndarray:
    """X29: log10(total assets), as the data set holds it (Attr29 = log10 TA)."""
    ta = items["total_assets"]
    nonpos = ta <= 0
    if nonpos.any():
        reasons[nonpos] = "logarithm of non-positive: total_assets ≤ 0"
    missing = mark_missing(reasons, items, ("total_assets",))
    return finish(np.log10(np.where(nonpos | missing, 1.0, ta)), reasons, nonpos | missing)


def sales_growth(items: StatementItems, reasons: np.ndarray) -> np.ndarray:
    """X21: sales(n) / sales(n − 1), the previous year being the same company's statement."""
    sales = items["sales"]
    has_previous = items.previous >= 0
    at = np.where(has_previous, items.previous, 0)
    previous_sales, previous_bad = sales[at], items.bad["sales"][at]
    zero_previous = has_previous & ~previous_bad & (previous_sales == 0)
    reasons[zero_previous] = "division by zero: previous year sales = 0"
    previous_missing = has_previous & previous_bad
    reasons[previous_missing] = "missing item: sales (previous year)"
    current_missing = mark_missing(reasons, items, ("sales",))
    reasons[~has_previous] = R_NEEDS_PREVIOUS
    invalid = ~has_previous | previous_missing | zero_previous | current_missing
    return finish(sales / np.where(invalid, 1.0, previous_sales), reasons, invalid)


def three_year_gross_profit(items: StatementItems, reasons: np.ndarray) -> np.ndarray:
    """X24: (gross profit of n, n − 1 and n − 2) / total assets(n)."""
    gp, ta, gp_bad = items["gross_profit"], items["total_assets"], items.bad["gross_profit"]
    has1, has2 = items.previous >= 0, items.before_previous >= 0
    at1 = np.where(has1, items.previous, 0)
    at2 = np.where(has2, items.before_previous, 0)
    zero = ta == 0
    reasons[zero] = "division by zero: total_assets = 0"
    older_missing = (has1 & gp_bad[at1]) | (has2 & gp_bad[at2])
    reasons[older_missing] = "missing item: gross_profit (earlier year)"
    current_missing = mark_missing(reasons, items, ("gross_profit", "total_assets"))
    too_short = ~(has1 & has2)
    reasons[too_short] = R_NEEDS_3_YEARS
    invalid = too_short | older_missing | current_missing | zero
    return finish((gp + gp[at1] + gp[at2]) / np.where(invalid, 1.0, ta), reasons, invalid)


_ALTMAN_ITEMS = (
    "current_assets",
    "short_term_liabilities",
    "retained_earnings",
    "gross_profit",
    "interest_expense",
    "equity",
    "total_assets",
    "total_liabilities",
)


def altman_z2(items: StatementItems, reasons: np.ndarray) -> np.ndarray:
    """Altman's Z'' (emerging-market / non-manufacturer variant), see the package docstring."""
    ta, tl = items["total_assets"], items["total_liabilities"]
    reasons[tl == 0] = "division by zero: total_liabilities = 0"
    reasons[ta == 0] = "division by zero: total_assets = 0"
    missing = mark_missing(reasons, items, _ALTMAN_ITEMS)
    ta_s = np.where(ta == 0, 1.0, ta)
    tl_s = np.where(tl == 0, 1.0, tl)
    wc = items.sum(WORKING_CAPITAL)
    ebit = items["gross_profit"] + items["interest_expense"]
    z = (
        6.56 * (wc / ta_s)
        + 3.26 * (items["retained_earnings"] / ta_s)
        + 6.72 * (ebit / ta_s)
        + 1.05 * (items["equity"] / tl_s)
    )
    return finish(z, reasons, (ta == 0) | (tl == 0) | missing)


def _cash_flow(items: StatementItems) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(net profit + depreciation, rows where either is missing, rows burning cash)."""
    flow = items["net_profit"] + items["depreciation"]
    flow_missing = items.bad["net_profit"] | items.bad["depreciation"]
    return flow, flow_missing, (flow < 0) & ~flow_missing


def cash_runway_months(items: StatementItems, reasons: np.ndarray) -> np.ndarray:
    """Months of cash at the current burn (cash / (−(net profit + depreciation) / 12)); NaN with the reason
    "not burning cash" when the company is not burning cash (never +inf); 0 when cash ≤ 0."""
    flow, flow_missing, burning = _cash_flow(items)
    not_burning = ~burning & ~flow_missing
    reasons[not_burning] = R_NOT_BURNING
    missing = mark_missing(reasons, items, ("cash", "net_profit", "depreciation"))
    burn = np.maximum(0.0, -np.where(flow_missing, 0.0, flow)) / 12.0
    runway = np.maximum(items["cash"], 0.0) / np.where(burning, burn, 1.0)
    return finish(runway, reasons, not_burning | missing)


def burning_cash(items: StatementItems, reasons: np.ndarray) -> pd.arrays.BooleanArray:
    """The flag net profit + depreciation < 0, as a pandas nullable boolean array (NA when unknown)."""
    _flow, flow_missing, burning = _cash_flow(items)
    mark_missing(reasons, items, ("net_profit", "depreciation"))
    return pd.arrays.BooleanArray(np.where(flow_missing, False, burning), flow_missing.copy())


#: The float columns computed by a named function rather than by the table of ``specs.py``.
MEASURES: dict[str, Measure] = {
    "X21": sales_growth,
    "X24": three_year_gross_profit,
    "X29": log_total_assets,
    "X55": working_capital,
    "altman_z2": altman_z2,
    "cash_runway_months": cash_runway_months,
}


def altman_zone(z: float | None) -> str | None:
    """Zone of an Altman Z'' value: "safe" (> 2.60), "grey" (1.10–2.60), "distress" (< 1.10), None if NaN."""
    if z is None:
        return None
    try:
        zf = float(z)
    except (TypeError, ValueError):
        return None
    if not np.isfinite(zf):
        return None
    if zf > ALTMAN_SAFE_ABOVE:
        return "safe"
    if zf < ALTMAN_DISTRESS_BELOW:
        return "distress"
    return "grey"


def altman_zones(z: pd.Series | np.ndarray) -> pd.Series:
    """Vectorised :func:`altman_zone`: a Series of "safe"/"grey"/"distress"/None."""
    s = pd.Series(z, dtype="float64") if not isinstance(z, pd.Series) else z.astype("float64")
    arr = s.to_numpy()
    out = np.full(len(arr), None, dtype=object)
    finite = np.isfinite(arr)
    out[finite] = "grey"
    out[finite & (arr > ALTMAN_SAFE_ABOVE)] = "safe"
    out[finite & (arr < ALTMAN_DISTRESS_BELOW)] = "distress"
    return pd.Series(out, index=s.index, dtype=object)
