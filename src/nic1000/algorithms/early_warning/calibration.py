"""Raw score → probability maps, fitted on out-of-fold scores only (never on the rows being scored)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression

from nic1000.algorithms.early_warning.errors import EarlyWarningError


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
    """Probabilities from raw scores with a calibrator of :func:`fit_calibrator` (or read from a model file)."""
    raw = np.asarray(raw, dtype="float64")
    method = cal.get("method")
    probability: np.ndarray
    if method == "platt":
        probability = 1 / (1 + np.exp(-np.clip(cal["a"] * raw + cal["b"], -35, 35)))
    elif method == "isotonic":
        probability = np.interp(raw, np.asarray(cal["x"]), np.asarray(cal["y"]))
    elif method == "none":
        probability = 1 / (1 + np.exp(-np.clip(raw, -35, 35)))
    else:
        raise EarlyWarningError(f"unknown calibration method {method!r}")
    return probability
