"""Quota-constrained selection of candidacies (pure: numpy / scipy (HiGHS), no Django).

Problem
-------
Choose a set of candidacies (binary ``x_i``) maximising the total score subject to

* a total quota: exact (``total=320``) or a range (``total=(300, 320)``);
* quota families — e.g. nominating body, sector, region — each candidacy belongs to at most one group per
  family (``SelectionCandidate.groups[family]``); each :class:`GroupQuota` sets a minimum and/or maximum
  number of selected candidacies in one group.  A candidacy nominated by several bodies is passed with its
  **primary** body only, so it counts once, for that body (the caller decides which body is primary);
  a candidacy without a group in a family is not counted by that family's quotas;
* eligibility: ineligible candidacies are never chosen unless forced in;
* committee decisions: ``forced="in"`` candidacies are always chosen (even if ineligible; they count
  toward every quota), ``forced="out"`` ones never.

Scores are compared at ``score_decimals`` decimals (default 4): the objective uses the integers
``round(score · 10^score_decimals)``, so the optimum is exact (no floating tolerance can hide a real score
difference) and "optimal" means proven with a zero MIP gap.

Deterministic tie-break
-----------------------
Candidacies are first put in a canonical *merit order*: score (higher first), then the technology-
differentiation criterion ``technology_score`` (higher first, missing last), then nomination time
``nominated_at`` (earlier first, missing last), then ``id``.  Among all score-optimal sets, a second-stage
lexicographic solve picks the one whose members rank best in that order (it maximises
``Σ (n − merit position)`` subject to the total score staying optimal), so a tie-break can never override a
real score difference.  The model is built over the candidacies in merit order, so permuting the input
gives the same answer.

How it is solved (exact, fast for 100,000 candidacies)
--------------------------------------------------------
1. Counting checks give named diagnoses; a small integer model over *cells* (candidacies with the same
   group in every family are interchangeable for the quotas) decides feasibility and, if infeasible,
   yields an irreducible infeasible subset of the quota constraints by deletion filtering.
2. The LP relaxation is solved by column generation with HiGHS (``scipy.optimize.linprog``): a few
   thousand columns at a time, pricing all candidacies with the row duals until none has a positive
   reduced score.  The duals give a valid upper bound for any integer solution.
3. Reduced-score fixing: a candidacy whose reduced score exceeds the LP-to-incumbent gap in absolute value
   is fixed (in or out) in every optimal solution; the few remaining ones go to a HiGHS MILP
   (``scipy.optimize.milp``, ``mip_rel_gap=0``), enlarged until the gap closes.  The result is proven
   optimal for the full problem.

Explanations near the cut-off
-----------------------------
The *merit list* is the selectable, non-forced candidacies in merit order; if ``K`` of them are chosen, the
cut-off is merit position ``K`` and ``cutoff_score`` the score there.  Explanations are given for the
``explain_window`` candidacies on each side of the cut-off, for every candidacy whose fate differs from the
pure merit ranking (promoted by a minimum, displaced by a maximum) and for forced ones:

* ``within_cutoff`` / ``below_cutoff`` — decided by score alone;
* ``tie_break_won`` / ``tie_break_lost`` — same score as a candidacy on the other side of the cut-off;
  the message names the criterion that decided;
* ``quota_max`` — "excluded: body 'MOTIE' at its maximum 92";
* ``quota_min`` — "included: sector 'BIG3' minimum 90 required it";
* ``quota_min_elsewhere`` — excluded although ranked above the cut-off because every lower-ranked selected
  candidacy is needed by a minimum of its own group (exchanging them would break that minimum);
* ``quota_max_elsewhere`` — included although ranked below the cut-off because every better-ranked
  excluded candidacy is blocked by the maximum of its group;
* ``forced_in`` / ``forced_out``.

The quota reasons are exact for single exchanges: in an optimal solution no exchange of one excluded and one
selected candidacy improves the score, and the named constraints are the ones that make those exchanges
infeasible.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

__all__ = [
    "Explanation",
    "GroupQuota",
    "RankedCandidacy",
    "SelectionCandidate",
    "SelectionDiagnosis",
    "SelectionInfeasible",
    "SelectionResult",
    "diagnose_selection",
    "select",
]


@dataclass(frozen=True)
class SelectionCandidate:
    id: Any  # str or int; all ids of one call should have the same type
    score: float
    eligible: bool = True
    groups: Mapping[str, str | None] = field(default_factory=dict)  # family → group (primary body)
    technology_score: float | None = None  # tie-break 2: higher first
    nominated_at: Any = None  # tie-break 3: earlier first (date, datetime, number or ISO string)
    forced: Literal["in", "out"] | None = None  # committee decision


@dataclass(frozen=True)
class GroupQuota:
    family: str
    group: str
    min: int = 0
    max: int | None = None

    @property
    def label(self) -> str:
        return f"{self.family} '{self.group}'"


@dataclass(frozen=True)
class SelectionDiagnosis:
    code: str
    message: str
    constraints: tuple[str, ...] = ()  # keys such as "total:max", "body:MOTIE:min"
    candidacies: tuple[Any, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class SelectionInfeasible(Exception):
    def __init__(self, diagnoses: list[SelectionDiagnosis]):
        self.diagnoses = diagnoses
        super().__init__("; ".join(d.message for d in diagnoses) or "selection infeasible")


class RankedCandidacy(NamedTuple):
    id: Any
    score: float
    merit_rank: int  # 1-based position in the canonical merit order (all candidacies)
    selected: bool
    selection_rank: int | None  # 1-based position among the selected (merit order)
    eligible: bool
    forced: str | None


@dataclass(frozen=True)
class Explanation:
    id: Any
    selected: bool
    code: str
    message: str
    constraints: tuple[str, ...] = ()
    merit_rank: int = 0
    score: float = 0.0


@dataclass
class SelectionResult:
    selected: list[Any]  # ids in merit order
    ranking: list[RankedCandidacy]  # all candidacies in merit order
    explanations: list[Explanation]  # near the cut-off, differing from merit, forced (merit order)
    status: str  # "optimal" | "time_limit"
    proven_optimal: bool
    mip_gap: float  # 0.0 when proven optimal
    objective: float  # Σ score of the selected
    bound: float  # upper bound on the optimum (score units)
    cutoff_score: float | None
    group_counts: dict[tuple[str, str], int]
    binding: list[str]  # constraint keys at their bound
    seconds: float
    solver: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ modelling


@dataclass
class _Row:
    key: str  # "total" or "family:group"
    label: str  # "total" or "body 'MOTIE'"
    lo: int
    hi: float  # may be inf
    family: str | None = None
    group: str | None = None


class _Model:
    """Candidacies in canonical merit order plus quota rows."""

    def __init__(
        self,
        candidates: Sequence[SelectionCandidate],
        total: int | tuple[int | None, int | None],
        quotas: Sequence[GroupQuota],
        score_decimals: int,
    ):
        n = len(candidates)
        ids0 = [c.id for c in candidates]
        score0 = [c.score for c in candidates]
        elig0 = [c.eligible for c in candidates]
        forced0 = [c.forced for c in candidates]
        tech0 = [c.technology_score for c in candidates]
        nom0 = [c.nominated_at for c in candidates]
        if len(set(ids0)) != n:
            raise ValueError("candidacy ids must be unique")
        bad_forced = set(forced0) - {None, "in", "out"}
        if bad_forced:
            raise ValueError(f"forced must be None, 'in' or 'out', got {sorted(map(str, bad_forced))}")
        raw_score = np.array(score0, dtype=np.float64)
        if not np.isfinite(raw_score).all():
            raise ValueError("scores must be finite")
        self.decimals = score_decimals
        s_int = np.rint(raw_score * 10.0**score_decimals).astype(np.int64)

        def ranks(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
            """(missing flag, rank of the value among the distinct present values)."""
            missing = np.array([v is None for v in values], dtype=bool)
            distinct = sorted({v for v in values if v is not None})
            lut = {v: j for j, v in enumerate(distinct)}
            return missing, np.array([lut[v] if v is not None else 0 for v in values], dtype=np.int64)

        tech_missing = np.array([t is None for t in tech0], dtype=bool)
        tech = np.array([0.0 if t is None else float(t) for t in tech0], dtype=np.float64)
        if nom_missing_all := all(v is None for v in nom0):
            nom_missing, nom_rank = np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64)
        else:
            nom_missing, nom_rank = ranks(nom0)
        del nom_missing_all
        id_arr = np.asarray(ids0)
        if n and id_arr.ndim == 1 and id_arr.dtype.kind in "iuU":
            id_rank = np.empty(n, dtype=np.int64)
            id_rank[np.argsort(id_arr, kind="stable")] = np.arange(n)
        else:
            _, id_rank = ranks([(type(i).__name__, i) for i in ids0])
        # merit order: score desc, technology desc (missing last), nomination asc (missing last), id asc
        order = (
            np.lexsort((id_rank, nom_rank, nom_missing, -tech, tech_missing, -s_int))
            if n
            else np.zeros(0, int)
        )
        self.order = order
        self.c: list[SelectionCandidate] = [candidates[i] for i in order]
        self.n = n
        self.ids = [ids0[i] for i in order]
        self.score = raw_score[order]
        self.S = s_int[order]
        forced_arr = np.array([f or "" for f in forced0], dtype=object)[order] if n else np.zeros(0, object)
        self.forced_in = forced_arr == "in"
        self.forced_out = forced_arr == "out"
        self.eligible = np.array(elig0, dtype=bool)[order] if n else np.zeros(0, bool)
        self.selectable = (self.eligible | self.forced_in) & ~self.forced_out
        self.free = self.selectable & ~self.forced_in

        if isinstance(total, tuple):
            lo, hi = total
            self.total_lo = int(lo or 0)
            self.total_hi = int(hi) if hi is not None else n
            self.total_exact = False
        else:
            self.total_lo = self.total_hi = int(total)
            self.total_exact = True

        seen: set[tuple[str, str]] = set()
        for q in quotas:
            if (q.family, q.group) in seen:
                raise ValueError(f"duplicate quota for {q.label}")
            seen.add((q.family, q.group))
            if q.min < 0 or (q.max is not None and q.max < 0):
                raise ValueError(f"quota for {q.label} must be non-negative")
        self.families = sorted({q.family for q in quotas})
        # group index per family; -1 for no group.  Labels from candidacies and quotas.
        self.group_labels: dict[str, list[str]] = {}
        self.g: dict[str, np.ndarray] = {}
        groups_list = [c.groups for c in self.c]
        for f in self.families:
            raw = [g.get(f) for g in groups_list]
            present = set(raw)
            present.discard(None)
            labels = sorted({str(v) for v in present} | {q.group for q in quotas if q.family == f})
            index = {lab: j for j, lab in enumerate(labels)}
            lut: dict[Any, int] = {v: index[str(v)] for v in present}
            lut[None] = -1
            self.group_labels[f] = labels
            self.g[f] = np.fromiter(map(lut.__getitem__, raw), dtype=np.int64, count=n)
        self.rows: list[_Row] = [_Row("total", "total", self.total_lo, float(self.total_hi))]
        # row index of (family, group index) or -1
        self.row_of: dict[str, np.ndarray] = {
            f: np.full(len(self.group_labels[f]), -1) for f in self.families
        }
        for q in sorted(quotas, key=lambda q: (q.family, q.group)):
            j = self.group_labels[q.family].index(q.group)
            self.row_of[q.family][j] = len(self.rows)
            self.rows.append(
                _Row(
                    f"{q.family}:{q.group}",
                    q.label,
                    int(q.min),
                    float(q.max) if q.max is not None else np.inf,
                    q.family,
                    q.group,
                )
            )
        # membership matrix rows × candidacies
        r_idx = [np.zeros(n, dtype=np.int64)]
        c_idx = [np.arange(n, dtype=np.int64)]
        for f in self.families:
            rows = np.where(self.g[f] >= 0, self.row_of[f][np.maximum(self.g[f], 0)], -1)
            ok = rows >= 0
            r_idx.append(rows[ok])
            c_idx.append(np.flatnonzero(ok))
        ri, ci = np.concatenate(r_idx), np.concatenate(c_idx)
        self.A = sp.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(self.rows), n))
        self.AT = self.A.T.tocsr()
        # quota row of each candidacy per family (-1: none)
        self.item_row: dict[str, np.ndarray] = {
            f: np.where(self.g[f] >= 0, self.row_of[f][np.maximum(self.g[f], 0)], -1) for f in self.families
        }
        self.row_lo = np.array([r.lo for r in self.rows], dtype=np.float64)
        self.row_hi = np.array([r.hi for r in self.rows], dtype=np.float64)

    # constraint naming ------------------------------------------------------------------------------
    def bound_key(self, r: int, side: str) -> str:
        return f"{self.rows[r].key}:{side}"

    def bound_text(self, r: int, side: str) -> str:
        row = self.rows[r]
        if r == 0:
            if self.total_exact:
                return f"total {self.total_lo}"
            return f"total {'minimum' if side == 'min' else 'maximum'} {row.lo if side == 'min' else int(row.hi)}"
        return f"{row.label} {'minimum' if side == 'min' else 'maximum'} {row.lo if side == 'min' else int(row.hi)}"

    def counts(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.A @ x.astype(np.float64)).round().astype(np.int64)


# ------------------------------------------------------------------------------------------ diagnosis


def _named_diagnoses(m: _Model) -> list[SelectionDiagnosis]:
    out: list[SelectionDiagnosis] = []
    fin = m.forced_in.astype(np.float64)
    sel = m.selectable.astype(np.float64)
    avail = np.asarray(m.A @ sel).round().astype(np.int64)
    forced = np.asarray(m.A @ fin).round().astype(np.int64)
    lo, hi = m.total_lo, m.total_hi
    total_word = "total" if m.total_exact else "total maximum"
    if lo > hi:
        out.append(
            SelectionDiagnosis(
                "total_bounds", f"total minimum {lo} exceeds total maximum {hi}", ("total:min", "total:max")
            )
        )
    if forced[0] > hi:
        out.append(
            SelectionDiagnosis(
                "forced_exceeds_total",
                f"{forced[0]} forced-in candidacies exceed the {total_word} {hi}",
                ("total:max",),
                tuple(np.array(m.ids, dtype=object)[m.forced_in]),
                {"forced_in": int(forced[0]), "total_max": hi},
            )
        )
    if avail[0] < lo:
        out.append(
            SelectionDiagnosis(
                "total_exceeds_available",
                f"{'total' if m.total_exact else 'total minimum'} {lo} but only {avail[0]} eligible candidacies",
                ("total:min",),
                details={"total_min": lo, "available": int(avail[0])},
            )
        )
    for r in range(1, len(m.rows)):
        row = m.rows[r]
        if row.lo > row.hi:
            out.append(
                SelectionDiagnosis(
                    "quota_bounds",
                    f"{row.label} minimum {row.lo} exceeds its maximum {int(row.hi)}",
                    (m.bound_key(r, "min"), m.bound_key(r, "max")),
                )
            )
        if row.lo > avail[r]:
            out.append(
                SelectionDiagnosis(
                    "quota_min_exceeds_available",
                    f"{row.label} minimum {row.lo} but only {avail[r]} eligible candidacies",
                    (m.bound_key(r, "min"),),
                    details={"min": row.lo, "available": int(avail[r])},
                )
            )
        if forced[r] > row.hi:
            members = m.item_row[m.rows[r].family or ""] == r
            out.append(
                SelectionDiagnosis(
                    "forced_exceeds_quota_max",
                    f"{row.label}: {forced[r]} forced-in candidacies exceed its maximum {int(row.hi)}",
                    (m.bound_key(r, "max"),),
                    tuple(np.array(m.ids, dtype=object)[members & m.forced_in]),
                    {"forced_in": int(forced[r]), "max": int(row.hi)},
                )
            )
    for f in m.families:
        rows = [r for r in range(1, len(m.rows)) if m.rows[r].family == f]
        sum_min = sum(m.rows[r].lo for r in rows)
        if sum_min > hi:
            out.append(
                SelectionDiagnosis(
                    "family_min_sum_exceeds_total",
                    f"sum of {f} minimums {sum_min} exceeds {total_word} {hi}",
                    (*(m.bound_key(r, "min") for r in rows if m.rows[r].lo > 0), "total:max"),
                    details={"sum_min": sum_min, "total_max": hi},
                )
            )
        # most that can be chosen while respecting this family's maxima
        quota_mask = np.zeros(m.n, dtype=bool)
        cap = 0
        for r in rows:
            members = m.item_row[m.rows[r].family or ""] == r
            quota_mask |= members
            cap += int(min(m.rows[r].hi, avail[r]))
        cap += int((m.selectable & ~quota_mask).sum())
        if cap < lo:
            out.append(
                SelectionDiagnosis(
                    "family_max_sum_below_total",
                    f"at most {cap} candidacies can be chosen within the {f} maximums, "
                    f"below the {'total' if m.total_exact else 'total minimum'} {lo}",
                    (*(m.bound_key(r, "max") for r in rows if np.isfinite(m.rows[r].hi)), "total:min"),
                    details={"capacity": cap, "total_min": lo},
                )
            )
    return out


def _rank_within(labels: np.ndarray) -> np.ndarray:
    """Position of each element among the elements with the same label, in array order."""
    if len(labels) == 0:
        return np.zeros(0, dtype=np.int64)
    srt = np.argsort(labels, kind="stable")
    sl = labels[srt]
    starts = np.r_[0, np.flatnonzero(sl[1:] != sl[:-1]) + 1]
    pos_sorted = np.arange(len(sl)) - np.repeat(starts, np.diff(np.r_[starts, len(sl)]))
    out = np.empty(len(labels), dtype=np.int64)
    out[srt] = pos_sorted
    return out


class _Cells:
    """Candidacies with identical groups in every quota family, aggregated."""

    def __init__(self, m: _Model):
        radix = [len(m.group_labels[f]) + 1 for f in m.families]
        if m.families and float(np.prod(np.array(radix, dtype=np.float64))) < 2.0**62:
            key = np.zeros(m.n, dtype=np.int64)
            for f in m.families:  # mixed-radix code of the group tuple (labels are few)
                key = key * (len(m.group_labels[f]) + 1) + (m.g[f] + 1)
            _, self.cell = np.unique(key, return_inverse=True)
            self.cell = self.cell.ravel()
        elif m.families:
            keys = np.stack([m.g[f] for f in m.families], axis=1)
            _, self.cell = np.unique(keys, axis=0, return_inverse=True)
            self.cell = self.cell.ravel()
        else:
            self.cell = np.zeros(m.n, dtype=np.int64)
        nc = int(self.cell.max()) + 1 if m.n else 0
        self.n = nc
        self.lower = np.bincount(self.cell[m.forced_in], minlength=nc).astype(np.float64)
        self.upper = np.bincount(self.cell[m.selectable], minlength=nc).astype(np.float64)
        # rows × cells incidence: a cell belongs to a row iff its candidacies do
        first = np.zeros(nc, dtype=np.int64)
        first[self.cell[::-1]] = np.arange(m.n)[::-1]
        self.B = m.A[:, first].tocsr() if nc else sp.csr_matrix((len(m.rows), 0))

    def solve(
        self, m: _Model, active: set[tuple[int, str]] | None, time_limit: float, relaxed: bool = False
    ) -> np.ndarray | None:
        """A feasible cell-count vector with only the ``active`` quota bounds (None: all), or None.

        ``relaxed``: LP relaxation (continuous counts); infeasible there implies infeasible in integers.
        """
        lo = np.zeros(len(m.rows))
        hi = np.full(len(m.rows), np.inf)
        for r in range(len(m.rows)):
            if active is None or (r, "min") in active:
                lo[r] = m.row_lo[r]
            if active is None or (r, "max") in active:
                hi[r] = m.row_hi[r]
        if self.n == 0:
            return np.zeros(0) if (lo <= 0).all() else None
        res = milp(
            np.zeros(self.n),
            integrality=np.zeros(self.n) if relaxed else np.ones(self.n),
            bounds=Bounds(self.lower, self.upper),
            constraints=LinearConstraint(self.B, lo, hi),
            options={"time_limit": time_limit},
        )
        if res.status == 0 and res.x is not None:
            return res.x if relaxed else np.round(res.x)
        if res.status == 2:
            return None
        raise RuntimeError(f"feasibility model failed: {res.message}")

    def bound_elements(self, m: _Model) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for r in range(len(m.rows)):
            if m.row_lo[r] > 0:
                out.append((r, "min"))
            if np.isfinite(m.row_hi[r]):
                out.append((r, "max"))
        return out

    def iis(self, m: _Model, time_limit: float) -> list[tuple[int, str]]:
        """Irreducible infeasible subset of the quota bounds by deletion filtering."""
        active = self.bound_elements(m)
        # fast pre-filter with the LP relaxation when it is already infeasible (a subset that is infeasible
        # as an LP is infeasible in integers too), then the exact integer filter on what is left
        if self.solve(m, set(active), time_limit, relaxed=True) is None:
            for el in list(active):
                trial = [a for a in active if a != el]
                if self.solve(m, set(trial), time_limit, relaxed=True) is None:
                    active = trial
        for el in list(active):
            trial = [a for a in active if a != el]
            if self.solve(m, set(trial), time_limit) is None:
                active = trial
        return active


def _diagnose(m: _Model, cells: _Cells, time_limit: float) -> list[SelectionDiagnosis]:
    out = _named_diagnoses(m)
    if out:
        return out
    if cells.solve(m, None, time_limit) is not None:
        return []
    iis = cells.iis(m, time_limit)
    names = [m.bound_text(r, side) for r, side in iis]
    return [
        SelectionDiagnosis(
            "irreducible_infeasible_subset",
            "these quotas cannot all hold together: " + "; ".join(names),
            tuple(m.bound_key(r, side) for r, side in iis),
            details={"constraints": names},
        )
    ]


def diagnose_selection(
    candidates: Sequence[SelectionCandidate],
    total: int | tuple[int | None, int | None],
    quotas: Sequence[GroupQuota] = (),
    *,
    time_limit: float = 30.0,
) -> list[SelectionDiagnosis]:
    """Every infeasibility reason found (empty list: a selection exists)."""
    m = _Model(candidates, total, quotas, 4)
    return _diagnose(m, _Cells(m), time_limit)


# ------------------------------------------------------------------------------------------- solving


def _solve_lp(m: _Model, cols: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LP over the given free columns; returns (x on cols, row duals π with d = S − Aᵀπ)."""
    a = m.A[:, cols].tocsr()
    c = -m.S[cols].astype(np.float64)
    eq = np.flatnonzero(lo == hi)
    up = np.flatnonzero((lo != hi) & np.isfinite(hi))
    dn = np.flatnonzero((lo != hi) & (lo > 0))
    a_ub = sp.vstack([a[up], -a[dn]]).tocsr() if len(up) + len(dn) else None
    b_ub = np.concatenate([hi[up], -lo[dn]]) if a_ub is not None else None
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a[eq] if len(eq) else None,
        b_eq=lo[eq] if len(eq) else None,
        bounds=(0, 1),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"LP relaxation failed: {res.message}")
    pi = np.zeros(len(m.rows))
    if a_ub is not None:
        marg = res.ineqlin.marginals
        pi[up] -= marg[: len(up)]
        pi[dn] += marg[len(up) :]
    if len(eq):
        pi[eq] -= res.eqlin.marginals
    return res.x, pi


def _lagrangian(m: _Model, pi: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[float, np.ndarray]:
    """Valid upper bound on Σ S over free candidacies for any π (sanitised), and reduced scores d."""
    pi = pi.copy()
    pi[~np.isfinite(hi)] = np.minimum(pi[~np.isfinite(hi)], 0.0)
    d = m.S.astype(np.float64) - np.asarray(m.AT @ pi).ravel()
    rows_term = float(np.where(pi > 0, pi * np.where(np.isfinite(hi), hi, 0.0), pi * lo).sum())
    bound = float(np.maximum(d[m.free], 0.0).sum()) + rows_term
    return bound, d


def _sub_milp(
    m: _Model,
    free_idx: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    objective: np.ndarray,
    time_limit: float,
    extra: tuple[np.ndarray, float] | None = None,
) -> Any:
    a = m.A[:, free_idx]
    cons = [LinearConstraint(a, lo, hi)]
    if extra is not None:
        cons.append(LinearConstraint(extra[0][None, :], extra[1], np.inf))
    return milp(
        -objective.astype(np.float64),
        integrality=np.ones(len(free_idx)),
        bounds=Bounds(0, 1),
        constraints=cons,
        options={"mip_rel_gap": 0.0, "time_limit": max(time_limit, 1.0)},
    )


def select(
    candidates: Sequence[SelectionCandidate],
    total: int | tuple[int | None, int | None],
    quotas: Sequence[GroupQuota] = (),
    *,
    score_decimals: int = 4,
    explain_window: int = 20,
    time_limit: float = 60.0,
    tie_break: bool = True,
) -> SelectionResult:
    """Optimal quota-constrained selection; raises :class:`SelectionInfeasible` with named diagnoses."""
    t0 = time.perf_counter()
    m = _Model(candidates, total, quotas, score_decimals)
    diags = _named_diagnoses(m)
    if diags:
        raise SelectionInfeasible(diags)
    cells = _Cells(m)
    y = cells.solve(m, None, time_limit)
    if y is None:
        raise SelectionInfeasible(_diagnose(m, cells, time_limit))

    n = m.n
    forced_counts = m.counts(m.forced_in)
    lo = np.maximum(m.row_lo - forced_counts, 0.0)
    hi = m.row_hi - forced_counts
    free_all = np.flatnonzero(m.free)
    info: dict[str, Any] = {"lp_rounds": 0}

    # ---- initial columns: a feasible set (top of each cell), the global top, each group's top
    init = np.zeros(n, dtype=bool)
    need = np.round(y - cells.lower).astype(np.int64)
    free_cells = cells.cell[free_all]
    if len(free_all):
        # position of each free candidacy within its cell (merit order is the array order)
        order_in_cell = _rank_within(free_cells)
        init[free_all[order_in_cell < need[free_cells]]] = True
        init[free_all[: int(min(len(free_all), 2 * max(m.total_hi, 1)))]] = True
        for r in range(1, len(m.rows)):
            fam = m.rows[r].family or ""
            members = free_all[m.item_row[fam][free_all] == r]
            init[members[: int(2 * m.rows[r].lo + 10)]] = True

    # ---- column generation for the LP relaxation
    cols = np.flatnonzero(init)
    pi = np.zeros(len(m.rows))
    d = m.S.astype(np.float64)
    bound_free = 0.0
    if len(free_all):
        tol = 1e-7 * max(1.0, float(np.abs(m.S).max()))
        for _ in range(100):
            info["lp_rounds"] += 1
            _, pi = _solve_lp(m, cols, lo, hi)
            bound_free, d = _lagrangian(m, pi, lo, hi)
            in_cols = np.zeros(n, dtype=bool)
            in_cols[cols] = True
            new = np.flatnonzero(m.free & ~in_cols & (d > tol))
            if len(new) == 0:
                break
            if len(new) > 5000:
                new = new[np.argsort(-d[new], kind="stable")[:5000]]
            cols = np.sort(np.concatenate([cols, new]))
    forced_score = int(m.S[m.forced_in].sum())
    lp_bound = bound_free + forced_score

    # ---- reduced-score fixing + exact MILP on the rest
    x = m.forced_in.astype(np.float64)
    z_free = 0
    status = "optimal"
    proven = True
    mip_gap = 0.0
    final_free = np.zeros(0, dtype=np.int64)
    fixed_one = np.zeros(n, dtype=bool)
    if len(free_all):
        delta = 2.0
        d_max = float(np.abs(d[free_all]).max()) + 1.0
        while True:
            df = d[free_all]
            one = free_all[df > delta]
            var = free_all[np.abs(df) <= delta]
            fixed_one = np.zeros(n, dtype=bool)
            fixed_one[one] = True
            cnt = m.counts(fixed_one)
            lo_v, hi_v = lo - cnt, hi - cnt
            base = int(m.S[one].sum())
            ok, timed_out, gap_now = False, False, 0.0
            sol_var = np.zeros(len(var))
            z_try = base
            if (hi_v < -0.5).any():
                ok = False  # the fixings alone break a maximum
            elif len(var) == 0:
                ok = bool((lo_v < 0.5).all())
            else:
                res = _sub_milp(m, var, lo_v, hi_v, m.S[var], time_limit - (time.perf_counter() - t0))
                if res.x is not None and res.status in (0, 1):
                    ok = True
                    sol_var = np.round(res.x)
                    z_try = base + int(np.rint(m.S[var] @ sol_var))
                    timed_out = res.status == 1
                    gap_now = float(res.mip_gap or 0.0)
                elif res.status != 2:
                    raise RuntimeError(f"selection MILP failed: {res.message}")
            if ok and (timed_out or bound_free - z_try <= delta + 1e-6):
                x = m.forced_in.astype(np.float64)
                x[one] = 1.0
                x[var] = sol_var
                z_free = z_try
                final_free = var
                if timed_out:
                    status, proven, mip_gap = "time_limit", False, gap_now
                break
            if not np.isfinite(delta):
                raise RuntimeError("selection MILP infeasible although the quota model is feasible")
            delta = max(bound_free - z_try + 1.0, 2.0 * delta) if ok else 4.0 * delta
            if delta > d_max:
                delta = np.inf
        info["delta"] = delta
        info["free_variables"] = len(final_free)

        # ---- second stage: lexicographic tie-break among score-optimal solutions
        if tie_break and status == "optimal" and len(final_free):
            w = (n - np.arange(n)).astype(np.float64)
            cnt = m.counts(fixed_one)
            base = int(m.S[fixed_one].sum())
            target = z_free - base
            res2 = _sub_milp(
                m,
                final_free,
                lo - cnt,
                hi - cnt,
                w[final_free],
                time_limit - (time.perf_counter() - t0),
                (m.S[final_free].astype(np.float64), target - 0.5),
            )
            if res2.x is not None and res2.status in (0, 1):
                sol2 = np.round(res2.x)
                if int(np.rint(m.S[final_free] @ sol2)) == target:
                    x2 = m.forced_in.astype(np.float64)
                    x2[fixed_one] = 1.0
                    x2[final_free] = sol2
                    x = x2
                    info["tie_break_status"] = "optimal" if res2.status == 0 else "time_limit"
                else:
                    info["tie_break_status"] = "rejected (score changed)"
            else:
                info["tie_break_status"] = "failed"

    chosen = x > 0.5
    chosen = _canonical_within_cells(m, cells, chosen)
    z = int(m.S[chosen].sum())
    bound_scaled = max(lp_bound, float(z)) if proven else lp_bound
    counts = m.counts(chosen)
    scale = 10.0**m.decimals
    result_gap = 0.0 if proven else max(mip_gap, (bound_scaled - z) / max(abs(bound_scaled), 1e-12))

    # ---- outputs
    sel_rank = np.where(chosen, np.cumsum(chosen), 0).tolist()
    ranking = list(
        map(
            RankedCandidacy._make,
            zip(
                m.ids,
                m.score.tolist(),
                range(1, n + 1),
                chosen.tolist(),
                [r or None for r in sel_rank],
                m.eligible.tolist(),
                [c.forced for c in m.c],
                strict=True,
            ),
        )
    )
    group_counts: dict[tuple[str, str], int] = {}
    for f in m.families:
        gi = m.g[f]
        bc = np.bincount(gi[chosen & (gi >= 0)], minlength=len(m.group_labels[f]))
        for j, lab in enumerate(m.group_labels[f]):
            group_counts[(f, lab)] = int(bc[j])
    binding: list[str] = []
    for r in range(len(m.rows)):
        if m.row_lo[r] > 0 and counts[r] == m.row_lo[r]:
            binding.append(m.bound_key(r, "min"))
        if np.isfinite(m.row_hi[r]) and counts[r] == m.row_hi[r]:
            binding.append(m.bound_key(r, "max"))
    explanations, cutoff = _explain(m, chosen, counts, explain_window)
    info.update({"lp_bound_scaled": lp_bound, "objective_scaled": z, "cells": cells.n})
    return SelectionResult(
        selected=[m.ids[i] for i in np.flatnonzero(chosen)],
        ranking=ranking,
        explanations=explanations,
        status=status,
        proven_optimal=proven,
        mip_gap=result_gap,
        objective=float(m.score[chosen].sum()),
        bound=bound_scaled / scale,
        cutoff_score=cutoff,
        group_counts=group_counts,
        binding=binding,
        seconds=time.perf_counter() - t0,
        solver=info,
    )


def _canonical_within_cells(m: _Model, cells: _Cells, chosen: np.ndarray) -> np.ndarray:
    """Within each cell, take the chosen number of free candidacies from the top of the merit order.

    Candidacies of one cell are interchangeable for every quota, so this never changes feasibility and
    never lowers the score; it makes the within-cell choice independent of solver internals.
    """
    out = chosen & ~m.free
    free_idx = np.flatnonzero(m.free)
    fc = cells.cell[free_idx]
    k = np.bincount(fc[chosen[free_idx]], minlength=cells.n)
    out[free_idx[_rank_within(fc) < k[fc]]] = True
    if int(m.S[out].sum()) < int(m.S[chosen].sum()):  # cannot happen; keep the solver's answer
        return chosen
    return out


# ----------------------------------------------------------------------------------------- explaining


_CRITERIA = ("technology differentiation", "earlier nomination", "id")


def _decider(a: SelectionCandidate, b: SelectionCandidate) -> str:
    """Which tie-break criterion puts ``a`` ahead of ``b`` (same rounded score)."""
    ta = -np.inf if a.technology_score is None else a.technology_score
    tb = -np.inf if b.technology_score is None else b.technology_score
    if ta != tb:
        return _CRITERIA[0]
    if a.nominated_at != b.nominated_at:
        return _CRITERIA[1]
    return _CRITERIA[2]


def _fmt_score(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def _explain(
    m: _Model, chosen: np.ndarray, counts: np.ndarray, window: int
) -> tuple[list[Explanation], float | None]:
    merit = np.flatnonzero(m.free)  # merit order
    in_merit = chosen[merit]
    k = int(in_merit.sum())
    cutoff = float(m.score[merit[k - 1]]) if k > 0 else None
    at_min = np.array([m.row_lo[r] > 0 and counts[r] <= m.row_lo[r] for r in range(len(m.rows))], dtype=bool)
    at_max = np.array([np.isfinite(m.row_hi[r]) and counts[r] >= m.row_hi[r] for r in range(len(m.rows))])
    fam_rows = m.item_row

    def rows_of(i: int) -> list[int]:
        return [int(fam_rows[f][i]) for f in m.families if fam_rows[f][i] >= 0]

    pick: set[int] = set()
    for j in range(max(0, k - window), min(len(merit), k + window)):
        pick.add(int(merit[j]))
    pos_in_merit = np.full(m.n, -1, dtype=np.int64)
    pos_in_merit[merit] = np.arange(len(merit))
    displaced = merit[(np.arange(len(merit)) < k) & ~in_merit]
    promoted = merit[(np.arange(len(merit)) >= k) & in_merit]
    pick.update(int(i) for i in displaced)
    pick.update(int(i) for i in promoted)
    pick.update(int(i) for i in np.flatnonzero(m.forced_in | m.forced_out))

    chosen_free = merit[in_merit]
    excluded_free = merit[~in_merit]
    s_int = m.S
    exps: list[Explanation] = []

    def swap_blockers(out_item: int, in_items: np.ndarray, role: str) -> tuple[set[int], np.ndarray]:
        """Rows blocking the exchange of out_item (leaves) with each of in_items (enters) or vice versa."""
        blockers: set[int] = set()
        feasible = np.ones(len(in_items), dtype=bool)
        for f in m.families:
            ro = fam_rows[f][out_item]
            ri = fam_rows[f][in_items]
            differs = ri != ro
            if role == "leave":  # out_item leaves, in_items enter
                blk_out = differs & (ro >= 0) & (at_min[ro] if ro >= 0 else False)
                blk_in = differs & (ri >= 0) & at_max[np.maximum(ri, 0)]
            else:  # out_item enters, in_items leave
                blk_out = differs & (ro >= 0) & (at_max[ro] if ro >= 0 else False)
                blk_in = differs & (ri >= 0) & at_min[np.maximum(ri, 0)]
            if np.any(blk_out):
                blockers.add(int(ro))
            blockers.update(int(r) for r in np.unique(ri[blk_in]))
            feasible &= ~(blk_out | blk_in)
        return blockers, feasible

    def tie_text(winner: int, loser: int) -> str:
        return f"ranks ahead on {_decider(m.c[winner], m.c[loser])}"

    for i in sorted(pick):
        sel = bool(chosen[i])
        sc = _fmt_score(m.score[i])
        base = {"id": m.ids[i], "selected": sel, "merit_rank": i + 1, "score": float(m.score[i])}
        if m.forced_in[i]:
            note = "" if m.eligible[i] else " (although ineligible)"
            exps.append(
                Explanation(
                    code="forced_in", message=f"included: forced in by committee decision{note}", **base
                )
            )
            continue
        if m.forced_out[i]:
            exps.append(
                Explanation(code="forced_out", message="excluded: forced out by committee decision", **base)
            )
            continue
        p = int(pos_in_merit[i])
        mine = rows_of(i)
        if not sel:
            maxed = [r for r in mine if at_max[r]]
            below = chosen_free[pos_in_merit[chosen_free] > p]
            if maxed and (len(below) or p < k):
                exps.append(
                    Explanation(
                        code="quota_max",
                        message="excluded: "
                        + "; ".join(f"{m.rows[r].label} at its maximum {int(m.row_hi[r])}" for r in maxed),
                        constraints=tuple(m.bound_key(r, "max") for r in maxed),
                        **base,
                    )
                )
                continue
            if len(below) == 0:  # nothing ranked below it was chosen: decided by score (or a tie)
                extra = "".join(f"; {m.rows[r].label} is at its maximum {int(m.row_hi[r])}" for r in maxed)
                cons = tuple(m.bound_key(r, "max") for r in maxed)
                tied = chosen_free[s_int[chosen_free] == s_int[i]]
                if len(tied):
                    j = int(tied[-1])
                    msg = f"excluded: tied on score {sc} with selected {m.ids[j]}, which {tie_text(j, i)}{extra}"
                    exps.append(Explanation(code="tie_break_lost", message=msg, constraints=cons, **base))
                elif s_int[i] <= 0 and counts[0] < m.row_hi[0]:
                    exps.append(
                        Explanation(code="non_positive_score", message="excluded: score not positive", **base)
                    )
                else:
                    msg = f"excluded: score {sc} below the cut-off ({_fmt_score(cutoff or 0.0)}){extra}"
                    exps.append(Explanation(code="below_cutoff", message=msg, constraints=cons, **base))
                continue
            blockers, feasible = swap_blockers(i, below, "enter")
            if np.any(feasible & (s_int[below] < s_int[i])):  # cannot happen in an optimal solution
                exps.append(
                    Explanation(
                        code="joint_constraints",
                        message="excluded: by the combination of quotas (no single exchange explains it)",
                        **base,
                    )
                )
            elif np.any(feasible):
                j = int(below[np.flatnonzero(feasible)[0]])
                exps.append(
                    Explanation(
                        code="tie_break_lost",
                        message=f"excluded: tied on score {sc} with selected {m.ids[j]}, which {tie_text(j, i)}",
                        **base,
                    )
                )
            else:
                rows = sorted(blockers)
                exps.append(
                    Explanation(
                        code="quota_min_elsewhere",
                        message="excluded: every lower-ranked selected candidacy is required by a minimum: "
                        + "; ".join(f"{m.rows[r].label} minimum {m.rows[r].lo}" for r in rows),
                        constraints=tuple(m.bound_key(r, "min") for r in rows),
                        **base,
                    )
                )
            continue
        # selected
        above = excluded_free[pos_in_merit[excluded_free] < p]
        if len(above) == 0:
            tied = excluded_free[s_int[excluded_free] == s_int[i]]
            if len(tied):
                j = int(tied[0])
                exps.append(
                    Explanation(
                        code="tie_break_won",
                        message=f"included: tied on score {sc} with {len(tied)} excluded candidacies "
                        f"(first: {m.ids[j]}); {tie_text(i, j)}",
                        **base,
                    )
                )
            else:
                exps.append(
                    Explanation(
                        code="within_cutoff",
                        message=f"included: score {sc} within the cut-off ({_fmt_score(cutoff or 0.0)}), "
                        f"merit rank {p + 1}",
                        **base,
                    )
                )
            continue
        mins = [r for r in mine if at_min[r]]
        if mins:
            exps.append(
                Explanation(
                    code="quota_min",
                    message="included: "
                    + "; ".join(f"{m.rows[r].label} minimum {m.rows[r].lo} required it" for r in mins),
                    constraints=tuple(m.bound_key(r, "min") for r in mins),
                    **base,
                )
            )
            continue
        blockers, feasible = swap_blockers(i, above, "leave")
        if np.any(feasible & (s_int[above] > s_int[i])):  # cannot happen in an optimal solution
            exps.append(
                Explanation(
                    code="joint_constraints",
                    message="included: by the combination of quotas (no single exchange explains it)",
                    **base,
                )
            )
        elif np.any(feasible):
            j = int(above[np.flatnonzero(feasible)[-1]])
            exps.append(
                Explanation(
                    code="tie_break_won",
                    message=f"included: tied on score {sc} with excluded {m.ids[j]}; {tie_text(i, j)}",
                    **base,
                )
            )
        else:
            rows = sorted(blockers)
            exps.append(
                Explanation(
                    code="quota_max_elsewhere",
                    message="included: the higher-ranked excluded candidacies are blocked by maximums: "
                    + "; ".join(f"{m.rows[r].label} maximum {int(m.row_hi[r])}" for r in rows),
                    constraints=tuple(m.bound_key(r, "max") for r in rows),
                    **base,
                )
            )
    return exps, cutoff
