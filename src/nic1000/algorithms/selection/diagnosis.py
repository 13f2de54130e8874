"""Why no selection exists: named counting checks first (what a programme officer can act on), then, if
they find nothing, an irreducible infeasible subset of the quota bounds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nic1000.algorithms.selection.cells import Cells
from nic1000.algorithms.selection.model import SelectionModel
from nic1000.algorithms.selection.types import GroupQuota, SelectionCandidate, SelectionDiagnosis


def named_diagnoses(m: SelectionModel) -> list[SelectionDiagnosis]:
    """Counting checks that each name the bounds at fault (empty: none fails)."""
    avail = np.asarray(m.A @ m.selectable.astype(np.float64)).round().astype(np.int64)
    forced = np.asarray(m.A @ m.forced_in.astype(np.float64)).round().astype(np.int64)
    out = _total_diagnoses(m, avail, forced)
    for r in range(1, len(m.rows)):
        out += _quota_diagnoses(m, r, avail, forced)
    for f in m.families:
        out += _family_diagnoses(m, f, avail)
    return out


def _total_word(m: SelectionModel, side: str) -> str:
    return "total" if m.total_exact else f"total {side}"


def _total_diagnoses(m: SelectionModel, avail: np.ndarray, forced: np.ndarray) -> list[SelectionDiagnosis]:
    """The total against itself, the forced-in and the eligible."""
    out: list[SelectionDiagnosis] = []
    lo, hi = m.total_lo, m.total_hi
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
                f"{forced[0]} forced-in candidacies exceed the {_total_word(m, 'maximum')} {hi}",
                ("total:max",),
                tuple(np.array(m.ids, dtype=object)[m.forced_in]),
                {"forced_in": int(forced[0]), "total_max": hi},
            )
        )
    if avail[0] < lo:
        out.append(
            SelectionDiagnosis(
                "total_exceeds_available",
                f"{_total_word(m, 'minimum')} {lo} but only {avail[0]} eligible candidacies",
                ("total:min",),
                details={"total_min": lo, "available": int(avail[0])},
            )
        )
    return out


def _quota_diagnoses(
    m: SelectionModel, r: int, avail: np.ndarray, forced: np.ndarray
) -> list[SelectionDiagnosis]:
    """One quota row against itself, the eligible in it and the forced-in in it."""
    out: list[SelectionDiagnosis] = []
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
        members = m.item_row[row.family or ""] == r
        out.append(
            SelectionDiagnosis(
                "forced_exceeds_quota_max",
                f"{row.label}: {forced[r]} forced-in candidacies exceed its maximum {int(row.hi)}",
                (m.bound_key(r, "max"),),
                tuple(np.array(m.ids, dtype=object)[members & m.forced_in]),
                {"forced_in": int(forced[r]), "max": int(row.hi)},
            )
        )
    return out


def _family_diagnoses(m: SelectionModel, f: str, avail: np.ndarray) -> list[SelectionDiagnosis]:
    """One family's minimums cannot fit in the total, or its maximums leave too few to reach it."""
    out: list[SelectionDiagnosis] = []
    lo, hi = m.total_lo, m.total_hi
    rows = [r for r in range(1, len(m.rows)) if m.rows[r].family == f]
    sum_min = sum(m.rows[r].lo for r in rows)
    if sum_min > hi:
        out.append(
            SelectionDiagnosis(
                "family_min_sum_exceeds_total",
                f"sum of {f} minimums {sum_min} exceeds {_total_word(m, 'maximum')} {hi}",
                (*(m.bound_key(r, "min") for r in rows if m.rows[r].lo > 0), "total:max"),
                details={"sum_min": sum_min, "total_max": hi},
            )
        )
    # most that can be chosen while respecting this family's maxima
    quota_mask = np.zeros(m.n, dtype=bool)
    cap = 0
    for r in rows:
        quota_mask |= m.item_row[m.rows[r].family or ""] == r
        cap += int(min(m.rows[r].hi, avail[r]))
    cap += int((m.selectable & ~quota_mask).sum())
    if cap < lo:
        out.append(
            SelectionDiagnosis(
                "family_max_sum_below_total",
                f"at most {cap} candidacies can be chosen within the {f} maximums, "
                f"below the {_total_word(m, 'minimum')} {lo}",
                (*(m.bound_key(r, "max") for r in rows if np.isfinite(m.rows[r].hi)), "total:min"),
                details={"capacity": cap, "total_min": lo},
            )
        )
    return out


def diagnose(m: SelectionModel, cells: Cells, time_limit: float) -> list[SelectionDiagnosis]:
    """Named diagnoses, else the irreducible infeasible subset of the bounds (empty: feasible)."""
    out = named_diagnoses(m)
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
    m = SelectionModel(candidates, total, quotas, 4)
    return diagnose(m, Cells(m), time_limit)
