"""A company edits its own record: the profile, patents and core technologies. Field rules as the importer,
audited with before/after, shown as the record's history, the nominating body's officers told; another
company's record is not found, bad values re-render the form and change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Forbidden, NotFound, ValidationFailed
from nic1000.registry import profile
from nic1000.registry.models import CoreTechnology, Patent
from nic1000.registry.selectors import company_history
from tests.factories import CoreTechnologyFactory, PatentFactory
from tests.monitoring.factories import member
from tests.told import assert_not_told, assert_told

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


PATENT = {
    "application_number": "10-2024-0001234",
    "title": "저전력 NPU 설계",
    "filed_on": "2024-01-10",
    "granted_on": "",
    "claims": "12",
}


def test_profile_update_audited_and_the_nominating_officers_told(personas: Any) -> None:
    p = personas
    member(p.company_a_obj, body="MSS")
    company = profile.company_profile_update(
        company=p.company_a_obj, acting_user=p.company_a, name_ko="에이테크놀로지", employees="120"
    )
    assert company.name_ko == "에이테크놀로지" and company.employees == 120
    entry = AuditEntry.objects.filter(action="company.update").get()
    assert entry.changes["name_ko"] == {"before": "에이테크", "after": "에이테크놀로지"}
    assert_told(p.ministry_mss, "registry.profile_changed", company="에이테크놀로지")
    assert_not_told(p.ministry_motie, "registry.profile_changed")


def test_profile_update_keeps_the_brn(personas: Any) -> None:
    brn = personas.company_a_obj.brn
    with pytest.raises(Forbidden):
        profile.company_profile_update(
            company=personas.company_a_obj, acting_user=personas.company_a, brn="2208162517"
        )
    personas.company_a_obj.refresh_from_db()
    assert personas.company_a_obj.brn == brn


def test_another_companys_record_is_not_found(personas: Any) -> None:
    p = personas
    with pytest.raises(NotFound):
        profile.company_profile_update(company=p.company_b_obj, acting_user=p.company_a, employees="3")
    other = PatentFactory(company=p.company_b_obj)
    with pytest.raises(NotFound):
        profile.patent_save(company=p.company_a_obj, acting_user=p.company_a, values=PATENT, patent=other)
    c = _client(p.company_a)
    b = p.company_b_obj.pk
    assert c.get(f"/registry/companies/{b}/edit/").status_code == 404
    assert (
        c.post(f"/registry/companies/{b}/patents/{other.pk}/remove/", {"confirmed": "1"}).status_code == 404
    )
    # Another company's patent under one's own company number is not found either.
    a = p.company_a_obj.pk
    assert c.get(f"/registry/companies/{a}/patents/{other.pk}/").status_code == 404
    assert Patent.objects.filter(pk=other.pk).exists()


def test_patent_add_edit_remove_with_history(personas: Any) -> None:
    p = personas
    member(p.company_a_obj, body="MOTIE")
    patent = profile.patent_save(company=p.company_a_obj, acting_user=p.company_a, values=PATENT)
    assert patent.status == Patent.Status.FILED and patent.claims == 12
    changed = {**PATENT, "granted_on": "2025-03-01", "status": "registered"}
    profile.patent_save(company=p.company_a_obj, acting_user=p.company_a, values=changed, patent=patent)
    patent.refresh_from_db()
    assert patent.granted_on == dt.date(2025, 3, 1) and patent.status == Patent.Status.REGISTERED
    profile.patent_remove(company=p.company_a_obj, acting_user=p.company_a, patent=patent)
    assert not Patent.objects.filter(pk=patent.pk).exists()
    actions = [e.action for e in company_history(company=p.company_a_obj)]
    assert actions == ["patent.remove", "patent.update", "patent.create"]
    assert_told(p.ministry_motie, "registry.profile_changed")
    assert_not_told(p.ministry_mss, "registry.profile_changed")
    # Another company's history holds none of it.
    assert company_history(company=p.company_b_obj) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({**PATENT, "filed_on": "next year"}, "filed_on"),
        ({**PATENT, "filed_on": (timezone.localdate() + dt.timedelta(days=5)).isoformat()}, "filed_on"),
        ({**PATENT, "granted_on": "2023-01-01"}, "granted_on"),  # before filing
        ({**PATENT, "claims": "-1"}, "claims"),
        ({**PATENT, "title": ""}, "title"),
    ],
)
def test_patent_bad_values_change_nothing(personas: Any, values: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        profile.patent_save(company=personas.company_a_obj, acting_user=personas.company_a, values=values)
    assert field in {d.field for d in info.value.details}
    assert (
        not Patent.objects.exists() and not AuditEntry.objects.filter(action__startswith="patent.").exists()
    )


def test_patent_application_number_taken(personas: Any) -> None:
    PatentFactory(company=personas.company_b_obj, application_number=PATENT["application_number"])
    with pytest.raises(ValidationFailed) as info:
        profile.patent_save(company=personas.company_a_obj, acting_user=personas.company_a, values=PATENT)
    assert info.value.details[0].field == "application_number"


def test_technology_add_edit_remove(personas: Any) -> None:
    p = personas
    values = {"name": "AI 반도체 설계", "description": "", "keywords": "NPU", "trl": "6"}
    tech = profile.technology_save(company=p.company_a_obj, acting_user=p.company_a, values=values)
    assert tech.trl == 6
    profile.technology_save(
        company=p.company_a_obj, acting_user=p.company_a, values={**values, "trl": "7"}, technology=tech
    )
    tech.refresh_from_db()
    assert tech.trl == 7
    with pytest.raises(ValidationFailed):
        profile.technology_save(
            company=p.company_a_obj, acting_user=p.company_a, values={**values, "trl": "12"}
        )
    with pytest.raises(ValidationFailed):  # the same name twice
        profile.technology_save(company=p.company_a_obj, acting_user=p.company_a, values=values)
    profile.technology_remove(company=p.company_a_obj, acting_user=p.company_a, technology=tech)
    assert not CoreTechnology.objects.exists()
    actions = [e.action for e in company_history(company=p.company_a_obj)]
    assert actions == ["technology.remove", "technology.update", "technology.create"]


def test_only_the_representative_edits(personas: Any) -> None:
    with pytest.raises(Forbidden):
        profile.technology_save(
            company=personas.company_a_obj,
            acting_user=personas.program_office,
            values={"name": "x", "trl": "3"},
        )


# ---------------------------------------------------------------------------------------------- pages


def test_pages_edit_the_profile_and_rerender_bad_values(personas: Any) -> None:
    c = _client(personas.company_a)
    pk = personas.company_a_obj.pk
    page = c.get(f"/registry/companies/{pk}/").content.decode()
    assert 'data-testid="edit-profile"' in page and 'data-testid="add-patent"' in page
    form = c.get(f"/registry/companies/{pk}/edit/").content.decode()
    assert 'name="name_ko"' in form and 'name="brn"' not in form
    company = personas.company_a_obj
    data = {
        "name_ko": "에이테크 주식회사", "name_en": "", "ksic": company.ksic_id, "region": company.region,
        "address": "", "founded_on": "2099-01-01", "employees": "10", "website": "", "representative": "",
    }  # fmt: skip
    r = c.post(f"/registry/companies/{pk}/edit/", data)
    assert r.status_code == 422 and "the date is in the future" in r.content.decode()
    company.refresh_from_db()
    assert company.name_ko == "에이테크"
    r = c.post(f"/registry/companies/{pk}/edit/", {**data, "founded_on": "2015-03-01"})
    assert r.status_code == 302
    company.refresh_from_db()
    assert company.name_ko == "에이테크 주식회사"
    history = c.get(f"/registry/companies/{pk}/").content.decode()
    assert "company.update" in history


def test_pages_patent_form_and_confirmed_removal(personas: Any) -> None:
    c = _client(personas.company_a)
    pk = personas.company_a_obj.pk
    r = c.post(f"/registry/companies/{pk}/patents/new/", {**PATENT, "claims": "many"})
    assert r.status_code == 422 and Patent.objects.count() == 0
    assert c.post(f"/registry/companies/{pk}/patents/new/", PATENT).status_code == 302
    patent = Patent.objects.get()
    ask = c.post(f"/registry/companies/{pk}/patents/{patent.pk}/remove/")
    assert ask.status_code == 200 and "10-2024-0001234" in ask.content.decode()
    assert Patent.objects.exists()
    done = c.post(f"/registry/companies/{pk}/patents/{patent.pk}/remove/", {"confirmed": "1"}, follow=True)
    assert "was removed" in done.content.decode() and not Patent.objects.exists()


def test_readers_see_the_history_but_no_edit_buttons(personas: Any) -> None:
    tech = CoreTechnologyFactory(company=personas.company_a_obj)
    profile.technology_remove(company=personas.company_a_obj, acting_user=personas.company_a, technology=tech)
    html = (
        _client(personas.ministry_mss)
        .get(f"/registry/companies/{personas.company_a_obj.pk}/")
        .content.decode()
    )
    assert "technology.remove" in html and 'data-testid="edit-profile"' not in html


def test_history_reads_as_labels_not_codes(personas: Any) -> None:
    profile.patent_save(company=personas.company_a_obj, acting_user=personas.company_a, values=PATENT)
    [row] = company_history(company=personas.company_a_obj)
    shown = {c.label: (c.before, c.after) for c in row.changes}
    assert shown["Status"] == ("–", "Filed") and shown["Claims"] == ("–", "12")
    assert "company" not in {c.label.lower() for c in row.changes}  # keys are not part of the record
