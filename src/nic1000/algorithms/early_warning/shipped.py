"""The shipped Polish data and default model, and the functions behind ``nic1000 ews evaluate|train``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nic1000.algorithms import ratios
from nic1000.algorithms.early_warning.data import load_table
from nic1000.algorithms.early_warning.model import EarlyWarningModel, EWSConfig
from nic1000.algorithms.early_warning.persistence import save_model
from nic1000.algorithms.early_warning.training import fit
from nic1000.algorithms.early_warning.validation import CVResult, cross_validate

_DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data"


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
        meta.update(
            _cv_metadata(cross_validate(X, y, repeats=cv_repeats, folds=5, config=config), cv_repeats)
        )
    model = fit(X, y, config=config, metadata=meta)
    save_model(model, out_path or default_model_path())
    return model


def _cv_metadata(cv: CVResult, repeats: int) -> dict[str, Any]:
    """The quick cross-validation stored in a trained model's metadata (shown where the model is chosen)."""
    return {
        "cv_auc": round(cv.mean_auc, 4),
        "cv_auc_sd": round(cv.sd_auc, 4),
        "cv_brier": round(cv.mean_brier, 5),
        "cv": f"{repeats}x5-fold",
    }


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
        meta.update(_cv_metadata(cv, cv_repeats))
        out(f"CV AUC mean={cv.mean_auc:.4f} sd={cv.sd_auc:.4f} Brier={cv.mean_brier:.4f}")
    model = fit(X, y, config=config, metadata=meta)
    save_model(model, out_path)
    out(f"saved model to {out_path}: {len(y)} rows, {int(y.sum())} positive, {X.shape[1]} features")
    return model
