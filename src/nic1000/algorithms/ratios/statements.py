"""The statement items of many rows as float arrays, with what is missing and why, and each row's earlier
statements; plus the two rules every ratio follows to explain a NaN (``mark_missing`` and ``finish``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from nic1000.algorithms.ratios.labels import ITEMS
from nic1000.algorithms.ratios.specs import Terms, term_item

R_NON_FINITE = "non-finite result"

#: One reason per row (or one for every row): "missing item: …" / "non-finite item: …".
ItemReason = str | np.ndarray


class StatementItems:
    """Float arrays of the items (NaN where unusable), their unusable masks and the reasons, and for each
    row the position of the same company's statement of the year before and two years before (−1: none)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.n = len(frame)
        self.arrays: dict[str, np.ndarray] = {}
        self.bad: dict[str, np.ndarray] = {}
        self.bad_reason: dict[str, ItemReason] = {}
        for item in ITEMS:
            self._read(frame, item)
        self.previous, self.before_previous = _previous_positions(frame)

    def _read(self, frame: pd.DataFrame, item: str) -> None:
        """One item's column as floats; an absent column is missing in every row."""
        reason: ItemReason = f"missing item: {item}"
        if item in frame.columns:
            arr = _to_float(frame[item])
            inf = np.isinf(arr)
            bad = np.isnan(arr) | inf
            if inf.any():  # an infinite amount is not "missing": say so
                reason = np.where(inf, f"non-finite item: {item}", reason)
        else:
            arr = np.full(self.n, np.nan)
            bad = np.ones(self.n, dtype=bool)
        self.arrays[item] = np.where(bad, np.nan, arr)
        self.bad[item] = bad
        self.bad_reason[item] = reason

    def __getitem__(self, item: str) -> np.ndarray:
        return self.arrays[item]

    def sum(self, terms: Terms) -> np.ndarray:
        """The items of ``terms`` added (or subtracted) left to right."""
        total = self.arrays[terms[0]]
        for term in terms[1:]:
            if term.startswith("-"):
                total = total - self.arrays[term_item(term)]
            else:
                total = total + self.arrays[term]
        return total


def mark_missing(reasons: np.ndarray, items: StatementItems, names: Sequence[str]) -> np.ndarray:
    """Write the reason of rows with an unusable item (the first such item in ``names`` wins) and return
    the mask of those rows. Overwrites reasons written before: a missing item explains more than a zero."""
    any_bad = np.zeros(items.n, dtype=bool)
    for name in reversed(names):
        bad = items.bad[name]
        if bad.any():
            reason = items.bad_reason[name]
            reasons[bad] = reason[bad] if isinstance(reason, np.ndarray) else reason
            any_bad |= bad
    return any_bad


def finish(values: np.ndarray, reasons: np.ndarray, invalid: np.ndarray) -> np.ndarray:
    """NaN where invalid (its reason already written); any other non-finite result becomes NaN with the
    reason R_NON_FINITE, so nothing ever returns ±inf."""
    values = np.where(invalid, np.nan, values)
    nonfinite = ~np.isfinite(values) & ~invalid
    if nonfinite.any():
        values[nonfinite] = np.nan
        reasons[nonfinite] = R_NON_FINITE
    return values


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


# ---- earlier statements (X21, X24) ------------------------------------------------------------------


def _previous_positions(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each row's statements of fiscal_year − 1 and − 2 (−1 where there is none)."""
    hist = _history_keys(frame)
    if hist is None:
        none = np.full(len(frame), -1, dtype=np.int64)
        return none, none.copy()
    keys, ok = hist
    return _previous_index(keys, ok, 1), _previous_index(keys, ok, 2)


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
