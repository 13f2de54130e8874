"""Repeated stratified k-fold cross-validation of the whole pipeline (everything fitted inside each training
fold), which is what ``nic1000 ews evaluate`` reports."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold

from nic1000.algorithms.early_warning.calibration import apply_calibrator
from nic1000.algorithms.early_warning.errors import EarlyWarningError
from nic1000.algorithms.early_warning.model import EWSConfig, _add_engineered
from nic1000.algorithms.early_warning.training import _as_xy, _fit_matrix


@dataclass(frozen=True)
class CVResult:
    """Per-fold AUC and Brier scores of :func:`cross_validate`, and their summaries."""

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
    t0 = time.perf_counter()
    results = _fold_results(M, yy, splits, names, config, seed, n_jobs)
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


def _fold_results(
    M: np.ndarray,
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    names: list[str],
    config: EWSConfig,
    seed: int,
    n_jobs: int | None,
) -> Iterable[tuple[float, float, float]]:
    """Each split's (AUC, Brier, uncalibrated Brier), in split order, computed lazily in this process or in
    ``n_jobs`` workers (each LightGBM single-threaded, so the workers do not fight over the cores)."""
    if n_jobs is None:
        n_jobs = min(os.cpu_count() or 1, 8)
    n_jobs = max(1, min(n_jobs, len(splits)))
    if n_jobs == 1:
        return (_cv_fold(M, y, tr, te, names, config, seed + i + 1) for i, (tr, te) in enumerate(splits))
    from joblib import Parallel, delayed

    worker_config = replace(config, num_threads=1)
    results: Iterable[tuple[float, float, float]] = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_cv_fold)(M, y, tr, te, names, worker_config, seed + i + 1)
        for i, (tr, te) in enumerate(splits)
    )
    return results
