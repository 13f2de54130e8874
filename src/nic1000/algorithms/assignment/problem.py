"""The instance, validated, with locked pairs set aside: they reduce each candidacy's reviews still needed
(``kr``) and each evaluator's load bounds (``minr``, ``maxr``); the flow decides only the rest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
import scipy.sparse as sp


def per_item(value: int | Sequence[int] | np.ndarray | None, n: int, default: int, name: str) -> np.ndarray:
    """A per-candidacy or per-evaluator integer array from a scalar, a sequence or None (``default``)."""
    if value is None:
        arr = np.full(n, default, dtype=np.int64)
    elif np.isscalar(value):
        arr = np.full(n, int(cast(int, value)), dtype=np.int64)
    else:
        arr = np.asarray(value, dtype=np.int64).copy()
        if arr.shape != (n,):
            raise ValueError(f"{name} must be a scalar or have length {n}, got shape {arr.shape}")
    if (arr < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return arr


def pairs_to_flat(pairs: Any, n_c: int, n_e: int, name: str) -> np.ndarray:
    """Sorted unique flat indices c * n_e + e of a pair list, boolean matrix or sparse matrix."""
    if pairs is None:
        return np.zeros(0, dtype=np.int64)
    if sp.issparse(pairs):
        coo = sp.coo_matrix(pairs)
        mask = coo.data != 0
        rows, cols = coo.row[mask].astype(np.int64), coo.col[mask].astype(np.int64)
        if coo.shape != (n_c, n_e):
            raise ValueError(f"{name} matrix must have shape {(n_c, n_e)}")
    elif (
        isinstance(pairs, np.ndarray)
        and pairs.ndim == 2
        and pairs.shape == (n_c, n_e)
        and pairs.dtype == bool
    ):
        rows, cols = (a.astype(np.int64) for a in np.nonzero(pairs))
    else:
        arr = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
        rows, cols = arr[:, 0], arr[:, 1]
    if len(rows) and (rows.min() < 0 or rows.max() >= n_c or cols.min() < 0 or cols.max() >= n_e):
        raise ValueError(f"{name} contains an index out of range")
    return sorted_unique(rows * n_e + cols)


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """Sorted unique values (sort-based; faster than hash-based np.unique for large int arrays)."""
    if len(x) == 0:
        return x.astype(np.int64)
    x = np.sort(x, kind="stable")
    unique: np.ndarray = x[np.concatenate([[True], x[1:] != x[:-1]])]
    return unique


def in_sorted(x: np.ndarray, sorted_ref: np.ndarray) -> np.ndarray:
    """Membership of each element of ``x`` in the sorted array ``sorted_ref`` (binary search)."""
    if len(sorted_ref) == 0:
        return np.zeros(len(x), dtype=bool)
    pos = np.searchsorted(sorted_ref, x)
    pos[pos == len(sorted_ref)] = 0
    found: np.ndarray = sorted_ref[pos] == x
    return found


def _checked_affinity(affinity: Any) -> Any:
    """The affinity as a float64 CSR matrix or 2-D array, refusing NaN and infinite values."""
    if sp.issparse(affinity):
        a = sp.csr_matrix(affinity, dtype=np.float64)
        if not np.isfinite(a.data).all():
            raise ValueError("affinity contains NaN or infinite values")
        return a
    dense = np.asarray(affinity, dtype=np.float64)
    if dense.ndim != 2:
        raise ValueError("affinity must be a 2-D matrix")
    if not np.isfinite(dense).all():
        raise ValueError("affinity contains NaN or infinite values")
    return dense


class AssignmentProblem:
    """Validated data with locked pairs set aside (reduced k', min', max').

    Pairs are addressed by flat index ``c * n_e + e``; ``blocked`` (sorted) holds the forbidden and locked
    pairs, which the flow never uses; ``deg_c`` / ``deg_e`` count the pairs it may use per node.
    """

    def __init__(
        self,
        affinity: Any,
        k: Any,
        min_load: Any,
        max_load: Any,
        forbidden: Any,
        locked: Any,
        candidacy_ids: Sequence[Any] | None,
        evaluator_ids: Sequence[Any] | None,
        block_rows: int,
    ):
        self.a = _checked_affinity(affinity)
        self.n_c, self.n_e = self.a.shape
        n_c, n_e = self.n_c, self.n_e
        self.block_rows = block_rows
        self.k = per_item(k, n_c, 3, "reviews_per_candidacy")
        self.min_load = per_item(min_load, n_e, 0, "min_load")
        self.max_load = per_item(max_load, n_e, n_c, "max_load")
        self.forbidden = pairs_to_flat(forbidden, n_c, n_e, "forbidden")
        self.locked_flat = pairs_to_flat(locked, n_c, n_e, "locked")
        self.cids = list(candidacy_ids) if candidacy_ids is not None else None
        self.eids = list(evaluator_ids) if evaluator_ids is not None else None
        self._set_aside_locked()
        self._count_allowed()
        self.max_abs = (
            float(abs(self.a).max()) if (self.a.nnz if sp.issparse(self.a) else self.a.size) else 0.0
        )

    def _set_aside_locked(self) -> None:
        """Locked pairs are assigned already: what remains for the flow is k', min' and max'."""
        lr, lc = np.divmod(self.locked_flat, self.n_e)
        self.locked_rows, self.locked_cols = lr, lc
        self.locked_c = np.bincount(lr, minlength=self.n_c).astype(np.int64)
        self.locked_e = np.bincount(lc, minlength=self.n_e).astype(np.int64)
        self.kr = np.maximum(self.k - self.locked_c, 0)
        self.minr = np.maximum(self.min_load - self.locked_e, 0)
        self.maxr = np.maximum(self.max_load - self.locked_e, 0)
        self.blocked = sorted_unique(np.concatenate([self.forbidden, self.locked_flat]))
        self.cap_ok = self.maxr > 0  # evaluators that can take another review
        self.need_ok = self.kr > 0

    def _count_allowed(self) -> None:
        """Allowed degree counts (pairs usable by the flow) per candidacy and per evaluator."""
        br, bc = np.divmod(self.blocked, self.n_e)
        self.deg_c = np.where(
            self.need_ok,
            int(self.cap_ok.sum()) - np.bincount(br[self.cap_ok[bc]], minlength=self.n_c),
            0,
        ).astype(np.int64)
        self.deg_e = np.where(
            self.cap_ok,
            int(self.need_ok.sum()) - np.bincount(bc[self.need_ok[br]], minlength=self.n_e),
            0,
        ).astype(np.int64)

    # labels ---------------------------------------------------------------------------------------
    def cname(self, c: int | np.integer) -> str:
        c = int(c)
        return f"candidacy {self.cids[c]}" if self.cids is not None else f"candidacy #{c}"

    def ename(self, e: int | np.integer) -> str:
        e = int(e)
        return f"evaluator {self.eids[e]}" if self.eids is not None else f"evaluator #{e}"

    def clist(self, cs: Sequence[int], limit: int = 8) -> str:
        names = [str(self.cids[c]) if self.cids is not None else f"#{c}" for c in cs[:limit]]
        return ", ".join(names) + (f", … (+{len(cs) - limit})" if len(cs) > limit else "")

    def elist(self, es: Sequence[int], limit: int = 8) -> str:
        names = [str(self.eids[e]) if self.eids is not None else f"#{e}" for e in es[:limit]]
        return ", ".join(names) + (f", … (+{len(es) - limit})" if len(es) > limit else "")

    # data access ----------------------------------------------------------------------------------
    def block(self, start: int, stop: int) -> np.ndarray:
        """Dense affinity rows ``start:stop`` (a copy: callers overwrite it)."""
        if sp.issparse(self.a):
            dense: np.ndarray = self.a[start:stop].toarray()
            return dense
        return np.array(self.a[start:stop], dtype=np.float64)

    def values(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Affinities of the pairs (rows[i], cols[i])."""
        if sp.issparse(self.a):
            return np.asarray(self.a[rows, cols], dtype=np.float64).ravel()
        picked: np.ndarray = self.a[rows, cols]
        return picked

    def allowed_block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Affinity block and a boolean mask of the arcs the flow may use."""
        vals = self.block(start, stop)
        mask = np.ones(vals.shape, dtype=bool)
        mask[:, ~self.cap_ok] = False
        mask[~self.need_ok[start:stop], :] = False
        lo, hi = np.searchsorted(self.blocked, [start * self.n_e, stop * self.n_e])
        flat = self.blocked[lo:hi] - start * self.n_e
        mask.reshape(-1)[flat] = False
        return vals, mask

    def blocks(self) -> Iterable[tuple[int, int]]:
        """Candidacy row ranges of ``block_rows``: the dense work is done block by block to bound memory."""
        for s in range(0, self.n_c, self.block_rows):
            yield s, min(self.n_c, s + self.block_rows)
