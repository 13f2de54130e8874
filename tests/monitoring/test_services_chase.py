from __future__ import annotations

import pytest

from nic1000.core.models import Notification
from nic1000.monitoring.services.chasing import statements_chase
from tests.factories import UserFactory
from tests.monitoring.factories import member, statements
from tests.told import assert_not_told, assert_told


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


def test_statements_count_only_after_their_due_month_and_grace(settings) -> None:
    """Fiscal year 2025 is due by the end of April 2026: an April inspection judges 2024, reminders ask for 2025."""
    from nic1000.monitoring.periods import due_fiscal_year, expected_fiscal_year

    assert [expected_fiscal_year(f"2026-{m:02d}") for m in (1, 3, 4, 5, 12)] == [2024, 2024, 2024, 2025, 2025]
    assert [due_fiscal_year(f"2026-{m:02d}") for m in (1, 3, 4, 5, 12)] == [2024, 2024, 2025, 2025, 2025]
    settings.NIC1000_MONITORING_RULES = {"statement_grace_months": 2}
    assert [expected_fiscal_year(f"2026-{m:02d}") for m in (5, 6, 7)] == [2024, 2024, 2025]


@pytest.mark.django_db
def test_an_april_inspection_reminds_first_and_does_not_warn(personas, reference_data) -> None:
    """The April run that once raised every company to a warning: last year's statements are not due yet, so
    a company with the year before is judged on it, and its representative is reminded of the coming year."""
    from nic1000.monitoring.models import InspectionResult
    from nic1000.monitoring.services import inspections

    member(personas.company_a_obj)
    statements(personas.company_a_obj, [2023, 2024])
    inspections.inspection_run(period="2026-04", acting_user=None)
    april = InspectionResult.objects.get(company=personas.company_a_obj, period="2026-04")
    assert "missed_submission" not in april.rules and april.fiscal_year == 2024
    # In the due month it is a reminder (due by the end of April), not an overdue notice.
    reminder = assert_told(personas.company_a, "monitoring.statement_due", year=2025, due="2026-04-30")
    assert reminder.dedupe_key == f"statement-due:{personas.company_a_obj.pk}:2025"
    assert_not_told(personas.company_a, "statement_missing")
    # After the due month the missing year is a signal and the company is chased, once.
    inspections.inspection_run(period="2026-05", acting_user=None)
    may = InspectionResult.objects.get(company=personas.company_a_obj, period="2026-05")
    assert "missed_submission" in may.rules
    assert_told(personas.company_a, "statement_missing", year=2025)
    inspections.inspection_run(period="2026-06", acting_user=None)
    assert Notification.objects.filter(kind="statement_missing", recipient=personas.company_a).count() == 1
    assert (
        Notification.objects.filter(kind="monitoring.statement_due", recipient=personas.company_a).count()
        == 1
    )
