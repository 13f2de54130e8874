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

Layout: ``data.py`` (reading ARFF/CSV), ``model.py`` (configuration and trained model), ``calibration.py``,
``training.py`` (:func:`fit`), ``validation.py`` (:func:`cross_validate`), ``explanations.py`` (feature labels),
``persistence.py`` (:func:`save_model`, :func:`load_model`), ``shipped.py`` (the shipped data and default
model, and the functions behind ``nic1000 ews``).
"""

from nic1000.algorithms.early_warning.calibration import apply_calibrator, fit_calibrator
from nic1000.algorithms.early_warning.data import load_table
from nic1000.algorithms.early_warning.errors import EarlyWarningError
from nic1000.algorithms.early_warning.explanations import feature_label
from nic1000.algorithms.early_warning.model import (
    DEFAULT_VARIANTS,
    MISSING_COUNT,
    EarlyWarningModel,
    EWSConfig,
)
from nic1000.algorithms.early_warning.model import _add_engineered as _add_engineered
from nic1000.algorithms.early_warning.persistence import MODEL_FORMAT, load_model, save_model
from nic1000.algorithms.early_warning.shipped import (
    DEFAULT_TARGET,
    SCALE_DEPENDENT_RATIOS,
    default_data_path,
    default_model_path,
    load_default_training_table,
    run_evaluate,
    run_train,
    train_default,
)
from nic1000.algorithms.early_warning.training import _as_xy as _as_xy
from nic1000.algorithms.early_warning.training import _fit_matrix as _fit_matrix
from nic1000.algorithms.early_warning.training import fit
from nic1000.algorithms.early_warning.validation import CVResult, cross_validate

# _add_engineered, _as_xy and _fit_matrix are re-exported for tools/ews_variants.py, which fits variants with
# the pipeline's own code so that its figures cannot drift from `ews evaluate`.

__all__ = [
    "DEFAULT_TARGET",
    "DEFAULT_VARIANTS",
    "MISSING_COUNT",
    "MODEL_FORMAT",
    "SCALE_DEPENDENT_RATIOS",
    "CVResult",
    "EWSConfig",
    "EarlyWarningError",
    "EarlyWarningModel",
    "apply_calibrator",
    "cross_validate",
    "default_data_path",
    "default_model_path",
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
