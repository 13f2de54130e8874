from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.designations.models import Membership
from nic1000.monitoring import selectors
from nic1000.monitoring.services.removals import membership_remove
from tests.monitoring.factories import member, published_round


@pytest.mark.django_db
def test_removal_sets_the_membership_and_counts_a_vacancy(personas) -> None:
    published_round(1, published_at=timezone.now() - dt.timedelta(days=10))
    m = member(personas.company_a_obj, body="MSS")
    assert selectors.vacancies_for_next_round() == 0
    membership_remove(
        membership=m,
        reason="weak_marketability",
        note="half-yearly review",
        acting_user=personas.program_office,
    )
    m.refresh_from_db()
    assert m.status == Membership.Status.REMOVED and m.removal_reason == "weak_marketability"
    assert m.ended_on == timezone.localdate()
    assert selectors.vacancies_for_next_round() == 1
    assert selectors.vacancies_by_body_for_next_round() == {"MSS": 1}
    assert AuditEntry.objects.filter(action="membership.remove").count() == 1
    with pytest.raises(Conflict):
        membership_remove(
            membership=m, reason="going_concern", note="again", acting_user=personas.program_office
        )
    # A newer published round starts the count again.
    published_round(2, published_at=timezone.now() + dt.timedelta(seconds=1))
    assert selectors.vacancies_for_next_round() == 0


@pytest.mark.django_db
def test_removal_needs_the_programme_office_a_reason_and_a_note(personas) -> None:
    m = member(personas.company_a_obj)
    with pytest.raises(Forbidden):
        membership_remove(membership=m, reason="going_concern", note="x", acting_user=personas.support)
    with pytest.raises(ValidationFailed) as exc:
        membership_remove(membership=m, reason="bad", note=" ", acting_user=personas.program_office)
    assert {d.field for d in exc.value.details} == {"reason", "note"}
    m.refresh_from_db()
    assert m.status == "active"
