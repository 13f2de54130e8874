import pytest

from nic1000.designations.models import Membership
from nic1000.rounds.models import Candidacy, Publication


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
    # decision quality (issue 16): alpha, flags on at most a tenth, the agenda and the leniency preview
    assert 0.0 < summary["alpha"] < 1.0
    assert summary["disagreement_flags"] <= 0.10 * summary["candidacies"]
    assert summary["uncertain_at_cutoff"] >= 0 and summary["leniency_changes"] >= 0
    # Replayed as held months ago (so finance and monitoring have history after it); the audit trail keeps
    # the wall clock.
    import datetime as dt

    from django.utils import timezone

    from nic1000.audit.models import AuditEntry

    publication = Publication.objects.get()
    age = timezone.now() - publication.published_at
    assert dt.timedelta(days=200) < age < dt.timedelta(days=365)
    assert {m.selected_on for m in Membership.objects.all()} == {timezone.localdate(publication.published_at)}
    published = AuditEntry.objects.filter(action__startswith="round.publish").latest("seq")
    assert timezone.now() - published.at < dt.timedelta(hours=1)


def test_round_size_is_round_three_at_full_size_and_feasible_below() -> None:
    from nic1000.demo.stages.rounds import FAST, FULL, REVIEWS_PER_CANDIDACY, round_size

    assert round_size(companies=2000, nominable=1980, fast=False) == FULL
    assert round_size(companies=5000, nominable=4950, fast=False) == FULL
    assert round_size(companies=300, nominable=297, fast=True) == FAST
    for companies in range(100, 2001, 50):
        for fast in (False, True):
            size = round_size(companies=companies, nominable=companies * 99 // 100, fast=fast)
            reviews = REVIEWS_PER_CANDIDACY * size.candidacies
            # Every evaluator can reach the minimum load and together they can do every review, with the
            # full round's room (a fifth) to replace evaluators who declare a conflict.
            assert size.evaluators * size.load_min <= reviews // 2
            assert size.evaluators * size.load_max >= reviews * 6 // 5
            assert size.evaluators > REVIEWS_PER_CANDIDACY
            assert 0 < size.selected < size.candidacies


@pytest.mark.django_db
def test_a_small_registry_gets_a_round_it_can_fill(reference_data) -> None:  # type: ignore[no-untyped-def]
    from nic1000.demo.management.commands.demo import run_demo

    summary, _ctx = run_demo(
        seed=3, companies=200, fast=False, out=lambda line: None, stages=("registry", "rounds")
    )
    assert summary["candidacies"] == 60 and summary["evaluators"] == 15
    assert summary["selected"] == 32 == Membership.objects.filter(status="active").count()
