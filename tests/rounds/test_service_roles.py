"""The services check the acting user's role themselves (`require_role`), whatever page or API calls them.
(Round transitions check the roles their workflow declares: test_services_setup.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from nic1000.core.errors import Forbidden
from nic1000.rounds.services.assignment import assignment_fill_gaps, assignment_solve
from nic1000.rounds.services.publication import round_publish
from nic1000.rounds.services.reviews import assignment_open, review_save
from nic1000.rounds.services.selection import (
    candidacy_force,
    committee_decision_withdraw,
    scores_aggregate,
    selection_run,
)
from nic1000.rounds.services.setup import criteria_set, quotas_set
from tests.rounds.factories import make_assignment, make_evaluator, make_selecting_round

pytestmark = pytest.mark.django_db

OFFICE_ONLY: dict[str, Callable[[Any, Any], object]] = {
    "quotas_set": lambda rnd, user: quotas_set(round=rnd, rows=[], acting_user=user),
    "criteria_set": lambda rnd, user: criteria_set(round=rnd, items=[], acting_user=user),
    "assignment_solve": lambda rnd, user: assignment_solve(round=rnd, acting_user=user),
    "scores_aggregate": lambda rnd, user: scores_aggregate(round=rnd, acting_user=user),
    "selection_run": lambda rnd, user: selection_run(round=rnd, acting_user=user),
    "candidacy_force": lambda rnd, user: candidacy_force(
        candidacy=rnd.candidacies.first(), forced="in", reason="위원회", acting_user=user
    ),
    "committee_decision_withdraw": lambda rnd, user: committee_decision_withdraw(
        round=rnd, reason="재심의", acting_user=user
    ),
    "round_publish": lambda rnd, user: round_publish(round=rnd, acting_user=user),
}


@pytest.mark.parametrize("service", sorted(OFFICE_ONLY))
@pytest.mark.parametrize("role", ["auditor", "ministry_mss", "evaluator"])
def test_office_services_refuse_other_roles(personas: Any, service: str, role: str) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office)
    with pytest.raises(Forbidden):
        OFFICE_ONLY[service](rnd, getattr(personas, role))


def test_evaluator_services_refuse_the_office_and_other_evaluators(personas: Any) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office)
    a = make_assignment(rnd.candidacies.first(), make_evaluator("me", user=personas.evaluator))
    for user in (personas.program_office, personas.evaluator2):
        with pytest.raises(Forbidden):
            assignment_open(assignment=a, acting_user=user)
        with pytest.raises(Forbidden):
            review_save(assignment=a, scores={}, acting_user=user)
    with pytest.raises(Forbidden):
        assignment_fill_gaps(round=rnd, acting_user=personas.ministry_mss)
