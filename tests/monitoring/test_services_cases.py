from __future__ import annotations

import pytest

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.core.models import StateChange
from nic1000.monitoring import selectors
from nic1000.monitoring.models import CaseAction
from nic1000.monitoring.services import cases
from nic1000.registry.models import Institution
from tests.monitoring.factories import member


@pytest.mark.django_db
def test_case_workflow_with_owner_actions_and_history(personas) -> None:
    member(personas.company_a_obj)
    case = cases.case_open(company=personas.company_a_obj, level="warning", acting_user=personas.support)
    with pytest.raises(Conflict):
        cases.case_open(company=personas.company_a_obj, level="warning", acting_user=personas.support)
    cases.case_assign(case=case, owner=personas.support, due_on=None, acting_user=personas.support)
    cases.case_action_add(
        case=case, kind=CaseAction.Kind.CONTACT, note="called the CEO", acting_user=personas.support
    )
    cases.case_transition(case=case, transition="start", reason="", acting_user=personas.support)
    cases.case_action_add(
        case=case,
        kind=CaseAction.Kind.MATURITY_EXTENSION,
        note="asked KDB",
        institution=Institution.objects.get(code="KDB"),
        acting_user=personas.support,
    )
    with pytest.raises(ValidationFailed):  # resolving needs a reason
        cases.case_transition(case=case, transition="resolve", reason="", acting_user=personas.support)
    cases.case_transition(case=case, transition="resolve", reason="extended", acting_user=personas.support)
    case.refresh_from_db()
    assert case.state == "resolved" and case.owner == personas.support
    history = selectors.case_history(case=case)
    assert [h["kind"] for h in history] == ["contact", "state", "maturity_extension", "state"]
    assert StateChange.objects.filter(object_type="monitoring.supportcase").count() == 2
    assert AuditEntry.objects.filter(action__startswith="support_case").count() >= 5
    # A resolved case frees the company for a new one.
    cases.case_open(company=personas.company_a_obj, level="critical", acting_user=personas.support)


@pytest.mark.django_db
def test_only_the_group_works_on_cases(personas) -> None:
    member(personas.company_a_obj)
    case = cases.case_open(
        company=personas.company_a_obj, level="warning", acting_user=personas.program_office
    )
    for user in (personas.auditor, personas.ministry_mss, personas.company_a):
        with pytest.raises(Forbidden):
            cases.case_action_add(case=case, kind="contact", note="x", acting_user=user)
        with pytest.raises(Forbidden):
            cases.case_transition(case=case, transition="start", reason="", acting_user=user)
    with pytest.raises(ValidationFailed):
        cases.case_assign(case=case, owner=personas.company_a, due_on=None, acting_user=personas.support)


@pytest.mark.django_db
def test_an_inspection_opens_cases_by_the_same_rule_as_a_person(personas) -> None:
    import datetime as dt

    from django.utils import timezone

    from nic1000.audit.models import AuditEntry
    from nic1000.monitoring.models import InspectionResult, SupportCase
    from nic1000.monitoring.services.inspections import inspection_run
    from tests.monitoring.factories import distressed, statements

    by_hand = member(personas.company_a_obj)
    statements(by_hand.company, {2024: {}, 2025: distressed()})
    cases.case_open(company=by_hand.company, level="watch", acting_user=personas.support)
    inspected = member(personas.company_b_obj)
    statements(inspected.company, {2024: {}, 2025: distressed()})
    inspection_run(period="2026-05", acting_user=None, explain=False)
    # The company with an active case gets no second one; the other gets one pointing at its result.
    assert SupportCase.objects.filter(company=by_hand.company).count() == 1
    result = InspectionResult.objects.get(company=inspected.company, period="2026-05")
    case = SupportCase.objects.get(company=inspected.company)
    assert (case.opened_from_id, case.membership_id, case.level, case.state) == (
        result.pk, inspected.pk, result.level, "open",
    )  # fmt: skip
    assert case.summary == f"inspection 2026-05: {result.level}"
    assert case.due_on == timezone.localdate() + dt.timedelta(days=14)
    assert abs((timezone.now() - case.opened_at).total_seconds()) < 60
    hand = SupportCase.objects.get(company=by_hand.company)
    assert hand.membership_id == by_hand.pk and hand.due_on == case.due_on
    entries = {e.object_id: e for e in AuditEntry.objects.filter(action="support_case.open").order_by("seq")}
    assert set(entries) == {str(hand.pk), str(case.pk)}
    for c in (hand, case):
        changes = entries[str(c.pk)].changes
        assert changes["company_id"]["after"] == c.company_id
        assert changes["membership_id"]["after"] == c.membership_id
        assert changes["state"]["after"] == "open" and changes["level"]["after"] == c.level
    assert entries[str(case.pk)].reason == "inspection 2026-05"


@pytest.mark.django_db
def test_a_case_opened_by_hand_tells_the_group_and_the_company(personas) -> None:
    import datetime as dt

    from django.utils import timezone

    from tests.factories import UserFactory
    from tests.told import assert_not_told, assert_told

    colleague = UserFactory(username="support2", role="support_group")
    member(personas.company_a_obj)
    due = timezone.localdate() + dt.timedelta(days=5)
    case = cases.case_open(
        company=personas.company_a_obj, level="critical", summary="CEO called: payroll at risk", due_on=due,
        acting_user=personas.support,
    )  # fmt: skip
    assert (case.level, case.due_on, case.summary, case.state) == (
        "critical",
        due,
        "CEO called: payroll at risk",
        "open",
    )
    assert AuditEntry.objects.filter(action="support_case.open", object_id=str(case.pk)).exists()
    assert_told(colleague, "monitoring.case_opened", case=case.pk)
    assert_not_told(personas.support, "monitoring.case_opened")  # who opened it knows
    told = assert_told(personas.company_a, "monitoring.case_opened", case=case.pk)
    assert (
        "critical" not in str(told.params) and told.link == "/monitoring/surveys/"
    )  # the level stays internal
    # Assigning tells the new owner (not whoever assigns to themself), once per change.
    cases.case_assign(case=case, owner=colleague, due_on=due, acting_user=personas.support)
    assert_told(colleague, "monitoring.case_assigned", case=case.pk)
    cases.case_assign(case=case, owner=colleague, due_on=due, acting_user=personas.support)
    assert len(told_of(colleague, "monitoring.case_assigned")) == 1


def told_of(user, kind):  # type: ignore[no-untyped-def]
    from tests.told import told

    return told(user, kind)


@pytest.mark.django_db
def test_opening_by_hand_refuses_bad_input_and_changes_nothing(personas) -> None:
    import datetime as dt

    from django.utils import timezone

    from nic1000.core.models import Notification
    from nic1000.monitoring.models import SupportCase

    # Not designated.
    with pytest.raises(ValidationFailed) as refused:
        cases.case_open(
            company=personas.company_b_obj, level="warning", summary="x", acting_user=personas.support
        )
    assert refused.value.code == "not_designated" and refused.value.details[0].field == "company"
    member(personas.company_a_obj)
    # A due date in the past, an unknown level.
    with pytest.raises(ValidationFailed) as refused:
        cases.case_open(
            company=personas.company_a_obj, level="bogus", summary="x",
            due_on=timezone.localdate() - dt.timedelta(days=1), acting_user=personas.support,
        )  # fmt: skip
    assert {d.field for d in refused.value.details} == {"level", "due_on"}
    # Another role.
    for user in (personas.auditor, personas.ministry_mss, personas.company_a, personas.institution_kdb):
        with pytest.raises(Forbidden):
            cases.case_open(company=personas.company_a_obj, level="warning", summary="x", acting_user=user)
    assert not SupportCase.objects.exists() and not Notification.objects.exists()
    # A second open case.
    cases.case_open(
        company=personas.company_a_obj, level="warning", summary="x", acting_user=personas.support
    )
    with pytest.raises(Conflict) as refused:
        cases.case_open(
            company=personas.company_a_obj, level="critical", summary="y", acting_user=personas.support
        )
    assert refused.value.code == "case_exists"
    assert SupportCase.objects.count() == 1
