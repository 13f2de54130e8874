"""Explanations in words: which features push one row's risk up or down (SHAP contributions), with the
ratios' English and Korean labels.

The inspections build their own words from :meth:`EarlyWarningModel.contributions` and :func:`feature_label`
(``monitoring/engine.py``); :func:`explain` and :func:`explanation_text` serve ``bench/bench_ews.py``."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nic1000.algorithms import ratios
from nic1000.algorithms.early_warning.errors import EarlyWarningError
from nic1000.algorithms.early_warning.model import MISSING_COUNT, EarlyWarningModel


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
    """A feature value for reading: thousands separators for amounts, 3 digits else."""
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
