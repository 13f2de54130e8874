"""Fitting the pipeline: features, one booster per variant with round counts from joint early stopping
over inner folds, out-of-fold scores and the calibrator fitted on them."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from nic1000.algorithms.early_warning.calibration import apply_calibrator, fit_calibrator
from nic1000.algorithms.early_warning.data import _target_to_binary
from nic1000.algorithms.early_warning.errors import EarlyWarningError
from nic1000.algorithms.early_warning.model import (
    EarlyWarningModel,
    EWSConfig,
    _add_engineered,
    _float_matrix,
)


def _as_xy(X: pd.DataFrame | np.ndarray, y: Iterable[Any]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(float matrix, 0/1 target, feature names) with the checks every fit needs."""
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
