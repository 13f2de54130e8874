from __future__ import annotations

import pytest

from nic1000.core.models import Notification
from nic1000.monitoring.services.chasing import statements_chase
from tests.factories import UserFactory
from tests.monitoring.factories import member, statements


@pytest.mark.django_db
def test_missing_statements_are_chased_once_per_company_and_year(personas) -> None:
    member(personas.company_a_obj)
    member(personas.company_b_obj)
    statements(personas.company_b_obj, [2025])
    second_rep = UserFactory(username="rep_a2", role="company", company=personas.company_a_obj)
    assert statements_chase(fiscal_year=2025) == 1
    assert statements_chase(fiscal_year=2025) == 1  # asked again: no new notification
    notes = Notification.objects.filter(kind="statement_missing")
    assert sorted(n.recipient.username for n in notes) == sorted(["rep_a", second_rep.username])
    assert {n.dedupe_key for n in notes} == {f"statement-missing:{personas.company_a_obj.pk}:2025"}
    statements_chase(fiscal_year=2026)
    assert Notification.objects.filter(kind="statement_missing").count() == 5  # 2 + (2 + 1) for 2026
