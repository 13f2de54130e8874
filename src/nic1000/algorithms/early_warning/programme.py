"""Distress probabilities calibrated to the programme, and the risk grade table (pure: no Django).

The model's probabilities are calibrated to its training sample's base rate (the Polish file: 271 of 7,027,
3.9%). The programme's companies fail at another rate. Two ways to move the probabilities there:

* **Prior correction** (Elkan 2001; Saerens et al. 2002): with the sample rate π_s and the programme's rate π_t,
  odds' = odds · [π_t / (1 − π_t)] / [π_s / (1 − π_s)]. It keeps the ranking and changes only the level. The
  programme's rate is set by the support group or estimated from recorded outcomes (:func:`estimate_rate`).
* **Refit** on recorded outcomes (:func:`refit`): a logistic map p' = σ(a · logit(p) + b) fitted on the
  model's probabilities against what happened in the following year. Only when there are enough outcomes
  (:data:`MIN_REFIT_EVENTS`, :data:`MIN_REFIT_OBSERVATIONS`); otherwise :class:`InsufficientOutcomes` says
  how many there are and how many are needed — never a guess.

The grade table has ten grades with probability ranges, the way technology rating grades (T1–T10) read:
grade 1 is the lowest risk. Bounds are roughly doubling default rates, as in rating agencies' master scales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nic1000.algorithms.early_warning.calibration import _platt

# Upper bounds (inclusive) of grades 1..10; grade 10 runs to 1.
GRADE_UPPER: tuple[float, ...] = (0.0025, 0.005, 0.01, 0.02, 0.04, 0.07, 0.12, 0.20, 0.35, 1.0)
MIN_RATE_OBSERVATIONS = 100
MIN_RATE_EVENTS = 5
MIN_REFIT_OBSERVATIONS = 300
MIN_REFIT_EVENTS = 30
_EPS = 1e-9


class InsufficientOutcomes(ValueError):
    """Too few recorded outcomes for an estimate; carries what there is and what is needed."""

    def __init__(self, observations: int, events: int, need_observations: int, need_events: int) -> None:
        self.observations, self.events = observations, events
        self.need_observations, self.need_events = need_observations, need_events
        super().__init__(
            f"{observations} observations with {events} events; at least {need_observations} observations"
            f" and {need_events} events (and some non-events) are needed"
        )


@dataclass(frozen=True)
class Grade:
    number: int
    lower: float  # exclusive (0 for grade 1)
    upper: float  # inclusive


GRADES: tuple[Grade, ...] = tuple(
    Grade(i + 1, 0.0 if i == 0 else GRADE_UPPER[i - 1], GRADE_UPPER[i]) for i in range(len(GRADE_UPPER))
)


def grade_of(p: float) -> int:
    """The grade (1–10) of one probability."""
    return int(grades_of(np.asarray([p]))[0])


def grades_of(p: np.ndarray) -> np.ndarray:
    """Grades (1–10) of many probabilities at once (a bound is inclusive, within rounding noise)."""
    q = np.clip(np.asarray(p, dtype="float64"), 0, 1) - 1e-12
    out: np.ndarray = np.searchsorted(np.asarray(GRADE_UPPER), q, "left") + 1
    return out


def check_rate(rate: float) -> float:
    """A base rate must lie strictly between 0 and 1."""
    if not (isinstance(rate, int | float) and math.isfinite(rate) and 0 < rate < 1):
        raise ValueError(f"a base rate must lie strictly between 0 and 1, not {rate!r}")
    return float(rate)


def prior_correction(p: np.ndarray, sample_rate: float, target_rate: float) -> np.ndarray:
    """Probabilities moved from the sample's base rate to the target's (odds scaled by the ratio of prior odds)."""
    sample_rate, target_rate = check_rate(sample_rate), check_rate(target_rate)
    p = np.clip(np.asarray(p, dtype="float64"), _EPS, 1 - _EPS)
    factor = (target_rate / (1 - target_rate)) / (sample_rate / (1 - sample_rate))
    odds = p / (1 - p) * factor
    out: np.ndarray = odds / (1 + odds)
    return out


@dataclass(frozen=True)
class RateEstimate:
    rate: float
    low: float  # Wilson 95% interval
    high: float
    observations: int
    events: int


def estimate_rate(outcomes: np.ndarray) -> RateEstimate:
    """The programme's base rate from outcomes (1 = distress within the year after an inspection)."""
    y = np.asarray(outcomes, dtype="float64")
    n, k = len(y), int(y.sum())
    if n < MIN_RATE_OBSERVATIONS or k < MIN_RATE_EVENTS or k == n:
        raise InsufficientOutcomes(n, k, MIN_RATE_OBSERVATIONS, MIN_RATE_EVENTS)
    rate = k / n
    z = 1.959964
    centre = (rate + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return RateEstimate(rate, max(centre - half, 0.0), min(centre + half, 1.0), n, k)


@dataclass(frozen=True)
class Refit:
    a: float
    b: float
    observations: int
    events: int


def refit(probabilities: np.ndarray, outcomes: np.ndarray) -> Refit:
    """A logistic map on the model's log-odds, fitted on recorded outcomes (Platt's smoothed targets)."""
    p = np.clip(np.asarray(probabilities, dtype="float64"), _EPS, 1 - _EPS)
    y = np.asarray(outcomes, dtype="float64")
    if len(p) != len(y):
        raise ValueError("probabilities and outcomes differ in length")
    n, k = len(y), int(y.sum())
    if n < MIN_REFIT_OBSERVATIONS or k < MIN_REFIT_EVENTS or k == n:
        raise InsufficientOutcomes(n, k, MIN_REFIT_OBSERVATIONS, MIN_REFIT_EVENTS)
    a, b = _platt(np.log(p / (1 - p)), y)
    return Refit(a, b, n, k)


def apply_refit(p: np.ndarray, a: float, b: float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype="float64"), _EPS, 1 - _EPS)
    out: np.ndarray = 1 / (1 + np.exp(-np.clip(a * np.log(p / (1 - p)) + b, -35, 35)))
    return out
