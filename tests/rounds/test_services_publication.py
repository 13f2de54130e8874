import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict
from nic1000.core.models import Notification, StateChange
from nic1000.designations.models import Membership
from nic1000.rounds.models import CommitteeDecision, Publication, PublishedSelection, Round
from nic1000.rounds.services.publication import round_publish
from tests.factories import UserFactory
from tests.rounds.factories import make_selecting_round


@pytest.mark.django_db
def test_publish_freezes_creates_memberships_and_notifies(personas) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, n=4, selected=2)
    selected = list(rnd.candidacies.filter(selected=True).order_by("rank"))
    rep = UserFactory(username="rep_sel", role="company", company=selected[0].company)
    pub = round_publish(round=rnd, acting_user=personas.program_office)
    rnd.refresh_from_db()
    assert rnd.state == "published" and rnd.published_at is not None
    assert pub.selected_count == 2
    assert list(PublishedSelection.objects.filter(round=rnd).values_list("company_id", flat=True)) == [
        c.company_id for c in selected
    ]
    assert Membership.objects.filter(round=rnd, status="active").count() == 2
    assert Notification.objects.filter(recipient=rep, kind="round.selected").count() == 1
    assert StateChange.objects.filter(object_type="rounds.round", to_state="published").count() == 1
    assert AuditEntry.objects.filter(action="publication.create").count() == 1
    row = PublishedSelection.objects.filter(round=rnd).first()
    row.company_name = "changed"
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()


@pytest.mark.django_db
def test_publishing_twice_gives_a_clear_error_and_one_publication(personas) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office)
    round_publish(round=rnd, acting_user=personas.program_office)
    audits = AuditEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        round_publish(round=Round.objects.get(pk=rnd.pk), acting_user=personas.program_office)
    assert exc.value.code == "already_published"
    assert Publication.objects.filter(round=rnd).count() == 1
    assert Membership.objects.filter(round=rnd).count() == 2
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_publication_is_unique_per_round_in_the_database(personas) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office)
    Publication.objects.create(
        round=rnd, published_by=personas.program_office, published_at=timezone.now(), selected_count=0
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Publication.objects.create(
            round=rnd, published_by=personas.program_office, published_at=timezone.now(), selected_count=0
        )


@pytest.mark.django_db
def test_no_publication_without_the_committee_decision(personas) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, decided=False)
    with pytest.raises(Conflict) as exc, translation.override("en"):
        round_publish(round=rnd, acting_user=personas.program_office)
    assert "committee" in exc.value.message
    assert not Publication.objects.exists() and not Membership.objects.exists()
    rnd.refresh_from_db()
    assert rnd.state == "selecting"


@pytest.mark.django_db(transaction=True)
def test_two_officers_publishing_at_the_same_moment(reference_data) -> None:
    """Two threads, two database connections: exactly one publication, the other gets a clear error.
    PostgreSQL only: SQLite's in-memory test database locks whole tables across connections."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a server database (run with DATABASE_URL=postgres://...)")
    po1 = UserFactory(username="po1", role="program_office")
    po2 = UserFactory(username="po2", role="program_office")
    rnd = make_selecting_round(acting_user=po1)
    assert CommitteeDecision.objects.filter(round=rnd).exists()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def publish(user) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            round_publish(round=Round.objects.get(pk=rnd.pk), acting_user=user)
            result = "ok"
        except Conflict as exc:
            result = exc.code
        except Exception as exc:
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=publish, args=(u,)) for u in (po1, po2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["already_published", "ok"], outcomes
    assert Publication.objects.filter(round=rnd).count() == 1
    assert Membership.objects.filter(round=rnd).count() == 2
    assert StateChange.objects.filter(object_type="rounds.round", to_state="published").count() == 1
