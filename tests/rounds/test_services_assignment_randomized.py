"""The randomised assignment as a round setting: the run recorded (mode, cap, seed, expected affinity against
the deterministic optimum), the same seed drawing the same assignment, and a cap too small diagnosed."""

from collections import Counter

import pytest

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import ValidationFailed
from nic1000.rounds.models import Assignment, AssignmentRun, Conflict, RoundSettings
from nic1000.rounds.services.assignment import assignment_solve
from nic1000.rounds.services.setup import round_settings_update
from tests.factories import CompanyFactory, CoreTechnologyFactory
from tests.rounds.factories import make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):  # type: ignore[no-untyped-def]
    rnd = make_round(
        acting_user=personas.program_office, state="nominating", load_max=6, reviews_per_candidacy=2
    )
    cands = []
    for i in range(6):
        company = CompanyFactory(name_ko=f"반도체기업{i}")
        CoreTechnologyFactory(
            company=company, name="AI 반도체", keywords="NPU, 반도체" if i % 2 else "배터리"
        )
        cands.append(make_candidacy(rnd, company=company))
    keywords = ["반도체 NPU", "배터리", "반도체", "AI", "NPU 배터리", "소재"]
    evals = [make_evaluator(f"ev{i}", keywords=kw) for i, kw in enumerate(keywords)]
    round_settings_update(
        round=rnd, acting_user=personas.program_office, assignment_mode="randomized", probability_cap=0.5
    )
    return rnd, cands, evals


def _active(rnd):  # type: ignore[no-untyped-def]
    return sorted(
        Assignment.objects.filter(round=rnd, active=True).values_list("candidacy_id", "evaluator_id")
    )


def test_randomised_solve_records_the_run_and_keeps_the_constraints(personas, world) -> None:
    rnd, cands, _evals = world
    outcome = assignment_solve(round=rnd, acting_user=personas.program_office, seed=7)
    pairs = _active(rnd)
    assert Counter(c for c, _ in pairs) == {c.pk: 2 for c in cands}
    assert max(Counter(e for _, e in pairs).values()) <= 6
    run = AssignmentRun.objects.get(round=rnd)
    assert outcome.run == run
    assert (run.mode, run.probability_cap, run.seed, run.pairs) == ("randomized", 0.5, 7, 12)
    assert 0 < run.expected_affinity <= run.optimum + 1e-9
    assert run.ratio == pytest.approx(run.expected_affinity / run.optimum)
    assert run.drawn_affinity == pytest.approx(outcome.total_affinity)
    entry = AuditEntry.objects.filter(action="assignment.solve").latest("seq")
    assert entry.changes["seed"]["after"] == 7
    assert entry.changes["mode"]["after"] == "randomized"
    assert entry.changes["probability_cap"]["after"] == 0.5
    assert entry.changes["deterministic_optimum"]["after"] == pytest.approx(run.optimum, abs=1e-4)


def test_the_same_seed_draws_the_same_assignment_and_others_differ(personas, world) -> None:
    rnd, _cands, _evals = world
    assignment_solve(round=rnd, acting_user=personas.program_office, seed=123)
    first = _active(rnd)
    draws = set()
    for seed in range(1, 9):
        assignment_solve(round=rnd, acting_user=personas.program_office, seed=seed)
        draws.add(tuple(_active(rnd)))
    assignment_solve(round=rnd, acting_user=personas.program_office, seed=123)
    assert _active(rnd) == first
    assert len(draws) > 1  # randomised: no evaluator can count on a company


def test_a_seed_is_chosen_and_recorded_when_none_is_given(personas, world) -> None:
    rnd, _cands, _evals = world
    assignment_solve(round=rnd, acting_user=personas.program_office)
    run = AssignmentRun.objects.get(round=rnd)
    assert run.seed is not None
    pairs = _active(rnd)
    assignment_solve(round=rnd, acting_user=personas.program_office, seed=run.seed)
    assert _active(rnd) == pairs


def test_deterministic_mode_records_the_optimum(personas, world) -> None:
    rnd, _cands, _evals = world
    RoundSettings.objects.filter(round=rnd).update(assignment_mode="deterministic")
    assignment_solve(round=rnd, acting_user=personas.program_office)
    run = AssignmentRun.objects.get(round=rnd)
    assert run.mode == "deterministic" and run.seed is None and run.probability_cap is None
    assert run.ratio == 1.0 and run.drawn_affinity == pytest.approx(run.optimum)


def test_a_cap_too_small_for_the_loads_is_diagnosed_and_nothing_is_written(personas, world) -> None:
    rnd, cands, evals = world
    for e in evals[:3]:  # candidacy 0 keeps three evaluators: 0.5 · 3 = 1.5 < 2
        Conflict.objects.create(
            candidacy=cands[0], evaluator=e, source="declared", kind="declared", created_at=rnd.created_at
        )
    with pytest.raises(ValidationFailed) as exc:
        assignment_solve(round=rnd, acting_user=personas.program_office, seed=1)
    assert exc.value.code == "probability_cap_infeasible"
    detail = exc.value.details[0]
    assert detail.code == "cap_too_small" and detail.field == cands[0].company.name_ko
    assert "0.5·3" in detail.message and detail.code == "cap_too_small"
    assert not Assignment.objects.exists() and not AssignmentRun.objects.exists()
    # without the cap the same round is fine
    RoundSettings.objects.filter(round=rnd).update(assignment_mode="deterministic")
    assignment_solve(round=rnd, acting_user=personas.program_office)
    assert len(_active(rnd)) == 12


def test_the_cap_must_be_between_0_01_and_1(personas, world) -> None:
    rnd, _cands, _evals = world
    with pytest.raises(ValidationFailed) as exc:
        round_settings_update(round=rnd, acting_user=personas.program_office, probability_cap=0)
    assert any(d.field == "probability_cap" for d in exc.value.details)
    assert RoundSettings.objects.get(round=rnd).probability_cap == 0.5


def test_the_assignment_page_shows_the_run(personas, world) -> None:
    from django.test import Client
    from django.urls import reverse

    rnd, _cands, _evals = world
    assignment_solve(round=rnd, acting_user=personas.program_office, seed=4242)
    run = AssignmentRun.objects.get(round=rnd)
    client = Client()
    client.force_login(personas.program_office)
    page = client.get(reverse("rounds:assignments", args=[rnd.pk])).content.decode()
    panel = page.split('data-testid="assignment-run"')[1].split("</section>")[0]
    assert "4242" in panel and run.ratio_percent in panel and f"{run.optimum:.3f}" in panel
    assert 'data-testid="assignment-mode"' in page
