"""Disagreement flags judged against the round's own spread.

* ``spread``: the panel's standard deviation is above the round's ``sd_quantile`` (0.9) quantile of the
  candidacies' standard deviations (the quantile taken at the next higher value, so at most
  ``1 − sd_quantile`` of the panels lie strictly above it);
* ``outlier``: in a panel of three or more, one review is far from the others by a robust measure:
  ``d = x − median(rest of the panel)`` scaled by the round's ``1.4826 · median |d|`` (a MAD); flagged when
  the largest ``|z|`` of the panel exceeds ``robust_z`` (3.5, Iglewicz and Hoaglin's cut-off), naming that
  evaluator (a panel that is both gets this reason: naming the evaluator says more than the spread).

``min_range`` (the round's setting, points of 100) keeps a spread flag off panels whose range is small in
absolute terms, however they rank (a round where everyone agrees closely flags nobody).

The committee's list stays short: if the two rules together flag more than ``max_share`` of the panels,
only the most severe (ratio of the statistic to its threshold) are kept and ``capped`` says so.
Fewer than ``min_panels`` panels of two or more → no flags, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Flag", "FlagResult", "disagreement_flags"]


@dataclass(frozen=True)
class Flag:
    candidacy_id: Hashable
    reason: str  # "spread" | "outlier"
    sd: float
    sd_threshold: float
    evaluator_id: Hashable | None = None  # the outlying evaluator
    z: float | None = None
    severity: float = 0.0


@dataclass
class FlagResult:
    flags: dict[Hashable, Flag] = field(default_factory=dict)
    panels: int = 0  # candidacies with two or more reviews
    sd_threshold: float | None = None
    robust_scale: float | None = None
    capped: bool = False
    note: str = ""


def disagreement_flags(
    triples: Sequence[tuple[Hashable, Hashable, float]],
    *,
    sd_quantile: float = 0.9,
    robust_z: float = 3.5,
    max_share: float = 0.10,
    min_panels: int = 10,
    min_range: float | None = None,
) -> FlagResult:
    """Flags from ``(candidacy, evaluator, total)`` triples of one round."""
    panels: dict[Hashable, list[tuple[Hashable, float]]] = {}
    for cand, ev, tot in triples:
        panels.setdefault(cand, []).append((ev, float(tot)))
    pair = {c: v for c, v in panels.items() if len(v) >= 2}
    if len(pair) < min_panels:
        return FlagResult(panels=len(pair), note=f"only {len(pair)} candidacies have two or more reviews")
    sds = {c: float(np.std([t for _, t in v], ddof=1)) for c, v in pair.items()}
    ranges = {c: max(t for _, t in v) - min(t for _, t in v) for c, v in pair.items()}
    thr = float(np.quantile(np.array(list(sds.values())), sd_quantile, method="higher"))
    devs: dict[Hashable, list[float]] = {}
    for c, v in pair.items():
        if len(v) >= 3:
            tots = [t for _, t in v]
            devs[c] = [t - float(np.median(tots[:i] + tots[i + 1 :])) for i, t in enumerate(tots)]
    all_d = np.abs(np.array([d for ds in devs.values() for d in ds]))
    scale = 1.4826 * float(np.median(all_d)) if len(all_d) else 0.0
    flags: dict[Hashable, Flag] = {}
    for c, sd in sds.items():
        spread_sev = sd / thr if thr > 0 else 0.0
        out: Flag | None = None
        if c in devs and scale > 0:
            z = np.array(devs[c]) / scale
            k = int(np.argmax(np.abs(z)))
            if abs(z[k]) > robust_z:
                severity = max(abs(float(z[k])) / robust_z, spread_sev)
                out = Flag(c, "outlier", sd, thr, pair[c][k][0], float(z[k]), severity)
        if out is not None:  # naming the evaluator says more than the spread it causes
            flags[c] = out
        elif thr > 0 and sd > thr and (min_range is None or ranges[c] > min_range):
            flags[c] = Flag(c, "spread", sd, thr, None, None, spread_sev)
    limit = math.floor(max_share * len(pair) + 1e-9)
    capped = len(flags) > limit
    if capped:
        keep = sorted(flags.values(), key=lambda f: (-f.severity, repr(f.candidacy_id)))[:limit]
        flags = {f.candidacy_id: f for f in keep}
    return FlagResult(flags, len(pair), thr, scale or None, capped)
