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

Layout: ``types.py`` (inputs and results), ``model.py`` (merit order and quota rows), ``cells.py``,
``diagnosis.py``, ``solve.py`` (:func:`select`), ``explain.py``.
"""

from nic1000.algorithms.selection.diagnosis import diagnose_selection
from nic1000.algorithms.selection.solve import select
from nic1000.algorithms.selection.types import (
    Explanation,
    GroupQuota,
    RankedCandidacy,
    SelectionCandidate,
    SelectionDiagnosis,
    SelectionInfeasible,
    SelectionResult,
)

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
