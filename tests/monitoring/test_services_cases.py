from __future__ import annotations

import pytest

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.core.models import StateChange
from nic1000.monitoring import selectors
from nic1000.monitoring.models import CaseAction
from nic1000.monitoring.services import cases
from nic1000.registry.models import Institution


@pytest.mark.django_db
def test_case_workflow_with_owner_actions_and_history(personas) -> None:
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
