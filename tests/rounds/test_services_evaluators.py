"""The evaluator pool: profiles, declared relationships, and who may change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Forbidden
from nic1000.rounds.models import EvaluatorProfile, EvaluatorRelationship
from nic1000.rounds.services.evaluators import evaluator_profile_save, evaluator_relationship_add
from tests.factories import CompanyFactory
from tests.rounds.factories import make_evaluator

pytestmark = pytest.mark.django_db


def test_saving_a_deactivated_evaluators_profile_keeps_them_out_of_the_pool(personas: Any) -> None:
    po = personas.program_office
    profile = evaluator_profile_save(user=personas.evaluator, acting_user=po, keywords="반도체")
    assert profile.active  # a new profile joins the pool
    evaluator_profile_save(user=personas.evaluator, acting_user=po, keywords="반도체", active=False)
    # The evaluator updates their expertise on their own page, which has no "active" field.
    client = Client()
    client.force_login(personas.evaluator)
    r = client.post("/rounds/me/profile/", {"affiliation": "KAIST", "ksic_sections": "C", "keywords": "NPU"})
    assert r.status_code == 302
    profile.refresh_from_db()
    assert profile.keywords == "NPU" and profile.active is False
    # So does the programme office, and the profile stays inactive too.
    evaluator_profile_save(user=personas.evaluator, acting_user=po, keywords="NPU, 반도체")
    profile.refresh_from_db()
    assert profile.active is False
    assert evaluator_profile_save(user=personas.evaluator, acting_user=po, active=True).active


def test_only_the_office_or_the_evaluator_themself_change_a_profile(personas: Any) -> None:
    make_evaluator("mine", user=personas.evaluator)
    with pytest.raises(Forbidden):
        evaluator_profile_save(user=personas.evaluator, acting_user=personas.evaluator2, keywords="x")
    with pytest.raises(Forbidden):
        evaluator_profile_save(user=personas.evaluator, acting_user=personas.auditor, keywords="x")
    profile = EvaluatorProfile.objects.get(user=personas.evaluator)
    with pytest.raises(Forbidden):
        evaluator_relationship_add(
            evaluator=profile, company=CompanyFactory(), kind="advisory", acting_user=personas.evaluator2
        )
    rel = evaluator_relationship_add(
        evaluator=profile, company=CompanyFactory(), kind="advisory", acting_user=personas.evaluator
    )
    assert rel.evaluator == profile
    assert AuditEntry.objects.filter(action="evaluator.relationship_add").count() == 1


def test_profile_and_relationship_are_two_forms_on_two_addresses(personas: Any) -> None:
    client = Client()
    client.force_login(personas.evaluator)
    company = CompanyFactory(name_ko="자문했던기업")
    page = client.get("/rounds/me/profile/").content.decode()
    assert 'action="/rounds/me/profile/"' in page and 'action="/rounds/me/profile/relationships/"' in page
    # Without a profile there is nothing to attach a relationship to.
    r = client.post("/rounds/me/profile/relationships/", {"brn": company.brn, "kind": "advisory"})
    assert r.status_code == 422 and not EvaluatorRelationship.objects.exists()
    client.post("/rounds/me/profile/", {"keywords": "반도체"})
    r = client.post("/rounds/me/profile/relationships/", {"brn": company.brn, "kind": "advisory"})
    assert r.status_code == 302
    assert EvaluatorRelationship.objects.get().company == company
    r = client.post("/rounds/me/profile/relationships/", {"brn": "1234567890", "kind": "advisory"})
    assert r.status_code == 422 and 'data-testid="relationship"' in r.content.decode()
    # The programme office declares one for an evaluator on the evaluator's page.
    office = Client()
    office.force_login(personas.program_office)
    url = f"/rounds/evaluators/{personas.evaluator.pk}/relationships/"
    assert office.post(url, {"brn": CompanyFactory().brn, "kind": "family"}).status_code == 302
    assert EvaluatorRelationship.objects.count() == 2
