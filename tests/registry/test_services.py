"""Registry services (company create/update, statement submit) and selectors (scoping per role)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Forbidden, ValidationFailed
from nic1000.registry.models import Company, FinancialStatement
from nic1000.registry.selectors import access_company, company_list
from nic1000.registry.services import company_create, company_update, statement_submit
from tests.factories import CompanyFactory, UserFactory, statement_values
from tests.registry.factories import brn

pytestmark = pytest.mark.django_db


def _fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "brn": brn(9001),
        "name_ko": "서비스기업",
        "ksic": "26112",
        "region": "경기",
        "founded_on": dt.date(2018, 4, 1),
        "employees": 12,
    }
    fields.update(overrides)
    return fields


def test_company_create_and_update_audited(personas: Any) -> None:
    po = personas.program_office
    c = company_create(acting_user=po, **_fields())
    assert c.ksic_section == "C" and c.region == "41" and c.is_sme is True
    entry = AuditEntry.objects.get(action="company.create", object_id=str(c.pk))
    assert entry.changes["name_ko"] == {"before": None, "after": "서비스기업"}
    c = company_update(company=c, acting_user=po, employees="1,500", ksic="J58221")
    assert c.employees == 1500 and c.ksic_section == "J"
    upd = AuditEntry.objects.get(action="company.update", object_id=str(c.pk))
    assert upd.changes["employees"] == {"before": 12, "after": 1500}
    assert upd.changes["ksic_section"] == {"before": "C", "after": "J"}
    n = AuditEntry.objects.count()
    company_update(company=c, acting_user=po, employees=1500)  # no change, no audit row
    assert AuditEntry.objects.count() == n


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"brn": brn(9001)[:9] + str((int(brn(9001)[9]) + 1) % 10)}, "brn"),
        ({"ksic": "26"}, "ksic"),
        ({"region": "Mars"}, "region"),
        ({"founded_on": dt.date.today() + dt.timedelta(days=30)}, "founded_on"),
        ({"employees": -1}, "employees"),
        ({"name_ko": ""}, "name_ko"),
    ],
)
def test_company_create_validation(personas: Any, overrides: dict, field: str) -> None:
    n = Company.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        company_create(acting_user=personas.program_office, **_fields(**overrides))
    assert field in {d.field for d in exc.value.details}
    assert Company.objects.count() == n


def test_company_create_duplicate_brn(personas: Any) -> None:
    company_create(acting_user=None, **_fields())
    with pytest.raises(ValidationFailed) as exc:
        company_create(acting_user=None, **_fields(name_ko="다른 이름"))
    assert exc.value.details[0].code == "duplicate"


def test_company_write_permissions(personas: Any) -> None:
    with pytest.raises(Forbidden):
        company_create(acting_user=personas.auditor, **_fields())
    a = personas.company_a_obj
    company_update(company=a, acting_user=personas.company_a, employees=99)
    with pytest.raises(Forbidden):
        company_update(company=a, acting_user=personas.company_b, employees=1)
    with pytest.raises(Forbidden):
        company_update(company=a, acting_user=personas.company_a, brn=brn(5))
    with pytest.raises(Forbidden):
        company_update(company=a, acting_user=personas.ministry_mss, employees=1)


def test_statement_submit_creates_then_replaces(personas: Any) -> None:
    a = personas.company_a_obj
    values = statement_values()
    st = statement_submit(company=a, fiscal_year=2024, values=values, acting_user=personas.company_a)
    assert st.source == "form" and st.submitted_at is not None
    assert AuditEntry.objects.filter(action="statement.submit", object_id=str(st.pk)).count() == 1
    values["net_profit"] += 5
    st2 = statement_submit(
        company=a, fiscal_year=2024, values=values, acting_user=personas.company_a, credit_delinquency=True
    )
    assert st2.pk == st.pk and st2.net_profit == values["net_profit"] and st2.credit_delinquency
    entry = (
        AuditEntry.objects.filter(action="statement.submit", object_id=str(st.pk)).order_by("-seq").first()
    )
    assert set(entry.changes) == {"net_profit", "credit_delinquency"}


def test_statement_submit_rules(personas: Any) -> None:
    a = personas.company_a_obj
    bad = statement_values() | {"total_assets": 5}
    with pytest.raises(ValidationFailed) as exc:
        statement_submit(company=a, fiscal_year=2024, values=bad, acting_user=None)
    assert "total_assets" in {d.field for d in exc.value.details}
    with pytest.raises(ValidationFailed):
        statement_submit(
            company=a, fiscal_year=2024, values=statement_values() | {"cash": -1}, acting_user=None
        )
    with pytest.raises(ValidationFailed):
        statement_submit(
            company=a, fiscal_year=dt.date.today().year + 2, values=statement_values(), acting_user=None
        )
    missing = statement_values()
    del missing["sales"]
    with pytest.raises(ValidationFailed):
        statement_submit(company=a, fiscal_year=2024, values=missing, acting_user=None)
    with pytest.raises(Forbidden):
        statement_submit(
            company=a, fiscal_year=2024, values=statement_values(), acting_user=personas.company_b
        )
    assert not FinancialStatement.objects.exists()


# ------------------------------------------------------------------------------------------ selectors


def test_company_list_scoping_per_role(personas: Any) -> None:
    a, b = personas.company_a_obj, personas.company_b_obj
    everyone = {a.pk, b.pk}
    for user in (personas.program_office, personas.auditor, personas.support, personas.ministry_mss):
        assert {c.pk for c in company_list(user=user)} >= everyone
    assert {c.pk for c in company_list(user=personas.company_a)} == {a.pk}
    for user in (personas.evaluator, personas.institution_kdb):
        assert not company_list(user=user).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not company_list(user=AnonymousUser()).exists()
    inactive = UserFactory(username="gone", role="program_office", is_active=False)
    assert not company_list(user=inactive).exists()


def test_company_list_filters(personas: Any) -> None:
    from nic1000.registry.models import KsicCode

    bio = CompanyFactory(
        name_ko="세진바이오텍", ksic=KsicCode.objects.get(code="21102"), region="41", employees=5
    )
    big = CompanyFactory(name_ko="대형제조", employees=800, is_sme=False)
    po = personas.program_office
    assert list(company_list(user=po, q="바이오텍")) == [bio]
    assert bio in company_list(user=po, q=bio.brn[:5])
    assert list(company_list(user=po, ksic_section="c", size="large")) == [big]
    assert bio in company_list(user=po, region="41", size="micro")
    assert list(company_list(user=po, sme=False)) == [big]
    assert list(company_list(user=personas.company_a, q="바이오텍")) == []


def test_access_company_404_for_missing_and_forbidden(personas: Any) -> None:
    a, b = personas.company_a_obj, personas.company_b_obj
    assert access_company(user=personas.company_a, pk=a.pk) == a
    with pytest.raises(Http404):
        access_company(user=personas.company_a, pk=b.pk)
    with pytest.raises(Http404):
        access_company(user=personas.program_office, pk=999_999)
    with pytest.raises(Http404):
        access_company(user=personas.evaluator, pk=a.pk)
    assert access_company(user=personas.ministry_motie, pk=b.pk) == b
