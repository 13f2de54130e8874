from collections import Counter

import pytest

from nic1000.core.errors import ValidationFailed
from nic1000.rounds.models import Assignment, Conflict, EvaluatorRelationship, RoundSettings
from nic1000.rounds.services.assignment import assignment_change, assignment_solve
from nic1000.rounds.services.evaluators import conflict_declare
from tests.factories import CompanyFactory, CoreTechnologyFactory
from tests.rounds.factories import make_candidacy, make_evaluator, make_round, submit_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):  # type: ignore[no-untyped-def]
    rnd = make_round(acting_user=personas.program_office, state="nominating", load_max=4)
    cands = []
    for i in range(4):
        company = CompanyFactory(name_ko=f"반도체기업{i}")
        CoreTechnologyFactory(company=company, name="AI 반도체", keywords="NPU, 반도체")
        cands.append(make_candidacy(rnd, company=company))
    evals = [make_evaluator("ev_po", user=personas.evaluator)] + [make_evaluator(f"ev{i}") for i in range(4)]
    return rnd, cands, evals


def _active(rnd):  # type: ignore[no-untyped-def]
    return set(Assignment.objects.filter(round=rnd, active=True).values_list("candidacy_id", "evaluator_id"))


def test_every_candidacy_gets_k_and_loads_hold_and_conflicts_are_never_assigned(personas, world) -> None:
    rnd, cands, evals = world
    EvaluatorRelationship.objects.create(evaluator=evals[1], company=cands[0].company, kind="shareholding")
    evals[2].affiliation = "반도체기업1"  # works at the company: detected
    evals[2].save()
    outcome = assignment_solve(round=rnd, acting_user=personas.program_office)
    pairs = _active(rnd)
    assert outcome.added == 12 and len(pairs) == 12
    assert Counter(c for c, _ in pairs) == {c.pk: 3 for c in cands}
    assert max(Counter(e for _, e in pairs).values()) <= 4
    assert (cands[0].pk, evals[1].pk) not in pairs
    assert (cands[1].pk, evals[2].pk) not in pairs
    kinds = set(Conflict.objects.values_list("kind", flat=True))
    assert {"shareholding", "affiliation"} <= kinds


def test_infeasible_assignment_is_diagnosed_by_candidacy(personas, world) -> None:
    rnd, cands, evals = world
    for e in evals[2:]:
        Conflict.objects.create(
            candidacy=cands[3], evaluator=e, source="declared", kind="declared", created_at=rnd.created_at
        )
    with pytest.raises(ValidationFailed) as exc:
        assignment_solve(round=rnd, acting_user=personas.program_office)
    assert exc.value.code == "assignment_infeasible"
    assert any(d.field and cands[3].company.name_ko in d.field for d in exc.value.details)
    assert not Assignment.objects.exists()


def test_resolve_keeps_submitted_reviews_and_declared_conflict_is_replaced(personas, world) -> None:
    rnd, _cands, evals = world
    assignment_solve(round=rnd, acting_user=personas.program_office)
    rnd.state = "evaluating"
    rnd.save()
    mine = list(Assignment.objects.filter(round=rnd, active=True, evaluator=evals[0]))
    assert mine
    submitted = submit_review(mine[0], total=70.0)
    # Loosen loads so a re-solve could move things around; the submitted pair must stay.
    RoundSettings.objects.filter(round=rnd).update(load_max=12)
    assignment_solve(round=rnd, acting_user=personas.program_office)
    assert Assignment.objects.get(pk=submitted.assignment_id).active
    target = (
        Assignment.objects.filter(round=rnd, active=True, evaluator=evals[0])
        .exclude(pk=submitted.assignment_id)
        .first()
    )
    if target is None:
        target = Assignment.objects.filter(round=rnd, active=True).exclude(evaluator=evals[0]).first()
        user = target.evaluator.user
    else:
        user = personas.evaluator
    conflict, added = conflict_declare(assignment=target, reason="전 직장", acting_user=user)
    target.refresh_from_db()
    assert not target.active and conflict.source == "declared"
    assert added == 1
    pairs = _active(rnd)
    assert (target.candidacy_id, target.evaluator_id) not in pairs
    assert Counter(c for c, _ in pairs)[target.candidacy_id] == 3


def test_manual_change_needs_a_reason_and_refuses_conflicted_pairs(personas, world) -> None:
    rnd, cands, evals = world
    with pytest.raises(ValidationFailed):
        assignment_change(
            round=rnd,
            candidacy=cands[0],
            add_evaluator=evals[0],
            reason="",
            acting_user=personas.program_office,
        )
    Conflict.objects.create(
        candidacy=cands[0], evaluator=evals[1], source="declared", kind="declared", created_at=rnd.created_at
    )
    with pytest.raises(ValidationFailed) as exc:
        assignment_change(
            round=rnd,
            candidacy=cands[0],
            add_evaluator=evals[1],
            reason="전문성",
            acting_user=personas.program_office,
        )
    assert exc.value.code == "conflicted_pair"
    a = assignment_change(
        round=rnd,
        candidacy=cands[0],
        add_evaluator=evals[0],
        reason="전문성",
        acting_user=personas.program_office,
    )
    assert a.source == "manual"
    assignment_solve(round=rnd, acting_user=personas.program_office)
    a.refresh_from_db()
    assert a.active  # pairs set by hand survive a re-solve
