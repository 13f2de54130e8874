"""How sure a selection is (pure: numpy / scipy / HiGHS, no Django).

* ``scoring``: scores from reviews, raw or adjusted for evaluators' leniency; Krippendorff's alpha per group;
* ``effects``: evaluator effects with shrinkage and standard errors (empirical Bayes);
* ``flags``: disagreement judged against the round's own spread, with the reason and the outlying evaluator;
* ``uncertainty``: probability of selection under scoring noise (bootstrap + exact re-solves);
* ``sensitivity``: the selection with each criterion weight moved ±10 points.
"""

from nic1000.algorithms.quality.effects import EvaluatorEffect, EvaluatorEffects, evaluator_effects
from nic1000.algorithms.quality.flags import Flag, FlagResult, disagreement_flags
from nic1000.algorithms.quality.scoring import MIN_ALPHA_UNITS, Scored, alpha_by_group, score_reviews
from nic1000.algorithms.quality.sensitivity import SensitivityEntry, shifted_rubrics, weight_sensitivity
from nic1000.algorithms.quality.uncertainty import SelectionProbabilities, selection_probabilities

__all__ = [
    "MIN_ALPHA_UNITS",
    "EvaluatorEffect",
    "EvaluatorEffects",
    "Flag",
    "FlagResult",
    "Scored",
    "SelectionProbabilities",
    "SensitivityEntry",
    "alpha_by_group",
    "disagreement_flags",
    "evaluator_effects",
    "score_reviews",
    "selection_probabilities",
    "shifted_rubrics",
    "weight_sensitivity",
]
