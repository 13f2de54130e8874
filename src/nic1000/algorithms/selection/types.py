"""What goes in and comes out of :func:`select`: candidacies, quotas, the ranking, explanations, diagnoses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple


@dataclass(frozen=True)
class SelectionCandidate:
    """One candidacy as the selection sees it: its final score, eligibility, quota groups, tie-break data."""

    id: Any  # str or int; all ids of one call should have the same type
    score: float
    eligible: bool = True
    groups: Mapping[str, str | None] = field(default_factory=dict)  # family → group (primary body)
    technology_score: float | None = None  # tie-break 2: higher first
    nominated_at: Any = None  # tie-break 3: earlier first (date, datetime, number or ISO string)
    forced: Literal["in", "out"] | None = None  # committee decision


@dataclass(frozen=True)
class GroupQuota:
    """Minimum and/or maximum number of selected candidacies in one group of a quota family."""

    family: str
    group: str
    min: int = 0
    max: int | None = None

    @property
    def label(self) -> str:
        return f"{self.family} '{self.group}'"


@dataclass(frozen=True)
class SelectionDiagnosis:
    """One reason why no selection exists, naming the bounds at fault."""

    code: str
    message: str
    constraints: tuple[str, ...] = ()  # keys such as "total:max", "body:MOTIE:min"
    candidacies: tuple[Any, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)


class SelectionInfeasible(Exception):
    """No selection satisfies the total and the quotas; ``diagnoses`` says why."""

    def __init__(self, diagnoses: list[SelectionDiagnosis]):
        self.diagnoses = diagnoses
        super().__init__("; ".join(d.message for d in diagnoses) or "selection infeasible")


class RankedCandidacy(NamedTuple):
    """A candidacy's place in the merit order and whether it was selected."""

    id: Any
    score: float
    merit_rank: int  # 1-based position in the canonical merit order (all candidacies)
    selected: bool
    selection_rank: int | None  # 1-based position among the selected (merit order)
    eligible: bool
    forced: str | None


@dataclass(frozen=True)
class Explanation:
    """Why one candidacy near the cut-off was included or excluded (``code`` see the package docstring)."""

    id: Any
    selected: bool
    code: str
    message: str
    constraints: tuple[str, ...] = ()
    merit_rank: int = 0
    score: float = 0.0


@dataclass
class SelectionResult:
    """The proven-optimal (or time-limited) selection with its ranking, bound and explanations."""

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
