"""Evaluator ↔ candidacy assignment as a min-cost flow (pure: numpy / scipy / OR-Tools, no Django).

Problem
-------
Given an affinity matrix ``A`` (n_candidacies × n_evaluators), choose pairs ``x_ce ∈ {0, 1}`` maximising
``Σ A_ce x_ce`` such that

* every candidacy *c* gets exactly ``k_c`` evaluators (``reviews_per_candidacy``, default 3);
* every evaluator *e* gets a load in ``[min_load_e, max_load_e]``;
* forbidden pairs (conflicts of interest, declared conflicts, manual removals) are never used;
* locked pairs (submitted reviews, manual assignments by the programme office) are always used.

Formulation
-----------
Locked pairs are set aside first: they reduce ``k_c``, ``min_load_e`` and ``max_load_e``.  The rest is a
min-cost flow solved to optimality with OR-Tools ``SimpleMinCostFlow`` (node-demand formulation for the
load lower bounds)::

    candidacy c   (supply k'_c)
      ──[cap 1, cost −round(A_ce · scale)]──▶ evaluator e   (demand min'_e)
      ──[cap max'_e − min'_e, cost 0]──▶ sink t   (demand Σk' − Σmin')

The constraint matrix is a bipartite incidence matrix (totally unimodular), so the flow optimum equals
the LP optimum and is integral.  Costs are integers (``scale`` = 10⁶ per unit of affinity by default), so
the reported objective can differ from the real-valued optimum by at most ``0.5 / scale`` per pair.

Scale and the bound
-------------------
For large instances (more than ``full_arcs_limit`` allowed pairs) only *candidate arcs* enter the flow:
each candidacy's top-N evaluators and each evaluator's top-M candidacies.  Optimality for the **full**
problem is then checked by LP duality: node potentials of the optimal restricted flow are computed by a
(vectorised) Bellman–Ford on its residual graph; every left-out arc with a negative reduced cost is added
and the flow re-solved (column generation) until none is left.  The evaluator potentials ``p_e`` also give
an honest upper bound for the full problem (Lagrangian relaxation of the load constraints, valid for
*any* ``p``)::

    bound(p) = Σ_locked A + Σ_c (sum of the k'_c largest A_ce − p_e over allowed e)
               + Σ_e (max'_e · max(p_e, 0) − min'_e · max(−p_e, 0))

``p = 0`` gives the simple bound "top-k non-conflicted affinities per candidacy, loads ignored" (reported as
``simple_bound``); the potentials of the optimal flow make the bound equal to the LP optimum of the full
problem, so ``gap`` is the true optimality gap (0 up to integer-cost rounding when ``status == "optimal"``).
If the restricted problem is infeasible, the arc set is widened automatically (×4 per step, up to all arcs).

Infeasibility
-------------
Infeasible instances raise :class:`AssignmentInfeasible` with a list of :class:`Diagnosis` items (code,
message, candidacy and evaluator indices).  Cheap counting checks come first (too few non-conflicted
evaluators for a candidacy, total reviews above total maximum load, sum of minimum loads above total
reviews, locked-pair problems …).  Group (Hall-type) deficits are then found with two max-flows whose
minimum cuts name a set of candidacies that together need more reviews than their non-conflicted
evaluators can take, or a set of evaluators whose minimum loads their candidacies cannot fill.  By
Hoffman's circulation theorem these two kinds of cut, plus the counting checks, cover every way this
problem can be infeasible.

Layout: ``types.py`` (results and diagnoses), ``problem.py`` (validated instance), ``diagnosis.py``,
``flow.py`` (min-cost flow, potentials, bound), ``solve.py`` (:func:`assign`).
"""

from nic1000.algorithms.assignment.diagnosis import diagnose_assignment
from nic1000.algorithms.assignment.flow import lagrangian_bound
from nic1000.algorithms.assignment.solve import assign
from nic1000.algorithms.assignment.types import (
    AssignedPair,
    AssignmentInfeasible,
    AssignmentResult,
    Diagnosis,
)

__all__ = [
    "AssignedPair",
    "AssignmentInfeasible",
    "AssignmentResult",
    "Diagnosis",
    "assign",
    "diagnose_assignment",
    "lagrangian_bound",
]
