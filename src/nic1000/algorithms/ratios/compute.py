"""``compute_ratios``: every ratio of every row at once, one vectorised pass per column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from nic1000.algorithms.ratios.labels import ITEMS
from nic1000.algorithms.ratios.measures import MEASURES, burning_cash
from nic1000.algorithms.ratios.specs import EXTRA_COLUMNS, ID_COLUMNS, RATIO_COLUMNS, RATIO_SPECS, RatioSpec
from nic1000.algorithms.ratios.statements import StatementItems, finish, mark_missing

_FLOAT_COLUMNS: tuple[str, ...] = (*RATIO_COLUMNS, "altman_z2", "cash_runway_months")
_REASON_COLUMNS: tuple[str, ...] = (*_FLOAT_COLUMNS, "burning_cash")


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


@dataclass(frozen=True)
class SingleRatioResult:
    """Result of :func:`compute_single`: ``values[col]`` (float, NaN if not computable; bool/None for
    ``burning_cash``) and ``reasons[col]`` (None or a short reason)."""

    values: dict[str, Any]
    reasons: dict[str, str | None]


def plain_ratio(items: StatementItems, reasons: np.ndarray, spec: RatioSpec) -> np.ndarray:
    """``spec.scale · numerator / denominator``, writing the reasons in place (missing item > division by
    zero > non-finite result)."""
    numerator = items.sum(spec.numerator)
    denominator = items.sum(spec.denominator)
    if spec.denominator_factor != 1.0:
        denominator = denominator * spec.denominator_factor
    zero = denominator == 0
    if zero.any():
        reasons[zero] = spec.zero_reason
    invalid = mark_missing(reasons, items, spec.items) | zero
    values = (numerator * spec.scale) / np.where(zero, 1.0, denominator)
    return finish(values, reasons, invalid)


def compute_ratios(statements: pd.DataFrame) -> RatioResult:
    """Compute X1..X64, Altman Z'' and cash runway for every row of ``statements``.

    ``statements`` needs ``company_id`` and ``fiscal_year`` columns (if absent, every row is its own
    company with no history) and the items of :data:`ITEMS`; absent item columns count as missing.
    Output rows are in input order with the input index. Never raises for bad numbers; never returns inf.
    """
    n = len(statements)
    items = StatementItems(statements)
    # Column-major: every reason column is a contiguous view, and pandas takes the block without copying.
    reason_block = np.empty((n, len(_REASON_COLUMNS)), dtype=object, order="F")  # filled with None
    reasons = {col: reason_block[:, j] for j, col in enumerate(_REASON_COLUMNS)}
    values = np.empty((n, len(_FLOAT_COLUMNS)), dtype="float64", order="F")
    column = {col: j for j, col in enumerate(_FLOAT_COLUMNS)}
    with np.errstate(all="ignore"):
        for spec in RATIO_SPECS:
            values[:, column[spec.name]] = plain_ratio(items, reasons[spec.name], spec)
        for name, measure in MEASURES.items():
            values[:, column[name]] = measure(items, reasons[name])
        flag = burning_cash(items, reasons["burning_cash"])
    return _result(statements, values, reason_block, flag)


def _result(statements: pd.DataFrame, values: np.ndarray, reasons: np.ndarray, flag: Any) -> RatioResult:
    """The two frames, with the ids first and the input's index."""
    index = statements.index
    value_frame = pd.DataFrame(values, index=index, columns=list(_FLOAT_COLUMNS), copy=False)
    value_frame["burning_cash"] = flag
    reason_frame = pd.DataFrame(reasons, index=index, columns=list(_REASON_COLUMNS), dtype=object, copy=False)
    for at, col in enumerate(ID_COLUMNS):
        if col in statements.columns:
            ids = statements[col].to_numpy()
        else:
            ids = np.full(len(statements), None, dtype=object)
        value_frame.insert(at, col, ids)
        reason_frame.insert(at, col, ids)
    return RatioResult(values=value_frame, reasons=reason_frame)


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
