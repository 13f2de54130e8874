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
