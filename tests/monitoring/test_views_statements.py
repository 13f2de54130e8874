"""Company side: statements by form or file, own company only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nic1000.registry.models import FinancialStatement
from nic1000.registry.statement_items import ITEM_NAMES
from tests.factories import statement_values


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def csv_for(brns_years: list[tuple[str, int]]) -> bytes:
    head = ["brn", "fiscal_year", *ITEM_NAMES]
    lines = [",".join(head)]
    v = statement_values()
    for brn, year in brns_years:
        lines.append(",".join([brn, str(year), *(str(v[n]) for n in ITEM_NAMES)]))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.django_db
def test_statement_form_submits_and_rerenders_problems(personas) -> None:
    c = client_for(personas.company_a)
    data = {"fiscal_year": "2025", **{k: str(v) for k, v in statement_values().items()}}
    bad = {**data, "total_assets": str(int(data["total_assets"]) * 3), "cash": "-1"}
    r = c.post(reverse("monitoring:statement_submit"), bad)
    assert r.status_code == 422 and "errorlist" in r.content.decode()
    assert not FinancialStatement.objects.exists()
    r = c.post(reverse("monitoring:statement_submit"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    s = FinancialStatement.objects.get()
    assert s.company == personas.company_a_obj and s.source == "form"


@pytest.mark.django_db
def test_upload_refuses_rows_of_another_company(personas) -> None:
    a, b = personas.company_a_obj, personas.company_b_obj
    c = client_for(personas.company_a)
    f = SimpleUploadedFile("s.csv", csv_for([(a.brn, 2024), (b.brn, 2024)]), content_type="text/csv")
    r = c.post(reverse("monitoring:statement_upload"), {"file": f})
    assert r.status_code == 422
    assert "another company" in r.content.decode()
    assert not FinancialStatement.objects.exists()
    f = SimpleUploadedFile("s.csv", csv_for([(a.brn, 2023), (a.brn, 2024)]), content_type="text/csv")
    r = c.post(reverse("monitoring:statement_upload"), {"file": f})
    assert r.status_code == 302, r.content.decode()[-3000:]
    assert sorted(FinancialStatement.objects.filter(company=a).values_list("fiscal_year", flat=True)) == [
        2023,
        2024,
    ]
