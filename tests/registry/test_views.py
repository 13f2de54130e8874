"""Registry pages: list filters and HTMX partial, constant query count, detail scoping, import never a 500."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nic1000.registry.models import Company, KsicCode
from tests.factories import CompanyFactory, CoreTechnologyFactory, FinancialStatementFactory, PatentFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_companies_and_filters(personas: Any) -> None:
    bio = CompanyFactory(
        name_ko="세진바이오텍", ksic=KsicCode.objects.get(code="21102"), region="41", employees=5
    )
    client = _client(personas.program_office)
    url = reverse("registry:company_list")
    page = client.get(url).content.decode()
    assert "에이테크" in page and "세진바이오텍" in page
    only_c = client.get(url, {"ksic_section": "C", "region": "41", "size": "micro"}).content.decode()
    assert "세진바이오텍" in only_c and "에이테크" not in only_c
    by_brn = client.get(url, {"q": bio.brn_display}).content.decode()  # with dashes
    assert "세진바이오텍" in by_brn and "에이테크" not in by_brn
    assert "세진바이오텍" in client.get(url, {"q": bio.brn}).content.decode()  # without


def test_htmx_request_gets_the_table_partial(personas: Any) -> None:
    response = _client(personas.program_office).get(
        reverse("registry:company_list"), {"region": "11"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="company-results"' in body
    full = _client(personas.program_office).get(reverse("registry:company_list")).content.decode()
    assert 'hx-target="#company-table"' in full and 'hx-push-url="true"' in full
    restore = _client(personas.program_office).get(
        reverse("registry:company_list"),
        {"region": "11"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()  # back button: the whole page


def test_query_count_does_not_grow_with_page_size(personas: Any) -> None:
    CompanyFactory.create_batch(110)
    client = _client(personas.program_office)
    client.get(reverse("registry:company_list"))  # first request of a session creates settings rows
    counts = []
    for size in (20, 50, 100):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("registry:company_list"), {"page_size": size})
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert len(set(counts)) == 1, counts


def _queries(client: Client, url: str, data: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_does_not_grow_with_rows(personas: Any) -> None:
    client = _client(personas.program_office)
    url = reverse("registry:company_list")
    client.get(url)  # first request of a session creates settings rows
    CompanyFactory.create_batch(20)
    few = _queries(client, url, {"page_size": 100})
    CompanyFactory.create_batch(60)
    assert Company.objects.count() > 3 * 20
    assert _queries(client, url, {"page_size": 100}) == few
    assert _queries(client, url, {"page_size": 100, "q": "테스트기업"}) <= few


def test_detail_query_count_does_not_grow_with_rows(personas: Any) -> None:
    company = personas.company_a_obj
    client = _client(personas.program_office)
    url = reverse("registry:company_detail", kwargs={"pk": company.pk})
    client.get(url)

    def add(n: int, start: int) -> None:
        PatentFactory.create_batch(n, company=company)
        CoreTechnologyFactory.create_batch(n, company=company)
        for year in range(start, start + n):
            FinancialStatementFactory(company=company, fiscal_year=year)

    add(2, 2010)
    few = _queries(client, url)
    add(4, 2012)
    assert company.statements.count() == 6 and company.patents.count() == 6
    assert _queries(client, url) == few


def test_bad_filter_values_never_fail(personas: Any) -> None:
    client = _client(personas.program_office)
    for query in ("page=0", "page=-3", "page=abc", "page=999999", "page_size=7", "sme=perhaps", "region=99"):
        assert client.get(reverse("registry:company_list") + "?" + query).status_code == 200


def test_company_rep_sees_only_their_own_company(personas: Any) -> None:
    client = _client(personas.company_a)
    own = reverse("registry:company_detail", kwargs={"pk": personas.company_a_obj.pk})
    other = reverse("registry:company_detail", kwargs={"pk": personas.company_b_obj.pk})
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404
    assert client.get(reverse("registry:company_list")).status_code == 403


def test_detail_shows_statements_and_ratio_trends(personas: Any) -> None:
    company = personas.company_a_obj
    FinancialStatementFactory(company=company, fiscal_year=2023)
    FinancialStatementFactory(company=company, fiscal_year=2024, sales=950_000_000)
    PatentFactory(company=company, title="저전력 AI 반도체")
    page = _client(personas.ministry_mss).get(reverse("registry:company_detail", kwargs={"pk": company.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "저전력 AI 반도체" in body
    assert 'id="statement-table"' in body and "1,000" in body  # total assets in KRW million
    assert 'id="ratio-table"' in body and 'id="ratio-data"' in body
    # Sales growth needs the previous year: the first year shows "–" with the reason on hover.
    assert "–" in body and "title=" in body
    assert "chart.umd.min.js" in body


def _post_import(client: Client, kind: str, name: str, content: bytes) -> str:
    response = client.post(
        reverse("registry:import"), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_import_problems_are_shown_never_a_500(personas: Any) -> None:
    client = _client(personas.program_office)
    before = Company.objects.count()
    body = _post_import(client, "companies", "registry.xlsx", b"%PDF-1.4 not a spreadsheet")
    assert 'data-testid="import-problems"' in body or "errorlist" in body
    body = _post_import(client, "companies", "empty.xlsx", b"")
    assert "errorlist" in body or 'data-testid="import-problems"' in body
    assert Company.objects.count() == before


def test_import_bad_row_is_reported_and_good_file_imports(personas: Any) -> None:
    from openpyxl import Workbook, load_workbook

    from nic1000.registry.fields import fields_of
    from nic1000.registry.importing import template_workbook

    client = _client(personas.program_office)
    template = client.get(reverse("registry:template", kwargs={"kind": "companies"}))
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).active is not None
    assert template_workbook("companies")

    names = [c.name for c in fields_of("companies")]

    def workbook(rows: list[dict[str, Any]]) -> bytes:
        wb = Workbook()
        ws = wb.active
        ws.append(names)
        for row in rows:
            ws.append([row.get(n) for n in names])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    good = {"brn": "123-81-00013", "name_ko": "한빛반도체", "ksic": "26112", "region": "서울",
            "founded_on": "2019-04-01", "employees": 30}  # fmt: skip
    from nic1000.core.identifiers import brn_make

    good["brn"] = brn_make("123810001")
    bad = dict(good, brn="123-45-67890", founded_on="not a date")
    body = _post_import(client, "companies", "bad.xlsx", workbook([good, bad]))
    assert 'id="problem-table"' in body
    assert not Company.objects.filter(name_ko="한빛반도체").exists()  # nothing written
    body = _post_import(client, "companies", "good.xlsx", workbook([good]))
    assert 'data-testid="import-ok"' in body
    assert Company.objects.filter(name_ko="한빛반도체").exists()


def test_export_downloads_a_workbook(personas: Any) -> None:
    response = _client(personas.auditor).get(reverse("registry:export"), {"region": "11"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_admin_is_read_only_for_reference_data_and_audit(personas: Any) -> None:
    """The admin changes nothing (issue 11): reference data and the audit trail are only browsed there."""
    from nic1000.registry.models import Body

    client = _client(personas.program_office)
    body = Body.objects.get(code="MSS")
    url = reverse("admin:registry_body_change", args=[body.pk])
    form = {"code": "MSS", "name_ko": body.name_ko, "name_en": "Ministry of SMEs and Startups (renamed)",
            "kind": body.kind, "active": "on", "sort_order": body.sort_order}  # fmt: skip
    assert client.get(url).status_code == 200  # shown read-only
    assert client.post(url, form).status_code == 403
    body.refresh_from_db()
    assert body.name_en != "Ministry of SMEs and Startups (renamed)"
    assert client.get(reverse("admin:registry_company_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403


def test_searches_by_korean_name_english_name_and_brn_prefix(personas: Any) -> None:
    hit = CompanyFactory(name_ko="한빛반도체", name_en="Hanbit Semiconductor")
    CompanyFactory.create_batch(25, name_ko="세진소재")
    client = _client(personas.program_office)
    url = reverse("registry:company_list")
    for q in ("빛반도", "hanbit SEMI", hit.brn[:5], hit.brn_display[:6]):
        body = client.get(url, {"q": q}).content.decode()
        assert "한빛반도체" in body, q
    # A search is not counted (no second scan) but still pages: 25 matches over two pages of 20.
    first = client.get(url, {"q": "세진"}).content.decode()
    assert first.count("세진소재") == 20 and "page=2" in first
    second = client.get(url, {"q": "세진", "page": 2}).content.decode()
    assert second.count("세진소재") == 5 and "page=3" not in second


def test_check_boxes_use_the_krds_markup(personas: Any) -> None:
    """KRDS hides a bare check box and draws it on the label that follows: Django's default <label><input>
    would show no state at all."""
    html = _client(personas.program_office).get(reverse("registry:import")).content.decode()
    box = re.search(
        r'<div class="krds-form-check"><input type="checkbox" name="dry_run"[^>]*id="(\w+)"', html
    )
    assert box is not None
    assert f'<label for="{box[1]}">' in html
