"""Evaluator effects (leniency) with shrinkage and their uncertainty.

Model: ``y_ce = θ_c + b_e + ε_ce`` with ``ε ~ N(0, σ²)`` and evaluator effects ``b_e ~ N(0, τ²)`` (θ per
candidacy fixed).  Only candidacies with two or more reviews carry information about ``b`` (a single review
cannot separate the company from its evaluator).  Profiling θ out leaves, for the effects,

    (M₀ + λ I) b = r,    M₀ = D_e − Bᵀ D_c⁻¹ B,    r_e = Σ_{c ∋ e} (y_ce − ȳ_c),    λ = σ² / τ²

(``B`` the candidacy × evaluator incidence, ``D_c``/``D_e`` the review counts): a ridge estimate that pulls
an evaluator with few reviews towards 0 (an evaluator seen on many panels keeps nearly all of its own
deviation).  σ² and τ² are estimated by EM (τ² = (Σ b̂² + σ² tr (M₀+λI)⁻¹) / E; σ² = RSS / (N − C − df)),
and the standard error of ``b_e`` is ``σ √((M₀+λI)⁻¹)_ee`` (the posterior standard deviation).  The
system has one row per evaluator, so it stays small (hundreds) whatever the number of candidacies.

Too little data is said, not guessed: fewer than ``min_panels`` candidacies with two reviews, or fewer than
two evaluators with ``min_reviews`` informative reviews → ``available`` False with the reason; an evaluator
below ``min_reviews`` gets no effect (None) and is not adjusted.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

__all__ = ["EvaluatorEffect", "EvaluatorEffects", "evaluator_effects"]


@dataclass(frozen=True)
class EvaluatorEffect:
    """One evaluator's estimated effect (positive: scores higher than the panels' consensus)."""

    evaluator_id: Hashable
    n_reviews: int  # all of the evaluator's reviews
    n_informative: int  # reviews on candidacies with two or more reviews
    effect: float | None  # None: too few reviews
    se: float | None
    applied: bool


@dataclass
class EvaluatorEffects:
    """The effects of a round's evaluators, or why they could not be estimated."""

    available: bool
    reason: str = ""  # why not available (English; pages translate by `reason_code`)
    reason_code: str = ""  # "too_few_panels" | "too_few_evaluators" | ""
    effects: dict[Hashable, EvaluatorEffect] = field(default_factory=dict)
    sigma: float | None = None  # residual standard deviation
    tau: float | None = None  # standard deviation of the evaluator effects
    shrinkage: float | None = None  # λ = σ²/τ²

    def offset(self, evaluator_id: Hashable) -> float:
        """What to subtract from this evaluator's totals (0 when not applied)."""
        e = self.effects.get(evaluator_id)
        return float(e.effect) if e is not None and e.applied and e.effect is not None else 0.0


def evaluator_effects(
    triples: Sequence[tuple[Hashable, Hashable, float]],
    *,
    min_reviews: int = 2,
    min_panels: int = 10,
    shrinkage: float | None = None,
    iterations: int = 200,
    cache: dict[str, Any] | None = None,
) -> EvaluatorEffects:
    """Effects from ``(candidacy, evaluator, total)`` triples of one round; ``shrinkage`` fixes λ (None: EM).

    ``cache``: a dict kept between calls on the same reviews with other totals (weight scenarios): the
    eigendecomposition of M₀ depends only on who reviewed what, so it is computed once."""
    counts_all: dict[Hashable, int] = {}
    panels: dict[Hashable, list[int]] = {}
    for i, (cand, ev, _tot) in enumerate(triples):
        counts_all[ev] = counts_all.get(ev, 0) + 1
        panels.setdefault(cand, []).append(i)
    pair = [idx for idx in panels.values() if len(idx) >= 2]
    if len(pair) < min_panels:
        return EvaluatorEffects(
            False,
            f"only {len(pair)} candidacies have two or more reviews (at least {min_panels} needed)",
            "too_few_panels",
        )
    rows = [i for idx in pair for i in idx]
    evs = list(dict.fromkeys(triples[i][1] for i in rows))
    ei = {e: j for j, e in enumerate(evs)}
    informative = np.bincount([ei[triples[i][1]] for i in rows], minlength=len(evs))
    if int((informative >= min_reviews).sum()) < 2:
        return EvaluatorEffects(
            False,
            f"fewer than two evaluators have {min_reviews} reviews on panels of two or more",
            "too_few_evaluators",
        )
    # one BLAS thread: the matrices are small, and threads fighting over a busy machine's cores cost 50×
    with threadpool_limits(limits=1, user_api="blas"):
        lam, b, minv, sigma2, tau2 = _fit(triples, pair, ei, shrinkage, iterations, cache)
    sigma = math.sqrt(sigma2)
    effects: dict[Hashable, EvaluatorEffect] = {}
    for ev, n in counts_all.items():
        j = ei.get(ev)
        n_inf = int(informative[j]) if j is not None else 0
        ok = j is not None and n_inf >= min_reviews
        effects[ev] = EvaluatorEffect(
            ev,
            n,
            n_inf,
            float(b[j]) if ok and j is not None else None,
            float(sigma * math.sqrt(minv[j, j])) if ok and j is not None else None,
            ok,
        )
    return EvaluatorEffects(True, "", "", effects, sigma, math.sqrt(tau2), lam)


def _fit(
    triples: Sequence[tuple[Hashable, Hashable, float]],
    pair: list[list[int]],
    ei: dict[Hashable, int],
    shrinkage: float | None,
    iterations: int,
    cache: dict[str, Any] | None = None,
) -> tuple[float, np.ndarray, np.ndarray, float, float]:
    """Ridge estimate of the effects with λ fixed or by EM: (λ, b, (M₀+λI)⁻¹, σ², τ²)."""
    ne, nc = len(ei), len(pair)
    cand_of = np.repeat(np.arange(nc), [len(idx) for idx in pair])
    rows = [i for idx in pair for i in idx]
    ev_of = np.array([ei[triples[i][1]] for i in rows])
    y = np.array([float(triples[i][2]) for i in rows])
    n_c = np.bincount(cand_of, minlength=nc).astype(np.float64)
    ybar = np.bincount(cand_of, weights=y, minlength=nc) / n_c
    centred = y - ybar[cand_of]
    inc = sp.csr_matrix((np.ones(len(rows)), (cand_of, ev_of)), shape=(nc, ne))
    m0 = np.diag(np.asarray(inc.sum(axis=0)).ravel()) - (inc.T @ sp.diags(1.0 / n_c) @ inc).toarray()
    r = np.bincount(ev_of, weights=centred, minlength=ne)
    n_obs = len(rows)
    key = (tuple(ev_of.tolist()), tuple(cand_of.tolist()))
    if cache is not None and cache.get("design") == key:
        mu, q = cache["eigh"]
    else:
        mu, q = np.linalg.eigh(m0)  # M₀ = Q diag(μ) Qᵀ: every λ costs O(E²), not a new inverse
        mu = np.maximum(mu, 0.0)
        if cache is not None:
            cache["design"], cache["eigh"] = key, (mu, q)
    qr = q.T @ r

    def effects_for(lam: float) -> tuple[np.ndarray, float, float]:
        """b, tr (M₀+λI)⁻¹ and the residual sum of squares for one λ."""
        b = q @ (qr / (mu + lam))
        bbar = np.bincount(cand_of, weights=b[ev_of], minlength=nc) / n_c
        rss = float(((centred - (b[ev_of] - bbar[cand_of])) ** 2).sum())
        return b, float((1.0 / (mu + lam)).sum()), rss

    lam = 1.0 if shrinkage is None else float(shrinkage)
    sigma2 = tau2 = 1.0
    for _ in range(iterations if shrinkage is None else 1):
        b, tr, rss = effects_for(lam)
        df = ne - lam * tr
        sigma2 = max(rss / max(n_obs - nc - df, 1.0), 1e-12)
        tau2 = max((float(b @ b) + sigma2 * tr) / ne, 1e-12)
        if shrinkage is not None:
            break
        new = min(max(sigma2 / tau2, 1e-6), 1e6)
        if abs(math.log(new) - math.log(lam)) < 1e-7:
            lam = new
            break
        lam = new
    b, _tr, _rss = effects_for(lam)
    minv = (q / (mu + lam)) @ q.T
    return lam, b, minv, sigma2, tau2
