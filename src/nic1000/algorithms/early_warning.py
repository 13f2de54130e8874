"""Early-warning model: calibrated distress probability from financial ratios (pure: no Django).

The model is general for any tabular distress data (a numeric feature table plus a binary target); nothing in
the pipeline depends on a particular data set's columns.

Pipeline (:func:`fit`)
    1. Features: every numeric column (±inf → missing), plus one generic engineered feature, the number of
       missing values in the row (``__n_missing__``), when the training data has missing values at all.
    2. A small ensemble of LightGBM *variants* (``EWSConfig.variants``: the base parameters, fewer leaves,
       extremely randomised splits, gradient-based one-side sampling). Different tree shapes make different
       errors, so their mean log-odds ranks better than any one of them.
    3. Round counts by joint early stopping: for each variant the training rows are split into ``members``
       stratified folds and the ``members`` inner boosters are grown together, one round at a time; the
       number of trees is the round that maximises the *mean* held-out AUC over the inner folds, stopping
       ``early_stopping`` rounds after the last improvement. (One small fold's own best round is very noisy:
       on 7,000 rows it ranged from 8 to 800.) The inner boosters also give out-of-fold raw scores.
    4. Each variant is refitted on all training rows with its round count. The model's raw score is the mean
       of the variants' raw scores (log-odds), so its SHAP contributions are the mean of theirs, per input
       column.
    5. Calibration: a Platt (logistic) or isotonic map from raw score to probability, fitted on the
       out-of-fold raw scores of step 3 (mean over variants) — i.e. only on training data, never on the rows
       being evaluated.

:func:`cross_validate` repeats stratified k-fold and fits the whole pipeline (features, variants, round
counts, calibration) inside each training fold; it reports per-fold AUC and Brier score.

Persistence (:func:`save_model` / :func:`load_model`): one JSON file (gzip-compressed if named ``*.gz``)
holding the LightGBM boosters (text format), feature names, engineered features, calibrator parameters and
training metadata. Files of the earlier cross-fitted bag (no ``calibrate`` key) still load and score as before.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import os
import statistics
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

from nic1000.algorithms import ratios

__all__ = [
    "MODEL_FORMAT",
    "SCALE_DEPENDENT_RATIOS",
    "CVResult",
    "EWSConfig",
    "EarlyWarningError",
    "EarlyWarningModel",
    "Explanation",
    "FeatureEffect",
    "apply_calibrator",
    "cross_validate",
    "default_data_path",
    "default_model_path",
    "explain",
    "explanation_text",
    "feature_label",
    "fit",
    "fit_calibrator",
    "load_default_training_table",
    "load_model",
    "load_table",
    "run_evaluate",
    "run_train",
    "save_model",
    "train_default",
]

MODEL_FORMAT = "nic1000-ews/1"
MISSING_COUNT = "__n_missing__"

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


class EarlyWarningError(ValueError):
    """Domain error of the early-warning module (bad data file, bad model file, unusable features...)."""


# --------------------------------------------------------------------------------------------------------
# Reading data
# --------------------------------------------------------------------------------------------------------

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
    for i, s in enumerate(norm):  # type: ignore[assignment]
        if s is not None:
            out[i] = mapping[s]
    return out


def _split_target(frame: pd.DataFrame, target: str, path: Path | str) -> tuple[pd.DataFrame, np.ndarray]:
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


# --------------------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------------------


#: The shipped ensemble: LightGBM parameter overrides of each variant (see the module docstring). Generic
#: choices, not tuned to a data set: the base trees, shallower trees, extremely randomised trees, and
#: gradient-based one-side sampling with smaller leaves.
DEFAULT_VARIANTS: tuple[tuple[tuple[str, Any], ...], ...] = (
    (),
    (("num_leaves", 15),),
    (("extra_trees", True),),
    (("data_sample_strategy", "goss"), ("min_child_samples", 5)),
)


@dataclass(frozen=True)
class EWSConfig:
    """Training configuration. The defaults are the shipped configuration (general, not data-set specific)."""

    members: int = 5  # inner folds per variant (joint early stopping and out-of-fold scores)
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_child_samples: int = 10
    feature_fraction: float = 1.0  # column subsampling hurts here: the signal sits in a few ratios
    bagging_fraction: float = 1.0
    bagging_freq: int = 0
    lambda_l2: float = 0.0
    extra_trees: bool = False
    max_bin: int = 255
    max_rounds: int = 3000
    early_stopping: int | None = 150  # rounds without improvement of the mean inner-fold AUC
    fixed_rounds: int | None = None  # if set, no early stopping: every variant gets this many trees
    variants: tuple[tuple[tuple[str, Any], ...], ...] = DEFAULT_VARIANTS  # () = the base parameters only
    calibration: str = "platt"  # "platt", "isotonic" or "none"
    missing_count: bool = True
    num_threads: int = 0  # 0 = LightGBM default (all cores)

    def lgb_params(self, seed: int, variant: int = 0) -> dict[str, Any]:
        params: dict[str, Any] = {
            "objective": "binary",
            "metric": "auc",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": self.bagging_freq,
            "lambda_l2": self.lambda_l2,
            "extra_trees": self.extra_trees,
            "max_bin": self.max_bin,
            "seed": seed,
            "deterministic": True,
            "force_col_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }
        if self.variants:
            params.update(dict(self.variants[variant % len(self.variants)]))
        return params

    @property
    def n_variants(self) -> int:
        return max(1, len(self.variants))


@dataclass
class EarlyWarningModel:
    """A trained early-warning model (see module docstring)."""

    feature_names: list[str]
    boosters: list[lgb.Booster]
    calibrator: dict[str, Any]
    missing_count: bool = True
    metadata: dict[str, Any] = field(default_factory=dict)
    # "mean": the calibrator maps the boosters' mean raw score (its out-of-fold scores were means too);
    # "members": it maps each booster's score and the probabilities are averaged (files of the earlier
    # cross-fitted bag, whose calibrator saw single members' scores).
    calibrate: str = "mean"

    # ---- features ----------------------------------------------------------------------------------------
    @property
    def model_features(self) -> list[str]:
        """Columns the boosters see (input features plus engineered ones)."""
        return [*self.feature_names, *([MISSING_COUNT] if self.missing_count else [])]

    def matrix(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Feature matrix in model order from a DataFrame (columns picked by name; extra columns ignored)."""
        if isinstance(X, pd.DataFrame):
            missing = [c for c in self.feature_names if c not in X.columns]
            if missing:
                shown = ", ".join(missing[:20]) + (" ..." if len(missing) > 20 else "")
                raise EarlyWarningError(
                    f"input lacks {len(missing)} feature column(s) the model needs: {shown}"
                )
            base = _float_matrix(X[self.feature_names])
        else:
            base = np.asarray(X, dtype="float64")
            if base.ndim != 2 or base.shape[1] != len(self.feature_names):
                raise EarlyWarningError(
                    f"expected a 2-D array with {len(self.feature_names)} feature columns"
                )
            base = np.where(np.isinf(base), np.nan, base)
        return _add_engineered(base, self.missing_count)

    # ---- scores ------------------------------------------------------------------------------------------
    def raw_score(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Mean log-odds of the bag (uncalibrated)."""
        M = self.matrix(X)
        return _mean_raw(self.boosters, M)

    def member_raw_scores(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Raw scores of each booster, shape (boosters, rows)."""
        M = self.matrix(X)
        return np.vstack([b.predict(M, raw_score=True) for b in self.boosters])

    def predict_proba(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Calibrated distress probability per row."""
        return self.proba_from_raw(self.member_raw_scores(X))

    def proba_from_raw(self, member_raw: np.ndarray) -> np.ndarray:
        """Calibrated probabilities from the boosters' raw scores, shape (boosters, rows)."""
        if self.calibrate == "members":
            return _bag_proba(self.calibrator, member_raw)
        return apply_calibrator(self.calibrator, np.mean(member_raw, axis=0))

    def contributions(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        """SHAP contributions (n, n_model_features + 1); last column = bias; rows sum to raw_score."""
        M = self.matrix(X)
        total = np.zeros((M.shape[0], M.shape[1] + 1))
        for b in self.boosters:
            total += np.asarray(b.predict(M, pred_contrib=True))
        return total / len(self.boosters)


def _float_matrix(frame: pd.DataFrame) -> np.ndarray:
    cols = []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            cols.append(s.to_numpy(dtype="float64", na_value=np.nan))
        else:
            cols.append(pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    M = np.column_stack(cols) if cols else np.empty((len(frame), 0))
    return np.where(np.isinf(M), np.nan, M)


def _add_engineered(base: np.ndarray, missing_count: bool) -> np.ndarray:
    if not missing_count:
        return base
    return np.column_stack([base, np.isnan(base).sum(axis=1).astype("float64")])


def _bag_proba(cal: dict[str, Any], member_raw: np.ndarray) -> np.ndarray:
    return np.mean([apply_calibrator(cal, r) for r in member_raw], axis=0)


def _mean_raw(boosters: Sequence[lgb.Booster], M: np.ndarray) -> np.ndarray:
    total = np.zeros(M.shape[0])
    for b in boosters:
        total += b.predict(M, raw_score=True)
    return total / len(boosters)


# ---- calibration ----------------------------------------------------------------------------------------


def fit_calibrator(raw: np.ndarray, y: np.ndarray, method: str = "platt") -> dict[str, Any]:
    """Fit a raw-score → probability map on out-of-fold scores."""
    raw = np.asarray(raw, dtype="float64")
    y = np.asarray(y, dtype="float64")
    if method == "none":
        return {"method": "none"}
    if method == "platt":
        a, b = _platt(raw, y)
        return {"method": "platt", "a": a, "b": b}
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=1e-6, y_max=1 - 1e-6)
        iso.fit(raw, y)
        return {
            "method": "isotonic",
            "x": [float(v) for v in iso.X_thresholds_],
            "y": [float(v) for v in iso.y_thresholds_],
        }
    raise EarlyWarningError(f"unknown calibration method {method!r}")


def _platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Logistic regression p = σ(a·raw + b) with Platt's target smoothing (damped Newton, line search)."""
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    t = np.where(y > 0.5, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(a: float, b: float) -> float:
        z = a * raw + b
        # log(1 + e^z) − t·z, computed stably
        return float(np.sum(np.logaddexp(0.0, z) - t * z))

    a, b = 1.0, 0.0
    cur = loss(a, b)
    for _ in range(100):
        z = np.clip(a * raw + b, -35, 35)
        p = 1 / (1 + np.exp(-z))
        w = np.maximum(p * (1 - p), 1e-12)
        g_a = float(np.sum((p - t) * raw))
        g_b = float(np.sum(p - t))
        h_aa = float(np.sum(w * raw * raw)) + 1e-9
        h_ab = float(np.sum(w * raw))
        h_bb = float(np.sum(w)) + 1e-9
        det = h_aa * h_bb - h_ab * h_ab
        if det <= 0:
            da, db = g_a / h_aa, g_b / h_bb
        else:
            da = (h_bb * g_a - h_ab * g_b) / det
            db = (h_aa * g_b - h_ab * g_a) / det
        step = 1.0
        while step > 1e-6:
            na, nb = a - step * da, b - step * db
            new = loss(na, nb)
            if new <= cur:
                break
            step /= 2
        else:
            break
        a, b, improved = na, nb, cur - new
        cur = new
        if improved < 1e-10 * max(1.0, abs(cur)):
            break
    if not (math.isfinite(a) and math.isfinite(b)):
        return 1.0, 0.0
    return float(a), float(b)


def apply_calibrator(cal: dict[str, Any], raw: np.ndarray) -> np.ndarray:
    raw = np.asarray(raw, dtype="float64")
    method = cal.get("method")
    if method == "platt":
        z = np.clip(cal["a"] * raw + cal["b"], -35, 35)
        return 1 / (1 + np.exp(-z))
    if method == "isotonic":
        return np.interp(raw, np.asarray(cal["x"]), np.asarray(cal["y"]))
    if method == "none":
        return 1 / (1 + np.exp(-np.clip(raw, -35, 35)))
    raise EarlyWarningError(f"unknown calibration method {method!r}")


# ---- training -------------------------------------------------------------------------------------------


def _as_xy(X: pd.DataFrame | np.ndarray, y: Iterable[Any]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
        M = _float_matrix(X)
    else:
        M = np.asarray(X, dtype="float64")
        if M.ndim != 2:
            raise EarlyWarningError("X must be 2-D")
        M = np.where(np.isinf(M), np.nan, M)
        names = [f"f{i}" for i in range(M.shape[1])]
    yy = np.asarray(list(y) if not isinstance(y, np.ndarray) else y)
    yy = _target_to_binary(pd.Series(yy, dtype=object), "y")
    if np.isnan(yy).any():
        raise EarlyWarningError("target has missing values")
    yy = yy.astype(np.int64)
    if len(yy) != M.shape[0]:
        raise EarlyWarningError(f"X has {M.shape[0]} rows but y has {len(yy)}")
    if len(np.unique(yy)) < 2:
        raise EarlyWarningError("target has only one class")
    if len(set(names)) != len(names):
        raise EarlyWarningError("feature names must be unique")
    return M, yy, names


def _fit_matrix(
    M: np.ndarray, y: np.ndarray, names: list[str], config: EWSConfig, seed: int
) -> tuple[list[lgb.Booster], np.ndarray, dict[str, Any], bool, list[int]]:
    """Core training on a float matrix: boosters (one per variant), out-of-fold raw scores (mean over the
    variants), calibrator, missing_count flag, and the round count of each variant."""
    use_missing = config.missing_count and bool(np.isnan(M).any())
    F = _add_engineered(M, use_missing)
    n_pos = int(y.sum())
    k = max(2, min(config.members, n_pos, len(y) - n_pos))
    folds = list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(F, y))
    oof = np.zeros(len(y))
    boosters: list[lgb.Booster] = []
    rounds: list[int] = []
    for v in range(config.n_variants):
        params = config.lgb_params(seed * 1000 + v + 1, variant=v)
        inner, n = _joint_rounds(params, F, y, folds, config)
        for booster, (_tr, va) in zip(inner, folds, strict=True):
            oof[va] += booster.predict(F[va], num_iteration=n, raw_score=True)
        # a fresh Dataset per variant: its bins depend on min_child_samples (LightGBM's feature pre-filter)
        final = lgb.train(
            {p: x for p, x in params.items() if p != "metric"}, lgb.Dataset(F, y), num_boost_round=n
        )
        boosters.append(_truncate(final, n))
        rounds.append(n)
    oof /= config.n_variants
    cal = fit_calibrator(oof, y, config.calibration)
    return boosters, oof, cal, use_missing, rounds


def _joint_rounds(
    params: dict[str, Any],
    F: np.ndarray,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    config: EWSConfig,
) -> tuple[list[lgb.Booster], int]:
    """Grow one booster per inner fold together and return them with the round count that maximises their
    mean held-out AUC (``fixed_rounds`` if set). A single small fold's best round is too noisy to use."""
    boosters: list[lgb.Booster] = []
    for tr, va in folds:
        dtrain = lgb.Dataset(F[tr], y[tr], free_raw_data=False)
        booster = lgb.Booster(params=params, train_set=dtrain)
        if config.fixed_rounds is None:
            booster.add_valid(lgb.Dataset(F[va], y[va], reference=dtrain), "held_out")
        boosters.append(booster)
    if config.fixed_rounds is not None:
        for booster in boosters:
            for _ in range(config.fixed_rounds):
                booster.update()
        return boosters, config.fixed_rounds
    best_round, best_auc = 1, -math.inf
    patience = config.early_stopping or config.max_rounds
    for r in range(1, config.max_rounds + 1):
        total = 0.0
        for booster in boosters:
            booster.update()
            total += float(booster.eval_valid()[0][2])
        if total / len(boosters) > best_auc + 1e-9:
            best_round, best_auc = r, total / len(boosters)
        elif r - best_round >= patience:
            break
    return boosters, best_round


def _truncate(booster: lgb.Booster, n_iter: int) -> lgb.Booster:
    """A booster holding only the first ``n_iter`` iterations (smaller file, same predictions)."""
    return lgb.Booster(model_str=booster.model_to_string(num_iteration=n_iter))


def fit(
    X: pd.DataFrame | np.ndarray,
    y: Iterable[Any],
    *,
    config: EWSConfig | None = None,
    seed: int = 0,
    metadata: dict[str, Any] | None = None,
) -> EarlyWarningModel:
    """Train an :class:`EarlyWarningModel` on a feature table and a binary target."""
    config = config or EWSConfig()
    M, yy, names = _as_xy(X, y)
    t0 = time.perf_counter()
    boosters, oof, cal, use_missing, rounds = _fit_matrix(M, yy, names, config, seed)
    oof_auc = float(roc_auc_score(yy, oof))
    meta = {
        "rows": len(yy),
        "positives": int(yy.sum()),
        "features": len(names),
        "oof_auc": round(oof_auc, 6),
        "oof_brier": round(float(brier_score_loss(yy, apply_calibrator(cal, oof))), 6),
        "trees": rounds,
        "config": asdict(config),
        "seed": seed,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "fit_seconds": round(time.perf_counter() - t0, 2),
        "lightgbm": lgb.__version__,
    }
    meta.update(metadata or {})
    return EarlyWarningModel(
        feature_names=names, boosters=boosters, calibrator=cal, missing_count=use_missing, metadata=meta
    )


# --------------------------------------------------------------------------------------------------------
# Cross-validation
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CVResult:
    aucs: list[float]
    briers: list[float]
    briers_uncalibrated: list[float]
    seconds: float

    @property
    def mean_auc(self) -> float:
        return float(np.mean(self.aucs))

    @property
    def sd_auc(self) -> float:
        return float(statistics.stdev(self.aucs)) if len(self.aucs) > 1 else 0.0

    @property
    def mean_brier(self) -> float:
        return float(np.mean(self.briers))

    @property
    def sd_brier(self) -> float:
        return float(statistics.stdev(self.briers)) if len(self.briers) > 1 else 0.0

    @property
    def mean_brier_uncalibrated(self) -> float:
        return float(np.mean(self.briers_uncalibrated))


def _cv_fold(
    M: np.ndarray,
    y: np.ndarray,
    tr: np.ndarray,
    te: np.ndarray,
    names: list[str],
    config: EWSConfig,
    seed: int,
) -> tuple[float, float, float]:
    """Fit the pipeline on rows ``tr`` and score rows ``te``: (AUC, calibrated Brier, uncalibrated Brier)."""
    boosters, _oof, cal, use_missing, _rounds = _fit_matrix(M[tr], y[tr], names, config, seed)
    F_te = _add_engineered(M[te], use_missing)
    raw = np.mean([b.predict(F_te, raw_score=True) for b in boosters], axis=0)
    p = apply_calibrator(cal, raw)
    auc = float(roc_auc_score(y[te], raw))
    brier = float(brier_score_loss(y[te], p))
    brier_raw = float(brier_score_loss(y[te], 1 / (1 + np.exp(-np.clip(raw, -35, 35)))))
    return auc, brier, brier_raw


def cross_validate(
    X: pd.DataFrame | np.ndarray,
    y: Iterable[Any],
    repeats: int = 5,
    folds: int = 5,
    seed: int = 2024,
    *,
    config: EWSConfig | None = None,
    on_fold: Callable[[int, int, float, float], None] | None = None,
    n_jobs: int | None = None,
) -> CVResult:
    """Repeated stratified k-fold CV of the whole pipeline (everything is fitted inside the training folds).

    Returns per-fold AUCs and Brier scores (calibrated, and uncalibrated for comparison). ``on_fold`` is
    called as ``on_fold(repeat, fold, auc, brier)`` after each fold, in fold order. ``n_jobs``: folds run in
    that many worker processes (default: the number of CPUs, at most 8), each LightGBM single-threaded; the
    results do not depend on ``n_jobs`` (every fold has its own fixed seed).
    """
    config = config or EWSConfig()
    M, yy, names = _as_xy(X, y)
    if repeats < 1 or folds < 2:
        raise EarlyWarningError("repeats must be ≥ 1 and folds ≥ 2")
    if int(yy.sum()) < folds or int(len(yy) - yy.sum()) < folds:
        raise EarlyWarningError(f"too few rows of the minority class for {folds}-fold cross-validation")
    rskf = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    splits = list(rskf.split(M, yy))
    if n_jobs is None:
        n_jobs = min(os.cpu_count() or 1, 8)
    n_jobs = max(1, min(n_jobs, len(splits)))
    t0 = time.perf_counter()
    if n_jobs == 1:
        results: Iterable[tuple[float, float, float]] = (
            _cv_fold(M, yy, tr, te, names, config, seed + i + 1) for i, (tr, te) in enumerate(splits)
        )
    else:
        from joblib import Parallel, delayed

        worker_config = replace(config, num_threads=1)
        results = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_cv_fold)(M, yy, tr, te, names, worker_config, seed + i + 1)
            for i, (tr, te) in enumerate(splits)
        )
    aucs: list[float] = []
    briers: list[float] = []
    briers_raw: list[float] = []
    for i, (auc, brier, brier_raw) in enumerate(results):
        aucs.append(auc)
        briers.append(brier)
        briers_raw.append(brier_raw)
        if on_fold is not None:
            on_fold(i // folds + 1, i % folds + 1, auc, brier)
    return CVResult(
        aucs=aucs, briers=briers, briers_uncalibrated=briers_raw, seconds=time.perf_counter() - t0
    )


# --------------------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureEffect:
    feature: str
    value: float  # the row's value (NaN if missing)
    contribution: float  # SHAP contribution to the raw score (log-odds); > 0 pushes risk up


@dataclass(frozen=True)
class Explanation:
    probability: float  # calibrated
    raw_score: float  # mean log-odds of the bag = base_value + sum of all contributions
    base_value: float  # expected raw score (the SHAP bias term)
    up: list[FeatureEffect]  # most risk-increasing first
    down: list[FeatureEffect]  # most risk-decreasing first


def explain(model: EarlyWarningModel, X_rows: pd.DataFrame | np.ndarray, top: int = 5) -> list[Explanation]:
    """For each row, the ``top`` features pushing the risk up and down most (LightGBM SHAP values)."""
    M = model.matrix(X_rows)
    contrib = model.contributions(X_rows)
    raw = contrib.sum(axis=1)
    probs = model.predict_proba(X_rows)
    names = model.model_features
    out: list[Explanation] = []
    for r in range(M.shape[0]):
        c = contrib[r, :-1]
        order = np.argsort(-c, kind="stable")
        up = [FeatureEffect(names[j], float(M[r, j]), float(c[j])) for j in order[:top] if c[j] > 0]
        order_dn = np.argsort(c, kind="stable")
        down = [FeatureEffect(names[j], float(M[r, j]), float(c[j])) for j in order_dn[:top] if c[j] < 0]
        out.append(
            Explanation(
                probability=float(probs[r]),
                raw_score=float(raw[r]),
                base_value=float(contrib[r, -1]),
                up=up,
                down=down,
            )
        )
    return out


_ENGINEERED_LABELS = {MISSING_COUNT: {"en": "number of missing values", "ko": "결측 항목 수"}}


def feature_label(feature: str, lang: str = "en") -> str:
    """Human label of a feature: ratio labels for X1..X64 (also 'Attr1'..'Attr64'), else the column name."""
    key = feature
    if key.lower().startswith("attr") and key[4:].isdigit():
        key = f"X{int(key[4:])}"
    if key in ratios.RATIO_LABELS:
        return f"{key} {ratios.RATIO_LABELS[key][lang]}"
    if key in _ENGINEERED_LABELS:
        return _ENGINEERED_LABELS[key][lang]
    return feature


def _fmt_value(v: float) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def explanation_text(explanation: Explanation, lang: str = "en") -> str:
    """Render one :class:`Explanation` in words, in English (``lang="en"``) or Korean (``lang="ko"``)."""
    if lang not in ("en", "ko"):
        raise EarlyWarningError(f"unsupported language {lang!r} (use 'en' or 'ko')")
    pct = explanation.probability * 100
    lines: list[str] = []
    if lang == "en":
        lines.append(f"Estimated distress probability: {pct:.1f}%.")
        if explanation.up:
            lines.append("Main factors raising the risk:")
            lines += [
                f"  - {feature_label(e.feature, 'en')} = {_fmt_value(e.value)} (+{e.contribution:.2f})"
                for e in explanation.up
            ]
        if explanation.down:
            lines.append("Main factors lowering the risk:")
            lines += [
                f"  - {feature_label(e.feature, 'en')} = {_fmt_value(e.value)} ({e.contribution:.2f})"
                for e in explanation.down
            ]
    else:
        lines.append(f"추정 부실 확률: {pct:.1f}%.")
        if explanation.up:
            lines.append("위험을 높이는 주요 요인:")
            lines += [
                f"  - {feature_label(e.feature, 'ko')} = {_fmt_value(e.value)} (+{e.contribution:.2f})"
                for e in explanation.up
            ]
        if explanation.down:
            lines.append("위험을 낮추는 주요 요인:")
            lines += [
                f"  - {feature_label(e.feature, 'ko')} = {_fmt_value(e.value)} ({e.contribution:.2f})"
                for e in explanation.down
            ]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# Persistence
# --------------------------------------------------------------------------------------------------------


def save_model(model: EarlyWarningModel, path: str | os.PathLike[str]) -> None:
    """Write the model to one JSON file (gzip-compressed when the name ends in ``.gz``), atomically."""
    p = Path(path)
    payload = {
        "format": MODEL_FORMAT,
        "feature_names": model.feature_names,
        "missing_count": model.missing_count,
        "calibrator": model.calibrator,
        "calibrate": model.calibrate,
        "metadata": _jsonable(model.metadata),
        "boosters": [b.model_to_string() for b in model.boosters],
    }
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp")
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if p.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    tmp.write_bytes(data)
    tmp.replace(p)


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def load_model(
    path: str | os.PathLike[str], expected_features: Sequence[str] | None = None
) -> EarlyWarningModel:
    """Load a model written by :func:`save_model`.

    Raises :class:`EarlyWarningError` if the file is missing, corrupt, of another format, or (when
    ``expected_features`` is given) if the model was trained on other columns than expected; the caller can
    then keep its previous model.
    """
    p = Path(path)
    if not p.is_file():
        raise EarlyWarningError(f"model file not found: {p}")
    try:
        data = p.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        payload = json.loads(data.decode("utf-8"))
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EarlyWarningError(f"model file {p} is corrupt or unreadable: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise EarlyWarningError(f"model file {p} is not an early-warning model ({MODEL_FORMAT})")
    try:
        names = [str(n) for n in payload["feature_names"]]
        missing_count = bool(payload["missing_count"])
        cal = dict(payload["calibrator"])
        apply_calibrator(cal, np.zeros(1))
        calibrate = str(payload.get("calibrate", "members"))  # files without the key: the earlier bag
        if calibrate not in ("mean", "members"):
            raise ValueError(f"unknown calibrate mode {calibrate!r}")
        boosters = [lgb.Booster(model_str=s) for s in payload["boosters"]]
        metadata = dict(payload.get("metadata") or {})
    except (KeyError, TypeError, ValueError, lgb.basic.LightGBMError) as exc:
        raise EarlyWarningError(f"model file {p} is corrupt: {exc}") from exc
    if not boosters:
        raise EarlyWarningError(f"model file {p} holds no boosters")
    n_model = len(names) + (1 if missing_count else 0)
    for b in boosters:
        if b.num_feature() != n_model:
            raise EarlyWarningError(f"model file {p} is corrupt: booster expects {b.num_feature()} features")
    if expected_features is not None and list(expected_features) != names:
        exp = list(expected_features)
        extra = [c for c in names if c not in exp]
        lacking = [c for c in exp if c not in names]
        detail = []
        if lacking:
            detail.append(f"missing {lacking[:10]}")
        if extra:
            detail.append(f"unexpected {extra[:10]}")
        if not detail:
            detail.append("same columns in another order")
        raise EarlyWarningError(
            f"model file {p} was trained on other columns than expected ({'; '.join(detail)})"
        )
    return EarlyWarningModel(
        feature_names=names,
        boosters=boosters,
        calibrator=cal,
        missing_count=missing_count,
        metadata=metadata,
        calibrate=calibrate,
    )


# --------------------------------------------------------------------------------------------------------
# Shipped data and default model
# --------------------------------------------------------------------------------------------------------

DEFAULT_TARGET = "class"

#: Ratios measured in currency units (X29 = log10 total assets, X55 = working capital). The shipped data is in
#: Polish units, our statements in KRW, so the default model leaves them out and uses scale-free ratios only.
SCALE_DEPENDENT_RATIOS: tuple[str, ...] = ("X29", "X55")


def default_data_path() -> Path:
    """The shipped Polish bankruptcy file (UCI 365, year 1; CC BY 4.0, see SOURCE.txt beside it)."""
    return _DATA_DIR / "polish-bankruptcy" / "1year.arff"


def default_model_path() -> Path:
    """Where the shipped default model lives."""
    return _DATA_DIR / "models" / "ews-default.json.gz"


def load_default_training_table(
    path: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The shipped training table with its columns renamed Attr<n> → X<n> (the ids of ratios.py)."""
    X, y = load_table(path or default_data_path(), DEFAULT_TARGET)
    rename = {c: f"X{int(c[4:])}" for c in X.columns if c.startswith("Attr") and c[4:].isdigit()}
    return X.rename(columns=rename), y


def train_default(
    out_path: str | os.PathLike[str] | None = None,
    *,
    data_path: str | os.PathLike[str] | None = None,
    cv_repeats: int = 1,
    config: EWSConfig | None = None,
) -> EarlyWarningModel:
    """Train the default model on the shipped data and save it.

    Features are named like ``ratios.RATIO_COLUMNS`` (X1..X64) minus :data:`SCALE_DEPENDENT_RATIOS`, so the
    model scores the output of :func:`nic1000.algorithms.ratios.compute_ratios` directly.
    ``cv_repeats`` > 0 also runs that many repeats of 5-fold CV and stores the mean AUC in the metadata.
    """
    X, y = load_default_training_table(data_path)
    X = X[[c for c in ratios.RATIO_COLUMNS if c in X.columns and c not in SCALE_DEPENDENT_RATIOS]]
    src = Path(data_path or default_data_path())
    meta: dict[str, Any] = {
        "data_file": src.name,
        "target": DEFAULT_TARGET,
        "source": "UCI Polish companies bankruptcy data (id 365), year 1; CC BY 4.0; Zieba, Tomczak & Tomczak 2016",
        "excluded_features": list(SCALE_DEPENDENT_RATIOS),
    }
    if cv_repeats > 0:
        cv = cross_validate(X, y, repeats=cv_repeats, folds=5, config=config)
        meta.update(
            cv_auc=round(cv.mean_auc, 4), cv_auc_sd=round(cv.sd_auc, 4), cv_brier=round(cv.mean_brier, 5)
        )
        meta["cv"] = f"{cv_repeats}x5-fold"
    model = fit(X, y, config=config, metadata=meta)
    save_model(model, out_path or default_model_path())
    return model


# --------------------------------------------------------------------------------------------------------
# CLI-facing functions (wired to `nic1000 ews evaluate|train` by the Django layer)
# --------------------------------------------------------------------------------------------------------


def run_evaluate(
    data_path: str | os.PathLike[str],
    target: str,
    repeats: int = 5,
    out: Callable[[str], Any] = print,
    *,
    folds: int = 5,
    seed: int = 2024,
    config: EWSConfig | None = None,
    n_jobs: int | None = None,
) -> CVResult:
    """Cross-validate on a data file; prints one line per fold, then the Brier line, and as the LAST line
    exactly ``AUC mean=0.xxxx sd=0.xxxx``."""
    X, y = load_table(data_path, target)
    out(f"data {Path(data_path).name}: {len(y)} rows, {int(y.sum())} positive, {X.shape[1]} features")

    def fold_line(rep: int, fold: int, auc: float, brier: float) -> None:
        out(f"repeat {rep} fold {fold}: AUC={auc:.4f} Brier={brier:.4f}")

    res = cross_validate(
        X, y, repeats=repeats, folds=folds, seed=seed, config=config, on_fold=fold_line, n_jobs=n_jobs
    )
    out(
        f"Brier mean={res.mean_brier:.4f} sd={res.sd_brier:.4f} "
        f"(uncalibrated {res.mean_brier_uncalibrated:.4f}); {res.seconds:.0f}s"
    )
    out(f"AUC mean={res.mean_auc:.4f} sd={res.sd_auc:.4f}")
    return res


def run_train(
    data_path: str | os.PathLike[str],
    target: str,
    out_path: str | os.PathLike[str],
    *,
    cv_repeats: int = 1,
    config: EWSConfig | None = None,
    out: Callable[[str], Any] = print,
) -> EarlyWarningModel:
    """Train on a data file and save the model to ``out_path`` (with a quick CV AUC in its metadata)."""
    X, y = load_table(data_path, target)
    meta: dict[str, Any] = {"data_file": Path(data_path).name, "target": target}
    if cv_repeats > 0:
        cv = cross_validate(X, y, repeats=cv_repeats, folds=5, config=config)
        meta.update(
            cv_auc=round(cv.mean_auc, 4), cv_auc_sd=round(cv.sd_auc, 4), cv_brier=round(cv.mean_brier, 5)
        )
        meta["cv"] = f"{cv_repeats}x5-fold"
        out(f"CV AUC mean={cv.mean_auc:.4f} sd={cv.sd_auc:.4f} Brier={cv.mean_brier:.4f}")
    model = fit(X, y, config=config, metadata=meta)
    save_model(model, out_path)
    out(f"saved model to {out_path}: {len(y)} rows, {int(y.sum())} positive, {X.shape[1]} features")
    return model
