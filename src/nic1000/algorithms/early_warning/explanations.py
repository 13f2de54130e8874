"""The features' human labels. The inspections explain a warning from :meth:`EarlyWarningModel.contributions`
(SHAP values) in words built with :func:`feature_label` (``monitoring/engine.py``): the one explainer."""

from __future__ import annotations

from nic1000.algorithms import ratios
from nic1000.algorithms.early_warning.model import MISSING_COUNT

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
