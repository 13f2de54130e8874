"""Vectorised financial-ratio engine (pure: numpy/pandas only, no Django).

Computes, for many companies and fiscal years at once:

* the 64 ratios ``X1`` .. ``X64`` exactly as defined by the authors of the Polish bankruptcy data set
  (Zieba, Tomczak & Tomczak 2016; UCI data set 365, CC BY 4.0), so that the early-warning model trained on
  that data can score our companies;
* Altman's Z'' score (``altman_z2``), the emerging-market / non-manufacturer variant::

      Z'' = 6.56·X1' + 3.26·X2' + 6.72·X3' + 1.05·X4'

      X1' = working capital / total assets            (working capital = current_assets − short_term_liabilities)
      X2' = retained earnings / total assets
      X3' = EBIT / total assets                       (EBIT = gross_profit + interest_expense)
      X4' = book value of equity / total liabilities

  Zones (see :func:`altman_zone`): safe if Z'' > 2.60, grey if 1.10 ≤ Z'' ≤ 2.60, distress if Z'' < 1.10;
* cash runway in months (``cash_runway_months``) = cash / monthly burn, where
  monthly burn = max(0, −(net_profit + depreciation)) / 12, and the flag ``burning_cash``
  (net_profit + depreciation < 0). A company that is not burning cash gets NaN with the reason
  "not burning cash" (never +inf). A burning company with cash ≤ 0 has a runway of 0 months.

Input: a DataFrame with ``company_id``, ``fiscal_year`` and the statement items named in
``docs/statement-items.md`` (see :data:`ITEMS`). Several years per company may be given; ratios that need
earlier statements (X21, X24) look for the same company's statement of fiscal_year − 1 (and − 2 for X24).

Every value that cannot be computed — division by zero, a missing (NaN / absent / non-numeric) item,
logarithm of a non-positive number, a missing previous year, a non-finite result — is NaN, and the
matching cell of :attr:`RatioResult.reasons` holds a short English reason. Nothing ever returns ±inf and
nothing raises for bad numbers.

Notes on the authors' definitions, kept on purpose so the values match the data set:

* X29 is the base-10 logarithm of total assets (that is what the data holds: Attr29 = log10(TA)).
* X32 and X52 have the same published definition (short-term liabilities · 365 / cost of products sold).
* X48 and X49 call "EBITDA" profit on operating activities **minus** depreciation, as the authors wrote it.
* X43 = X44 + X20 = (receivables + inventory) · 365 / sales.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ALTMAN_DISTRESS_BELOW",
    "ALTMAN_SAFE_ABOVE",
    "EXTRA_COLUMNS",
    "ID_COLUMNS",
    "ITEMS",
    "ITEM_LABELS",
    "OUTPUT_COLUMNS",
    "RATIO_COLUMNS",
    "RATIO_LABELS",
    "RatioResult",
    "SingleRatioResult",
    "altman_zone",
    "altman_zones",
    "compute_ratios",
    "compute_single",
]

ID_COLUMNS: tuple[str, str] = ("company_id", "fiscal_year")

#: Statement items (docs/statement-items.md), with their Korean names.
ITEM_LABELS: dict[str, dict[str, str]] = {
    "cash": {"en": "cash and cash equivalents", "ko": "현금및현금성자산"},
    "short_term_securities": {"en": "short-term securities", "ko": "단기금융상품·유가증권"},
    "receivables": {"en": "receivables", "ko": "매출채권"},
    "inventory": {"en": "inventory", "ko": "재고자산"},
    "current_assets": {"en": "current assets", "ko": "유동자산"},
    "fixed_assets": {"en": "fixed assets", "ko": "비유동자산"},
    "total_assets": {"en": "total assets", "ko": "자산총계"},
    "short_term_liabilities": {"en": "short-term liabilities", "ko": "유동부채"},
    "long_term_liabilities": {"en": "long-term liabilities", "ko": "비유동부채"},
    "total_liabilities": {"en": "total liabilities", "ko": "부채총계"},
    "share_capital": {"en": "share capital", "ko": "자본금"},
    "retained_earnings": {"en": "retained earnings", "ko": "이익잉여금"},
    "equity": {"en": "equity", "ko": "자본총계"},
    "sales": {"en": "sales", "ko": "매출액"},
    "cost_of_products_sold": {"en": "cost of products sold", "ko": "매출원가"},
    "operating_expenses": {"en": "operating expenses", "ko": "영업비용"},
    "depreciation": {"en": "depreciation", "ko": "감가상각비"},
    "profit_on_sales": {"en": "profit on sales", "ko": "판매손익"},
    "profit_on_operating_activities": {"en": "profit on operating activities", "ko": "영업이익"},
    "financial_expenses": {"en": "financial expenses", "ko": "금융비용"},
    "interest_expense": {"en": "interest expense", "ko": "이자비용"},
    "extraordinary_items": {"en": "extraordinary items", "ko": "특별손익"},
    "gross_profit": {"en": "gross profit (profit before tax)", "ko": "법인세비용차감전순이익"},
    "net_profit": {"en": "net profit", "ko": "당기순이익"},
}
ITEMS: tuple[str, ...] = tuple(ITEM_LABELS)

RATIO_COLUMNS: tuple[str, ...] = tuple(f"X{i}" for i in range(1, 65))
EXTRA_COLUMNS: tuple[str, ...] = ("altman_z2", "cash_runway_months", "burning_cash")
OUTPUT_COLUMNS: tuple[str, ...] = (*ID_COLUMNS, *RATIO_COLUMNS, *EXTRA_COLUMNS)

#: Ratio id → {"en": English label, "ko": Korean label}. Also covers altman_z2 and cash_runway_months.
RATIO_LABELS: dict[str, dict[str, str]] = {
    "X1": {"en": "net profit / total assets", "ko": "당기순이익 / 자산총계"},
    "X2": {"en": "total liabilities / total assets", "ko": "부채총계 / 자산총계"},
    "X3": {"en": "working capital / total assets", "ko": "운전자본 / 자산총계"},
    "X4": {"en": "current assets / short-term liabilities", "ko": "유동자산 / 유동부채 (유동비율)"},
    "X5": {
        "en": "(cash + short-term securities + receivables − short-term liabilities) / (operating expenses − depreciation) × 365",
        "ko": "(현금 + 단기유가증권 + 매출채권 − 유동부채) / (영업비용 − 감가상각비) × 365",
    },
    "X6": {"en": "retained earnings / total assets", "ko": "이익잉여금 / 자산총계"},
    "X7": {"en": "EBIT / total assets", "ko": "EBIT / 자산총계"},
    "X8": {"en": "book value of equity / total liabilities", "ko": "자본총계(장부가) / 부채총계"},
    "X9": {"en": "sales / total assets", "ko": "매출액 / 자산총계"},
    "X10": {"en": "equity / total assets", "ko": "자본총계 / 자산총계 (자기자본비율)"},
    "X11": {
        "en": "(gross profit + extraordinary items + financial expenses) / total assets",
        "ko": "(세전이익 + 특별손익 + 금융비용) / 자산총계",
    },
    "X12": {"en": "gross profit / short-term liabilities", "ko": "세전이익 / 유동부채"},
    "X13": {"en": "(gross profit + depreciation) / sales", "ko": "(세전이익 + 감가상각비) / 매출액"},
    "X14": {"en": "(gross profit + interest) / total assets", "ko": "(세전이익 + 이자비용) / 자산총계"},
    "X15": {
        "en": "(total liabilities × 365) / (gross profit + depreciation)",
        "ko": "(부채총계 × 365) / (세전이익 + 감가상각비)",
    },
    "X16": {
        "en": "(gross profit + depreciation) / total liabilities",
        "ko": "(세전이익 + 감가상각비) / 부채총계",
    },
    "X17": {"en": "total assets / total liabilities", "ko": "자산총계 / 부채총계"},
    "X18": {"en": "gross profit / total assets", "ko": "세전이익 / 자산총계"},
    "X19": {"en": "gross profit / sales", "ko": "세전이익 / 매출액"},
    "X20": {"en": "(inventory × 365) / sales", "ko": "(재고자산 × 365) / 매출액 (재고회전일수)"},
    "X21": {"en": "sales (n) / sales (n−1)", "ko": "당기 매출액 / 전기 매출액"},
    "X22": {"en": "profit on operating activities / total assets", "ko": "영업이익 / 자산총계"},
    "X23": {"en": "net profit / sales", "ko": "당기순이익 / 매출액"},
    "X24": {"en": "gross profit (3 years) / total assets", "ko": "최근 3년 세전이익 합계 / 자산총계"},
    "X25": {"en": "(equity − share capital) / total assets", "ko": "(자본총계 − 자본금) / 자산총계"},
    "X26": {
        "en": "(net profit + depreciation) / total liabilities",
        "ko": "(당기순이익 + 감가상각비) / 부채총계",
    },
    "X27": {"en": "profit on operating activities / financial expenses", "ko": "영업이익 / 금융비용"},
    "X28": {"en": "working capital / fixed assets", "ko": "운전자본 / 비유동자산"},
    "X29": {"en": "logarithm of total assets", "ko": "자산총계의 로그(log10)"},
    "X30": {"en": "(total liabilities − cash) / sales", "ko": "(부채총계 − 현금) / 매출액"},
    "X31": {"en": "(gross profit + interest) / sales", "ko": "(세전이익 + 이자비용) / 매출액"},
    "X32": {
        "en": "(current liabilities × 365) / cost of products sold",
        "ko": "(유동부채 × 365) / 매출원가",
    },
    "X33": {"en": "operating expenses / short-term liabilities", "ko": "영업비용 / 유동부채"},
    "X34": {"en": "operating expenses / total liabilities", "ko": "영업비용 / 부채총계"},
    "X35": {"en": "profit on sales / total assets", "ko": "판매손익 / 자산총계"},
    "X36": {"en": "total sales / total assets", "ko": "총매출액 / 자산총계"},
    "X37": {
        "en": "(current assets − inventories) / long-term liabilities",
        "ko": "(유동자산 − 재고자산) / 비유동부채",
    },
    "X38": {"en": "constant capital / total assets", "ko": "장기자본(자본+비유동부채) / 자산총계"},
    "X39": {"en": "profit on sales / sales", "ko": "판매손익 / 매출액"},
    "X40": {
        "en": "(current assets − inventory − receivables) / short-term liabilities",
        "ko": "(유동자산 − 재고자산 − 매출채권) / 유동부채",
    },
    "X41": {
        "en": "total liabilities / ((profit on operating activities + depreciation) × (12/365))",
        "ko": "부채총계 / ((영업이익 + 감가상각비) × (12/365))",
    },
    "X42": {"en": "profit on operating activities / sales", "ko": "영업이익 / 매출액"},
    "X43": {
        "en": "receivables turnover + inventory turnover in days",
        "ko": "매출채권회전일수 + 재고자산회전일수",
    },
    "X44": {"en": "(receivables × 365) / sales", "ko": "(매출채권 × 365) / 매출액 (매출채권회전일수)"},
    "X45": {"en": "net profit / inventory", "ko": "당기순이익 / 재고자산"},
    "X46": {
        "en": "(current assets − inventory) / short-term liabilities",
        "ko": "(유동자산 − 재고자산) / 유동부채 (당좌비율)",
    },
    "X47": {"en": "(inventory × 365) / cost of products sold", "ko": "(재고자산 × 365) / 매출원가"},
    "X48": {
        "en": "EBITDA (profit on operating activities − depreciation) / total assets",
        "ko": "EBITDA(영업이익 − 감가상각비) / 자산총계",
    },
    "X49": {
        "en": "EBITDA (profit on operating activities − depreciation) / sales",
        "ko": "EBITDA(영업이익 − 감가상각비) / 매출액",
    },
    "X50": {"en": "current assets / total liabilities", "ko": "유동자산 / 부채총계"},
    "X51": {"en": "short-term liabilities / total assets", "ko": "유동부채 / 자산총계"},
    "X52": {
        "en": "(short-term liabilities × 365) / cost of products sold",
        "ko": "(유동부채 × 365) / 매출원가",
    },
    "X53": {"en": "equity / fixed assets", "ko": "자본총계 / 비유동자산"},
    "X54": {"en": "constant capital / fixed assets", "ko": "장기자본 / 비유동자산"},
    "X55": {"en": "working capital", "ko": "운전자본"},
    "X56": {
        "en": "(sales − cost of products sold) / sales",
        "ko": "(매출액 − 매출원가) / 매출액 (매출총이익률)",
    },
    "X57": {
        "en": "(current assets − inventory − short-term liabilities) / (sales − gross profit − depreciation)",
        "ko": "(유동자산 − 재고자산 − 유동부채) / (매출액 − 세전이익 − 감가상각비)",
    },
    "X58": {"en": "total costs / total sales", "ko": "총비용 / 총매출액"},
    "X59": {"en": "long-term liabilities / equity", "ko": "비유동부채 / 자본총계"},
    "X60": {"en": "sales / inventory", "ko": "매출액 / 재고자산 (재고자산회전율)"},
    "X61": {"en": "sales / receivables", "ko": "매출액 / 매출채권 (매출채권회전율)"},
    "X62": {"en": "(short-term liabilities × 365) / sales", "ko": "(유동부채 × 365) / 매출액"},
    "X63": {"en": "sales / short-term liabilities", "ko": "매출액 / 유동부채"},
    "X64": {"en": "sales / fixed assets", "ko": "매출액 / 비유동자산"},
    "altman_z2": {"en": "Altman Z'' score", "ko": "알트만 Z'' 점수"},
    "cash_runway_months": {"en": "cash runway (months)", "ko": "현금 소진 예상 기간(개월)"},
}

ALTMAN_SAFE_ABOVE = 2.60
ALTMAN_DISTRESS_BELOW = 1.10

# Reasons (kept short; the UI may translate them by prefix).
R_NEEDS_PREVIOUS = "needs previous year"
R_NEEDS_3_YEARS = "needs 3 years of statements (n, n−1, n−2)"
R_NOT_BURNING = "not burning cash"
R_NON_FINITE = "non-finite result"


@dataclass(frozen=True)
class RatioResult:
    """Result of :func:`compute_ratios`.

    ``values``: one row per input row (same index, same order) with columns :data:`OUTPUT_COLUMNS`
    (``company_id``, ``fiscal_year``, ``X1`` .. ``X64`` as float64, ``altman_z2``, ``cash_runway_months``
    as float64 and ``burning_cash`` as pandas nullable boolean).

    ``reasons``: same shape, index and columns; ``company_id``/``fiscal_year`` repeat the ids, every other
    cell is ``None`` when the value was computed or a short English reason when it is NaN / NA.
    """

    values: pd.DataFrame
    reasons: pd.DataFrame

    def reason(self, row: Any, column: str) -> str | None:
        """Reason for one cell, addressed by index label."""
        return self.reasons.at[row, column]


@dataclass(frozen=True)
class SingleRatioResult:
    """Result of :func:`compute_single`: ``values[col]`` (float, NaN if not computable; bool/None for
    ``burning_cash``) and ``reasons[col]`` (None or a short reason)."""

    values: dict[str, Any]
    reasons: dict[str, str | None]


# --------------------------------------------------------------------------------------------------------
# Vectorised machinery
# --------------------------------------------------------------------------------------------------------


class _Ctx:
    """Float arrays of the items plus their missing masks and missing reasons."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.n = len(frame)
        self.arrays: dict[str, np.ndarray] = {}
        self.bad: dict[str, np.ndarray] = {}
        self.bad_reason: dict[str, str | np.ndarray] = {}
        for item in ITEMS:
            if item in frame.columns:
                arr = _to_float(frame[item])
                nan = np.isnan(arr)
                inf = np.isinf(arr)
                bad = nan | inf
                if inf.any():
                    reason: str | np.ndarray = np.where(
                        inf, f"non-finite item: {item}", f"missing item: {item}"
                    )
                else:
                    reason = f"missing item: {item}"
            else:
                arr = np.full(self.n, np.nan)
                bad = np.ones(self.n, dtype=bool)
                reason = f"missing item: {item}"
            arr = np.where(bad, np.nan, arr)
            self.arrays[item] = arr
            self.bad[item] = bad
            self.bad_reason[item] = reason

    def __getitem__(self, item: str) -> np.ndarray:
        return self.arrays[item]


def _to_float(series: pd.Series) -> np.ndarray:
    """Coerce a column to float64; non-numeric cells become NaN (never raises)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        return np.asarray(series.to_numpy(), dtype="float64")
    try:
        converted = pd.to_numeric(series, errors="coerce")
        return np.asarray(converted.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
    except (TypeError, ValueError, OverflowError):
        return np.array([_safe_float(v) for v in series], dtype="float64")


def _safe_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return float("nan")


_NUM_COLUMNS: tuple[str, ...] = (*RATIO_COLUMNS, "altman_z2", "cash_runway_months")
_REASON_COLUMNS: tuple[str, ...] = (*_NUM_COLUMNS, "burning_cash")


def _assign_missing(reasons: np.ndarray, ctx: _Ctx, items: Sequence[str]) -> np.ndarray:
    """Fill reasons for rows with a missing item (the first missing item in ``items`` wins).

    Returns the combined missing mask."""
    any_bad = np.zeros(ctx.n, dtype=bool)
    for item in reversed(items):
        bad = ctx.bad[item]
        if bad.any():
            r = ctx.bad_reason[item]
            reasons[bad] = r[bad] if isinstance(r, np.ndarray) else r
            any_bad |= bad
    return any_bad


def _finish(values: np.ndarray, reasons: np.ndarray, invalid: np.ndarray) -> np.ndarray:
    """NaN where invalid; any remaining non-finite result becomes NaN with R_NON_FINITE."""
    values = np.where(invalid, np.nan, values)
    nonfinite = ~np.isfinite(values) & ~invalid
    if nonfinite.any():
        values[nonfinite] = np.nan
        reasons[nonfinite] = R_NON_FINITE
    return values


def _ratio(
    ctx: _Ctx,
    reasons: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    items: Sequence[str],
    den_label: str,
    scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """scale · num / den, writing reasons in place (missing item > division by zero > non-finite)."""
    zero = den == 0
    if zero.any():
        reasons[zero] = f"division by zero: {den_label} = 0"
    missing = _assign_missing(reasons, ctx, items)
    invalid = missing | zero
    with np.errstate(all="ignore"):
        values = (num * scale) / np.where(zero, 1.0, den)
    return _finish(values, reasons, invalid)  # type: ignore[return-value]


def _plain(ctx: _Ctx, reasons: np.ndarray, values: np.ndarray, items: Sequence[str]) -> np.ndarray:
    missing = _assign_missing(reasons, ctx, items)
    return _finish(values, reasons, missing)


def _history_keys(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """int64 key per row (company code · span + year offset) and a validity mask, or None without ids."""
    if "company_id" not in frame.columns or "fiscal_year" not in frame.columns or len(frame) == 0:
        return None
    codes, _ = pd.factorize(frame["company_id"], use_na_sentinel=True)
    year = _to_float(frame["fiscal_year"])
    ok = (codes >= 0) & np.isfinite(year) & (np.abs(year) < 1e9)
    ok &= year == np.round(year)
    if not ok.any():
        return None
    y = np.where(ok, year, 0).astype(np.int64)
    ymin = int(y[ok].min())
    span = int(y[ok].max()) - ymin + 3
    keys = codes.astype(np.int64) * span + (y - ymin + 2)
    return keys, ok


def _previous_index(keys: np.ndarray, ok: np.ndarray, lag: int) -> np.ndarray:
    """For each row, the position of the same company's statement of fiscal_year − lag, or −1.

    Works on arbitrary row order; with duplicate (company, year) rows the last one wins."""
    n = len(keys)
    result = np.full(n, -1, dtype=np.int64)
    valid_pos = np.flatnonzero(ok)
    k = keys[valid_pos]
    # stable sort, so among duplicates the last row comes last; pick it with side="right" − 1
    order = np.argsort(k, kind="stable")
    sk = k[order]
    target = k - lag
    j = np.searchsorted(sk, target, side="right") - 1
    jc = np.clip(j, 0, max(len(sk) - 1, 0))
    found = (j >= 0) & (sk[jc] == target)
    result[valid_pos[found]] = valid_pos[order[jc[found]]]
    return result


# --------------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------------


def compute_ratios(statements: pd.DataFrame) -> RatioResult:
    """Compute X1..X64, Altman Z'' and cash runway for every row of ``statements``.

    ``statements`` needs ``company_id`` and ``fiscal_year`` columns (if absent, every row is its own
    company with no history) and the items of :data:`ITEMS`; absent item columns count as missing.
    Output rows are in input order with the input index. Never raises for bad numbers; never returns inf.
    """
    frame = statements
    n = len(frame)
    ctx = _Ctx(frame)
    vals: dict[str, np.ndarray] = {}
    # Column-major blocks: every reason column is a contiguous view, and pandas takes them without copying.
    rblock = np.empty((n, len(_REASON_COLUMNS)), dtype=object, order="F")  # filled with None
    reas: dict[str, np.ndarray] = {col: rblock[:, j] for j, col in enumerate(_REASON_COLUMNS)}

    with np.errstate(all="ignore"):
        ca, stl, ta, tl = (
            ctx["current_assets"],
            ctx["short_term_liabilities"],
            ctx["total_assets"],
            ctx["total_liabilities"],
        )
        cash, sts, rec, inv = ctx["cash"], ctx["short_term_securities"], ctx["receivables"], ctx["inventory"]
        fa, ltl, sc, re_, eq = (
            ctx["fixed_assets"],
            ctx["long_term_liabilities"],
            ctx["share_capital"],
            ctx["retained_earnings"],
            ctx["equity"],
        )
        sales, cogs, opex, dep = (
            ctx["sales"],
            ctx["cost_of_products_sold"],
            ctx["operating_expenses"],
            ctx["depreciation"],
        )
        pos, poa, fin, intr = (
            ctx["profit_on_sales"],
            ctx["profit_on_operating_activities"],
            ctx["financial_expenses"],
            ctx["interest_expense"],
        )
        extra, gp, np_ = ctx["extraordinary_items"], ctx["gross_profit"], ctx["net_profit"]

        wc = ca - stl
        ebit = gp + intr
        ebitda_pl = poa - dep  # the authors' "EBITDA"
        constant_capital = eq + ltl
        total_costs = opex + fin

        WC = ("current_assets", "short_term_liabilities")
        TA, TL, STL, S, FA = (
            "total_assets",
            "total_liabilities",
            "short_term_liabilities",
            "sales",
            "fixed_assets",
        )

        # name -> (num, den, items (num items then den items), den label, scale)
        specs: dict[str, tuple[np.ndarray, np.ndarray, tuple[str, ...], str, float]] = {
            "X1": (np_, ta, ("net_profit", TA), TA, 1.0),
            "X2": (tl, ta, (TL, TA), TA, 1.0),
            "X3": (wc, ta, (*WC, TA), TA, 1.0),
            "X4": (ca, stl, ("current_assets", STL), STL, 1.0),
            "X5": (
                cash + sts + rec - stl,
                opex - dep,
                ("cash", "short_term_securities", "receivables", STL, "operating_expenses", "depreciation"),
                "operating_expenses − depreciation",
                365.0,
            ),
            "X6": (re_, ta, ("retained_earnings", TA), TA, 1.0),
            "X7": (ebit, ta, ("gross_profit", "interest_expense", TA), TA, 1.0),
            "X8": (eq, tl, ("equity", TL), TL, 1.0),
            "X9": (sales, ta, (S, TA), TA, 1.0),
            "X10": (eq, ta, ("equity", TA), TA, 1.0),
            "X11": (
                gp + extra + fin,
                ta,
                ("gross_profit", "extraordinary_items", "financial_expenses", TA),
                TA,
                1.0,
            ),
            "X12": (gp, stl, ("gross_profit", STL), STL, 1.0),
            "X13": (gp + dep, sales, ("gross_profit", "depreciation", S), S, 1.0),
            "X14": (ebit, ta, ("gross_profit", "interest_expense", TA), TA, 1.0),
            "X15": (tl, gp + dep, (TL, "gross_profit", "depreciation"), "gross_profit + depreciation", 365.0),
            "X16": (gp + dep, tl, ("gross_profit", "depreciation", TL), TL, 1.0),
            "X17": (ta, tl, (TA, TL), TL, 1.0),
            "X18": (gp, ta, ("gross_profit", TA), TA, 1.0),
            "X19": (gp, sales, ("gross_profit", S), S, 1.0),
            "X20": (inv, sales, ("inventory", S), S, 365.0),
            "X22": (poa, ta, ("profit_on_operating_activities", TA), TA, 1.0),
            "X23": (np_, sales, ("net_profit", S), S, 1.0),
            "X25": (eq - sc, ta, ("equity", "share_capital", TA), TA, 1.0),
            "X26": (np_ + dep, tl, ("net_profit", "depreciation", TL), TL, 1.0),
            "X27": (
                poa,
                fin,
                ("profit_on_operating_activities", "financial_expenses"),
                "financial_expenses",
                1.0,
            ),
            "X28": (wc, fa, (*WC, FA), FA, 1.0),
            "X30": (tl - cash, sales, (TL, "cash", S), S, 1.0),
            "X31": (ebit, sales, ("gross_profit", "interest_expense", S), S, 1.0),
            "X32": (stl, cogs, (STL, "cost_of_products_sold"), "cost_of_products_sold", 365.0),
            "X33": (opex, stl, ("operating_expenses", STL), STL, 1.0),
            "X34": (opex, tl, ("operating_expenses", TL), TL, 1.0),
            "X35": (pos, ta, ("profit_on_sales", TA), TA, 1.0),
            "X36": (sales, ta, (S, TA), TA, 1.0),
            "X37": (
                ca - inv,
                ltl,
                ("current_assets", "inventory", "long_term_liabilities"),
                "long_term_liabilities",
                1.0,
            ),
            "X38": (constant_capital, ta, ("equity", "long_term_liabilities", TA), TA, 1.0),
            "X39": (pos, sales, ("profit_on_sales", S), S, 1.0),
            "X40": (ca - inv - rec, stl, ("current_assets", "inventory", "receivables", STL), STL, 1.0),
            "X41": (
                tl,
                (poa + dep) * (12.0 / 365.0),
                (TL, "profit_on_operating_activities", "depreciation"),
                "profit_on_operating_activities + depreciation",
                1.0,
            ),
            "X42": (poa, sales, ("profit_on_operating_activities", S), S, 1.0),
            "X43": (rec + inv, sales, ("receivables", "inventory", S), S, 365.0),
            "X44": (rec, sales, ("receivables", S), S, 365.0),
            "X45": (np_, inv, ("net_profit", "inventory"), "inventory", 1.0),
            "X46": (ca - inv, stl, ("current_assets", "inventory", STL), STL, 1.0),
            "X47": (inv, cogs, ("inventory", "cost_of_products_sold"), "cost_of_products_sold", 365.0),
            "X48": (ebitda_pl, ta, ("profit_on_operating_activities", "depreciation", TA), TA, 1.0),
            "X49": (ebitda_pl, sales, ("profit_on_operating_activities", "depreciation", S), S, 1.0),
            "X50": (ca, tl, ("current_assets", TL), TL, 1.0),
            "X51": (stl, ta, (STL, TA), TA, 1.0),
            "X52": (stl, cogs, (STL, "cost_of_products_sold"), "cost_of_products_sold", 365.0),
            "X53": (eq, fa, ("equity", FA), FA, 1.0),
            "X54": (constant_capital, fa, ("equity", "long_term_liabilities", FA), FA, 1.0),
            "X56": (sales - cogs, sales, (S, "cost_of_products_sold"), S, 1.0),
            "X57": (
                ca - inv - stl,
                sales - gp - dep,
                ("current_assets", "inventory", STL, S, "gross_profit", "depreciation"),
                "sales − gross_profit − depreciation",
                1.0,
            ),
            "X58": (total_costs, sales, ("operating_expenses", "financial_expenses", S), S, 1.0),
            "X59": (ltl, eq, ("long_term_liabilities", "equity"), "equity", 1.0),
            "X60": (sales, inv, (S, "inventory"), "inventory", 1.0),
            "X61": (sales, rec, (S, "receivables"), "receivables", 1.0),
            "X62": (stl, sales, (STL, S), S, 365.0),
            "X63": (sales, stl, (S, STL), STL, 1.0),
            "X64": (sales, fa, (S, FA), FA, 1.0),
        }
        for name, (num, den, items, label, scale) in specs.items():
            vals[name] = _ratio(ctx, reas[name], num, den, items, label, scale)  # type: ignore[assignment]

        # X55: working capital (no division)
        vals["X55"] = _plain(ctx, reas["X55"], wc, WC)

        # X29: log10(total assets)
        r29 = reas["X29"]
        nonpos = ta <= 0
        if nonpos.any():
            r29[nonpos] = "logarithm of non-positive: total_assets ≤ 0"
        miss = _assign_missing(r29, ctx, (TA,))
        vals["X29"] = _finish(np.log10(np.where(nonpos | miss, 1.0, ta)), r29, nonpos | miss)

        # Previous years (X21, X24)
        hist = _history_keys(frame)
        if hist is not None:
            prev1 = _previous_index(hist[0], hist[1], 1)
            prev2 = _previous_index(hist[0], hist[1], 2)
        else:
            prev1 = np.full(n, -1, dtype=np.int64)
            prev2 = np.full(n, -1, dtype=np.int64)
        has1, has2 = prev1 >= 0, prev2 >= 0
        p1 = np.where(has1, prev1, 0)
        p2 = np.where(has2, prev2, 0)

        # X21 = sales(n) / sales(n-1)
        r21 = reas["X21"]
        sales_prev = sales[p1] if n else sales
        sales_prev_bad = ctx.bad[S][p1] if n else ctx.bad[S]
        zero_prev = has1 & ~sales_prev_bad & (sales_prev == 0)
        r21[zero_prev] = "division by zero: previous year sales = 0"
        prev_missing = has1 & sales_prev_bad
        r21[prev_missing] = "missing item: sales (previous year)"
        cur_missing = _assign_missing(r21, ctx, (S,))
        r21[~has1] = R_NEEDS_PREVIOUS
        inv21 = ~has1 | prev_missing | zero_prev | cur_missing
        vals["X21"] = _finish(sales / np.where(inv21, 1.0, sales_prev), r21, inv21)

        # X24 = (gp(n) + gp(n-1) + gp(n-2)) / TA(n)
        r24 = reas["X24"]
        gp_bad = ctx.bad["gross_profit"]
        gp1_bad = gp_bad[p1] if n else gp_bad
        gp2_bad = gp_bad[p2] if n else gp_bad
        gp3 = gp + (gp[p1] if n else gp) + (gp[p2] if n else gp)
        zero24 = ta == 0
        r24[zero24] = "division by zero: total_assets = 0"
        older_missing = (has1 & gp1_bad) | (has2 & gp2_bad)
        r24[older_missing] = "missing item: gross_profit (earlier year)"
        cur24 = _assign_missing(r24, ctx, ("gross_profit", TA))
        need = ~(has1 & has2)
        r24[need] = R_NEEDS_3_YEARS
        inv24 = need | older_missing | cur24 | zero24
        vals["X24"] = _finish(gp3 / np.where(inv24, 1.0, ta), r24, inv24)

        # Altman Z''
        rz = reas["altman_z2"]
        z_items = (
            "current_assets",
            STL,
            "retained_earnings",
            "gross_profit",
            "interest_expense",
            "equity",
            TA,
            TL,
        )
        z_zero = (ta == 0) | (tl == 0)
        rz[tl == 0] = "division by zero: total_liabilities = 0"
        rz[ta == 0] = "division by zero: total_assets = 0"
        z_miss = _assign_missing(rz, ctx, z_items)
        ta_s = np.where(ta == 0, 1.0, ta)
        tl_s = np.where(tl == 0, 1.0, tl)
        z = 6.56 * (wc / ta_s) + 3.26 * (re_ / ta_s) + 6.72 * (ebit / ta_s) + 1.05 * (eq / tl_s)
        vals["altman_z2"] = _finish(z, rz, z_zero | z_miss)

        # Cash runway
        rr = reas["cash_runway_months"]
        flow = np_ + dep
        flow_miss = ctx.bad["net_profit"] | ctx.bad["depreciation"]
        burning = (flow < 0) & ~flow_miss
        not_burning = ~burning & ~flow_miss
        rr[not_burning] = R_NOT_BURNING
        rr_miss = _assign_missing(rr, ctx, ("cash", "net_profit", "depreciation"))
        burn = np.maximum(0.0, -np.where(flow_miss, 0.0, flow)) / 12.0
        runway = np.maximum(cash, 0.0) / np.where(burning, burn, 1.0)
        vals["cash_runway_months"] = _finish(runway, rr, not_burning | rr_miss)
        rb = reas["burning_cash"]
        _assign_missing(rb, ctx, ("net_profit", "depreciation"))

    index = frame.index
    block = np.empty((n, len(_NUM_COLUMNS)), dtype="float64", order="F")
    for j, col in enumerate(_NUM_COLUMNS):
        block[:, j] = vals[col]
    values = pd.DataFrame(block, index=index, columns=list(_NUM_COLUMNS), copy=False)
    values["burning_cash"] = pd.arrays.BooleanArray(np.where(flow_miss, False, burning), flow_miss.copy())
    reasons = pd.DataFrame(rblock, index=index, columns=list(_REASON_COLUMNS), dtype=object, copy=False)
    for pos, col in enumerate(ID_COLUMNS):  # type: ignore[assignment]
        ids = frame[col].to_numpy() if col in frame.columns else np.full(n, None, dtype=object)
        values.insert(pos, col, ids)
        reasons.insert(pos, col, ids)
    return RatioResult(values=values, reasons=reasons)


def compute_single(
    current: Mapping[str, Any],
    previous: Sequence[Mapping[str, Any]] = (),
) -> SingleRatioResult:
    """Ratios for one company's statement.

    ``current``: item → amount for year n. ``previous``: earlier statements, most recent first
    (``previous[0]`` is year n−1, ``previous[1]`` is year n−2); needed only for X21 and X24.
    """
    rows = [dict(current)]
    rows.extend(dict(p) for p in previous[:2])
    frame = pd.DataFrame(rows, columns=[*ID_COLUMNS, *ITEMS])
    frame["company_id"] = 0
    frame["fiscal_year"] = [0, -1, -2][: len(rows)]
    result = compute_ratios(frame)
    values: dict[str, Any] = {}
    reasons: dict[str, str | None] = {}
    for col in (*RATIO_COLUMNS, *EXTRA_COLUMNS):
        v = result.values[col].iloc[0]
        if col == "burning_cash":
            values[col] = None if pd.isna(v) else bool(v)
        else:
            values[col] = float(v)
        reasons[col] = result.reasons[col].iloc[0]
    return SingleRatioResult(values=values, reasons=reasons)


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
