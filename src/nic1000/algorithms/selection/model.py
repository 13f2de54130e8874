"""The selection as arrays: candidacies in canonical merit order, and one quota row per bound (the total,
then each group with a quota). Everything downstream — diagnosis, solving, explanations — reads this."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from nic1000.algorithms.selection.types import GroupQuota, SelectionCandidate


@dataclass
class QuotaRow:
    """One bound row: the total (row 0) or one group's quota."""

    key: str  # "total" or "family:group"
    label: str  # "total" or "body 'MOTIE'"
    lo: int
    hi: float  # may be inf
    family: str | None = None
    group: str | None = None


class SelectionModel:
    """Candidacies in canonical merit order plus quota rows.

    Position ``i`` is merit rank ``i + 1``. ``S``: integer scores (score · 10^decimals, compared exactly);
    ``A``: rows × candidacies membership (row 0 is the total); ``g[family]``: group index per candidacy
    (−1: none); ``item_row[family]``: its quota row in that family (−1: none).
    """

    def __init__(
        self,
        candidates: Sequence[SelectionCandidate],
        total: int | tuple[int | None, int | None],
        quotas: Sequence[GroupQuota],
        score_decimals: int,
    ):
        raw_score = _checked_scores(candidates)
        self.decimals = score_decimals
        s_int = np.rint(raw_score * 10.0**score_decimals).astype(np.int64)
        order = _merit_order(candidates, s_int)
        n = self.n = len(candidates)
        self.candidates: list[SelectionCandidate] = [candidates[i] for i in order]
        self.ids = [c.id for c in self.candidates]
        self.score: np.ndarray = raw_score[order]
        self.S: np.ndarray = s_int[order]
        forced = [c.forced for c in candidates]
        forced_arr = np.array([f or "" for f in forced], dtype=object)[order] if n else np.zeros(0, object)
        self.forced_in: np.ndarray = forced_arr == "in"
        self.forced_out: np.ndarray = forced_arr == "out"
        self.eligible = (
            np.array([c.eligible for c in candidates], dtype=bool)[order] if n else np.zeros(0, bool)
        )
        self.selectable: np.ndarray = (self.eligible | self.forced_in) & ~self.forced_out
        self.free: np.ndarray = (
            self.selectable & ~self.forced_in
        )  # decided by the optimisation, not the committee
        self._read_total(total)
        _check_quotas(quotas)
        self._index_groups(quotas)
        self._add_quota_rows(quotas)
        self._build_membership()

    def _read_total(self, total: int | tuple[int | None, int | None]) -> None:
        """An exact total, or a (minimum, maximum) range with None for no bound."""
        if isinstance(total, tuple):
            lo, hi = total
            self.total_lo = int(lo or 0)
            self.total_hi = int(hi) if hi is not None else self.n
            self.total_exact = False
        else:
            self.total_lo = self.total_hi = int(total)
            self.total_exact = True

    def _index_groups(self, quotas: Sequence[GroupQuota]) -> None:
        """Group index per candidacy and family (−1: none); labels from the candidacies and the quotas."""
        self.families = sorted({q.family for q in quotas})
        self.group_labels: dict[str, list[str]] = {}
        self.g: dict[str, np.ndarray] = {}
        groups_list = [c.groups for c in self.candidates]
        for f in self.families:
            raw = [g.get(f) for g in groups_list]
            present = set(raw)
            present.discard(None)
            labels = sorted({str(v) for v in present} | {q.group for q in quotas if q.family == f})
            index = {lab: j for j, lab in enumerate(labels)}
            lut: dict[Any, int] = {v: index[str(v)] for v in present}
            lut[None] = -1
            self.group_labels[f] = labels
            self.g[f] = np.fromiter(map(lut.__getitem__, raw), dtype=np.int64, count=self.n)

    def _add_quota_rows(self, quotas: Sequence[GroupQuota]) -> None:
        """Row 0 is the total; then one row per quota, sorted by (family, group)."""
        self.rows: list[QuotaRow] = [QuotaRow("total", "total", self.total_lo, float(self.total_hi))]
        # row index of (family, group index) or -1
        self.row_of: dict[str, np.ndarray] = {
            f: np.full(len(self.group_labels[f]), -1) for f in self.families
        }
        for q in sorted(quotas, key=lambda q: (q.family, q.group)):
            j = self.group_labels[q.family].index(q.group)
            self.row_of[q.family][j] = len(self.rows)
            self.rows.append(
                QuotaRow(
                    f"{q.family}:{q.group}",
                    q.label,
                    int(q.min),
                    float(q.max) if q.max is not None else np.inf,
                    q.family,
                    q.group,
                )
            )
        self.row_lo = np.array([r.lo for r in self.rows], dtype=np.float64)
        self.row_hi = np.array([r.hi for r in self.rows], dtype=np.float64)

    def _build_membership(self) -> None:
        """Each candidacy's quota row per family, and the sparse rows × candidacies matrix ``A``."""
        n = self.n
        self.item_row: dict[str, np.ndarray] = {
            f: np.where(self.g[f] >= 0, self.row_of[f][np.maximum(self.g[f], 0)], -1) for f in self.families
        }
        r_idx = [np.zeros(n, dtype=np.int64)]
        c_idx = [np.arange(n, dtype=np.int64)]
        for f in self.families:
            rows = self.item_row[f]
            ok = rows >= 0
            r_idx.append(rows[ok])
            c_idx.append(np.flatnonzero(ok))
        ri, ci = np.concatenate(r_idx), np.concatenate(c_idx)
        self.A = sp.csr_matrix((np.ones(len(ri)), (ri, ci)), shape=(len(self.rows), n))
        self.AT = self.A.T.tocsr()

    # constraint naming ------------------------------------------------------------------------------
    def bound_key(self, r: int, side: str) -> str:
        """Machine key of a bound: "total:max", "body:MOTIE:min"."""
        return f"{self.rows[r].key}:{side}"

    def bound_text(self, r: int, side: str) -> str:
        """The bound in words: "total 320", "body 'MOTIE' maximum 92"."""
        row = self.rows[r]
        word = "minimum" if side == "min" else "maximum"
        value = row.lo if side == "min" else int(row.hi)
        if r == 0:
            return f"total {self.total_lo}" if self.total_exact else f"total {word} {value}"
        return f"{row.label} {word} {value}"

    def counts(self, x: np.ndarray) -> np.ndarray:
        """Selected count per quota row of a 0/1 (or boolean) vector over the candidacies."""
        return np.asarray(self.A @ x.astype(np.float64)).round().astype(np.int64)


def _checked_scores(candidates: Sequence[SelectionCandidate]) -> np.ndarray:
    """The scores as float64, refusing duplicate ids, unknown committee decisions and non-finite scores."""
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("candidacy ids must be unique")
    bad_forced = {c.forced for c in candidates} - {None, "in", "out"}
    if bad_forced:
        raise ValueError(f"forced must be None, 'in' or 'out', got {sorted(map(str, bad_forced))}")
    raw_score = np.array([c.score for c in candidates], dtype=np.float64)
    if not np.isfinite(raw_score).all():
        raise ValueError("scores must be finite")
    return raw_score


def _check_quotas(quotas: Sequence[GroupQuota]) -> None:
    """Refuse duplicate or negative quotas."""
    seen: set[tuple[str, str]] = set()
    for q in quotas:
        if (q.family, q.group) in seen:
            raise ValueError(f"duplicate quota for {q.label}")
        seen.add((q.family, q.group))
        if q.min < 0 or (q.max is not None and q.max < 0):
            raise ValueError(f"quota for {q.label} must be non-negative")


def _ranks(values: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(missing flag, rank of the value among the distinct present values)."""
    missing = np.array([v is None for v in values], dtype=bool)
    distinct = sorted({v for v in values if v is not None})
    lut = {v: j for j, v in enumerate(distinct)}
    return missing, np.array([lut[v] if v is not None else 0 for v in values], dtype=np.int64)


def _merit_order(candidates: Sequence[SelectionCandidate], s_int: np.ndarray) -> np.ndarray:
    """Positions in merit order: score desc, technology desc (missing last), nomination asc (missing
    last), id asc. Depends only on the candidacies, never on their input order."""
    n = len(candidates)
    if not n:
        return np.zeros(0, int)
    tech0 = [c.technology_score for c in candidates]
    tech_missing = np.array([t is None for t in tech0], dtype=bool)
    tech = np.array([0.0 if t is None else float(t) for t in tech0], dtype=np.float64)
    nominated = [c.nominated_at for c in candidates]
    if all(v is None for v in nominated):
        nom_missing, nom_rank = np.ones(n, dtype=bool), np.zeros(n, dtype=np.int64)
    else:
        nom_missing, nom_rank = _ranks(nominated)
    ids = [c.id for c in candidates]
    id_arr = np.asarray(ids)
    if id_arr.ndim == 1 and id_arr.dtype.kind in "iuU":
        id_rank = np.empty(n, dtype=np.int64)
        id_rank[np.argsort(id_arr, kind="stable")] = np.arange(n)
    else:
        _, id_rank = _ranks([(type(i).__name__, i) for i in ids])
    return np.lexsort((id_rank, nom_rank, nom_missing, -tech, tech_missing, -s_int))
