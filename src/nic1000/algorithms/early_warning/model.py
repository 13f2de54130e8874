"""The trained model (boosters, calibrator, feature names) and its training configuration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from nic1000.algorithms.early_warning.calibration import apply_calibrator
from nic1000.algorithms.early_warning.errors import EarlyWarningError

#: The engineered feature: the number of missing values in the row (missingness itself predicts distress).
MISSING_COUNT = "__n_missing__"


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
        """LightGBM parameters of variant ``variant`` (its overrides on the base ones)."""
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
    """The frame as float64 (text that is not a number and ±inf become NaN, i.e. missing)."""
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
    """The boosters' input: the features plus, if the model uses it, the count of missing values per row."""
    if not missing_count:
        return base
    return np.column_stack([base, np.isnan(base).sum(axis=1).astype("float64")])


def _bag_proba(cal: dict[str, Any], member_raw: np.ndarray) -> np.ndarray:
    """Mean of the members' calibrated probabilities (files of the earlier bag, calibrated per member)."""
    probability: np.ndarray = np.mean([apply_calibrator(cal, r) for r in member_raw], axis=0)
    return probability


def _mean_raw(boosters: Sequence[lgb.Booster], M: np.ndarray) -> np.ndarray:
    """Mean raw score (log-odds) of the boosters."""
    total = np.zeros(M.shape[0])
    for b in boosters:
        total += b.predict(M, raw_score=True)
    return total / len(boosters)
