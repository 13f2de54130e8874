"""Reading a distress data set (ARFF or CSV) into a float feature table and a 0/1 target, with clear
errors for what cannot be used: the model is general, so nothing here knows a particular data set."""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from nic1000.algorithms.early_warning.errors import EarlyWarningError

_TRUE = {"1", "1.0", "true", "t", "yes", "y"}
_FALSE = {"0", "0.0", "false", "f", "no", "n"}


def load_table(path: str | os.PathLike[str], target: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Read an ARFF or CSV file and return ``(X, y)``.

    ``X``: DataFrame of float64 features (every column except ``target``; '?' / empty / NaN = missing),
    ``y``: int array of 0/1. Rows whose target is missing are dropped. Target values may be
    ``b'1'``/``b'0'``, ``'1'``/``'0'``, ints, ``True``/``False``, ``yes``/``no``.

    Raises :class:`EarlyWarningError` when the file is missing or unreadable, the target column is absent
    (the message lists the available columns), the target has one class only or values that are not
    binary, or a feature column is not numeric.
    """
    p = Path(path)
    if not p.is_file():
        raise EarlyWarningError(f"data file not found: {p}")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise EarlyWarningError(f"cannot read data file {p}: {exc}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp949")
        except UnicodeDecodeError as exc:
            raise EarlyWarningError(f"cannot decode data file {p} (expected UTF-8 or CP949 text)") from exc
    frame = _parse_arff(text, p) if _looks_like_arff(p, text) else _parse_csv(text, p)
    return _split_target(frame, target, p)


def _looks_like_arff(path: Path, text: str) -> bool:
    """By the file name, else by a first non-comment line starting with @relation."""
    if path.suffix.lower() == ".arff":
        return True
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        return s.lower().startswith("@relation")
    return False


def _parse_arff(text: str, path: Path) -> pd.DataFrame:
    """Small ARFF reader: numeric / nominal / string attributes, '?' = missing, CRLF tolerated."""
    names: list[str] = []
    lines = text.splitlines()
    data_start = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        low = s.lower()
        if low.startswith("@attribute"):
            rest = s[len("@attribute") :].strip()
            if rest.startswith(("'", '"')):
                q = rest[0]
                end = rest.find(q, 1)
                if end < 0:
                    raise EarlyWarningError(f"{path}: malformed ARFF attribute line {i + 1}: {s[:80]}")
                name = rest[1:end]
            else:
                parts = rest.split(None, 1)
                if not parts:
                    raise EarlyWarningError(f"{path}: malformed ARFF attribute line {i + 1}")
                name = parts[0]
            names.append(name)
        elif low.startswith("@data"):
            data_start = i + 1
            break
    if data_start is None or not names:
        raise EarlyWarningError(f"{path}: not a valid ARFF file (no @attribute / @data section)")
    body = "\n".join(ln for ln in lines[data_start:] if ln.strip() and not ln.lstrip().startswith("%"))
    if body.lstrip().startswith("{"):
        raise EarlyWarningError(f"{path}: sparse ARFF is not supported")
    reader = csv.reader(io.StringIO(body), quotechar="'", skipinitialspace=True)
    rows = []
    for lineno, rec in enumerate(reader, start=1):
        if len(rec) != len(names):
            raise EarlyWarningError(
                f"{path}: ARFF data row {lineno} has {len(rec)} values, expected {len(names)}"
            )
        rows.append([None if v.strip() in ("?", "") else v.strip() for v in rec])
    if not rows:
        raise EarlyWarningError(f"{path}: ARFF file has no data rows")
    return pd.DataFrame(rows, columns=names, dtype=object)


def _parse_csv(text: str, path: Path) -> pd.DataFrame:
    """CSV with a header row; the delimiter (, ; tab |) is sniffed; '?', 'NA', empty = missing."""
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, na_values=["?", "NA", "N/A", "nan", ""], dtype=object)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise EarlyWarningError(f"cannot parse CSV file {path}: {exc}") from exc
    if frame.shape[1] < 2 or frame.shape[0] == 0:
        raise EarlyWarningError(f"{path}: CSV file needs a header row, at least two columns and one data row")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _target_to_binary(values: pd.Series, target: str) -> np.ndarray:
    """Map a target column to 0/1 floats (NaN for missing)."""
    out = np.full(len(values), np.nan)
    norm: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            norm.append(None)
            continue
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        if isinstance(v, (bool, np.bool_)):
            norm.append("1" if v else "0")
            continue
        s = str(v).strip().strip("'\"").strip().lower()
        norm.append(s if s not in ("", "?", "nan", "na") else None)
    distinct = {s for s in norm if s is not None}
    unknown = {s for s in distinct if s not in _TRUE and s not in _FALSE}
    if unknown:
        # any other binary coding must be numeric 0/1-like
        try:
            nums = {s: float(s) for s in distinct}
        except ValueError:
            raise EarlyWarningError(
                f"target column {target!r} must be binary (1/0, true/false, yes/no); found values "
                f"{sorted(distinct)[:10]}"
            ) from None
        if not set(nums.values()) <= {0.0, 1.0}:
            raise EarlyWarningError(
                f"target column {target!r} must be binary 0/1; found values {sorted(distinct)[:10]}"
            )
        mapping = {s: nums[s] for s in distinct}
    else:
        mapping = {s: (1.0 if s in _TRUE else 0.0) for s in distinct}
    for i, label in enumerate(norm):
        if label is not None:
            out[i] = mapping[label]
    return out


def _split_target(frame: pd.DataFrame, target: str, path: Path | str) -> tuple[pd.DataFrame, np.ndarray]:
    """(numeric features, 0/1 target) without the rows whose target is missing; both classes required."""
    if target not in frame.columns:
        cols = [str(c) for c in frame.columns]
        shown = ", ".join(cols[:80]) + (" ..." if len(cols) > 80 else "")
        raise EarlyWarningError(f"target column {target!r} not found in {path}; available columns: {shown}")
    y = _target_to_binary(frame[target], target)
    keep = ~np.isnan(y)
    if not keep.any():
        raise EarlyWarningError(f"target column {target!r} has no values")
    features = frame.drop(columns=[target]).loc[keep].reset_index(drop=True)
    y_int = y[keep].astype(np.int64)
    classes = np.unique(y_int)
    if len(classes) < 2:
        raise EarlyWarningError(
            f"target column {target!r} has only one class ({int(classes[0])}); need both distressed (1) "
            "and healthy (0) rows"
        )
    if features.shape[1] == 0:
        raise EarlyWarningError(f"{path}: no feature columns besides the target {target!r}")
    return _numeric_features(features), y_int


def _numeric_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Convert every column to float64; raise naming the columns that are not numeric."""
    out: dict[str, np.ndarray] = {}
    bad: list[str] = []
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            out[str(col)] = s.to_numpy(dtype="float64", na_value=np.nan)
            continue
        try:  # fast path: plain numbers (None = missing)
            out[str(col)] = pd.to_numeric(s, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
            continue
        except (TypeError, ValueError):
            pass
        obj = s.map(lambda v: v.decode("utf-8", "replace") if isinstance(v, bytes) else v)
        lowered = obj.map(lambda v: v.strip().lower() if isinstance(v, str) else v)
        lowered = lowered.replace({"true": 1.0, "false": 0.0})
        num = pd.to_numeric(lowered, errors="coerce")
        present = obj.notna() & (obj.map(lambda v: str(v).strip()) != "")
        if (num.isna() & present).any():
            bad.append(str(col))
            continue
        out[str(col)] = num.to_numpy(dtype="float64", na_value=np.nan)
    if bad:
        shown = ", ".join(bad[:20]) + (" ..." if len(bad) > 20 else "")
        raise EarlyWarningError(
            f"non-numeric feature column(s) cannot be used: {shown}. Remove them (identifiers, names) or "
            "encode them as numbers."
        )
    result = pd.DataFrame(out, index=frame.index)
    return result.replace([np.inf, -np.inf], np.nan)
