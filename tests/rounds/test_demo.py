import pytest

from nic1000.rounds.models import Candidacy, Membership, Publication


@pytest.mark.django_db
def test_demo_stage_runs_a_whole_round(reference_data) -> None:
    from nic1000.demo.management.commands.demo import run_demo

    summary, _ctx = run_demo(
        seed=7, companies=300, fast=True, out=lambda line: None, stages=("registry", "rounds")
    )
    assert summary["candidacies"] == Candidacy.objects.count() == 60
    assert summary["evaluators"] == 12
    assert summary["reviews"] > 100
    assert summary["selected"] == 30 == Membership.objects.filter(status="active").count()
    assert Publication.objects.count() == 1
