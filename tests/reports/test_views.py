"""The KPI pages, their Excel downloads and the public summary."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from nic1000.core.excel import read_rows
from nic1000.registry.models import Institution
from nic1000.reports import tables
from tests.factories import CompanyFactory
from tests.reports.world import EOK, World, _approved, _member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _chart(html: str, slug: str) -> dict[str, Any]:
    m = re.search(rf'<script id="kpi-{slug}-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no chart data for {slug}"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def test_designations_page_shows_rounds_and_breakdowns(world: World, personas: Any) -> None:
    html = _client(personas.program_office).get(reverse("reports:kpis")).content.decode()
    for slug in ("designations", "by_ministry", "by_sector", "by_region", "by_sme", "by_age"):
        assert f'data-testid="kpi-{slug}"' in html
        assert reverse("reports:kpi_xlsx", args=[slug]) in html
    chart = _chart(html, "designations")
    with translation.override("ko"):
        assert chart["labels"] == [tables.round_label(n) for n in (1, 2, 3)]
    active = next(
        d for d in chart["datasets"] if d["label"] == str(tables.designations_table().columns[7].label)
    )
    assert active["data"] == [3.0, 6.0, 7.0]
    assert active["line"] is True
    # The table beside the chart holds the same numbers.
    table = html[html.index('id="kpi-designations-table"') :]
    table = table[: table.index("</table>")]
    with translation.override("ko"):
        assert f'<th scope="row">{tables.round_label(3)}</th><td class="nic-num">2</td>' in table
    assert 'data-testid="kpi-cards"' in html


def test_finance_page_in_eok_against_the_plan(world: World, personas: Any) -> None:
    html = _client(personas.auditor).get(reverse("reports:kpis_finance")).content.decode()
    chart = _chart(html, "finance_quarters")
    assert chart["labels"][0] == "2021Q1"
    loans = chart["datasets"][0]
    assert loans["data"][0] == 10.0  # 10억 drawn in units of 억원
    years = _chart(html, "finance_years")
    assert years["stacked"] is True
    for slug in ("finance_institutions", "finance_products", "financed_share", "ministry_finance"):
        assert f'data-testid="kpi-{slug}"' in html


def test_monitoring_page(world: World, personas: Any) -> None:
    html = _client(personas.program_office).get(reverse("reports:kpis_monitoring")).content.decode()
    levels = _chart(html, "monitoring_levels")
    assert levels["labels"] == ["2023-01", "2023-02"]
    assert [d["data"] for d in levels["datasets"]] == [[6.0, 5.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]
    rates = _chart(html, "survey_monthly")
    assert rates["datasets"][0]["data"] == [50.0]
    assert "50.0%" in html


def test_public_summary_has_no_company_level_detail(world: World) -> None:
    response = _client().get(reverse("reports:public_summary"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kpi-designations"' in html and 'data-testid="kpi-finance_years"' in html
    for m in world.members:
        assert m.company.name_ko not in html
        assert m.company.brn not in html
    assert "kpi-monitoring_levels" not in html and "kpi-survey_monthly" not in html
    assert "kpi-ministry_finance" not in html
    for build in tables.PUBLIC_TABLES:
        slug = tables.SLUGS[build]
        content = _client().get(reverse("reports:public_xlsx", args=[slug])).content
        text = repr(read_rows(content))
        assert not any(m.company.name_ko in text for m in world.members), slug


def test_public_summary_is_cached(world: World) -> None:
    with CaptureQueriesContext(connection) as first:
        _client().get(reverse("reports:public_summary"))
    m = _member(
        CompanyFactory(name_ko="나중기업"), world.rounds[2], "MSS", dt.date(2022, 10, 20), "biohealth"
    )
    with CaptureQueriesContext(connection) as second:
        html = _client().get(reverse("reports:public_summary")).content.decode()
    assert len(first) > 10
    assert len(second) <= 2  # the shared cache's read
    assert "<strong>6</strong> / 1000" in html  # still the cached figure until it expires
    cache.clear()
    html = _client().get(reverse("reports:public_summary")).content.decode()
    assert m.company.name_ko not in html
    assert "<strong>7</strong> / 1000" in html


def test_excel_download_of_one_table(world: World, personas: Any) -> None:
    response = _client(personas.program_office).get(
        reverse("reports:kpi_xlsx", args=["finance_institutions"])
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "nic1000-finance-institutions-" in response["Content-Disposition"]
    rows = read_rows(response.content)
    header, body = rows[0], rows[1:]
    with translation.override("ko"):
        assert header == [str(c.label) for c in tables.institution_table().columns]
    kdb = next(r for r in body if r[0] == Institution.objects.get(code="KDB").name_ko)
    assert kdb[1:] == [2, 1, 13 * EOK, 6 * EOK, EOK, 5 * EOK]
    assert body[-1][3] == 38 * EOK  # the total row
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.cell(row=2, column=4).number_format.endswith('"원"')


def test_excel_is_formula_safe(world: World, personas: Any) -> None:
    m = world.members[0]
    m.sector = '=HYPERLINK("http://evil")'
    m.save()
    content = _client(personas.program_office).get(reverse("reports:kpi_xlsx", args=["by_sector"])).content
    ws = load_workbook(io.BytesIO(content)).active
    labels = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert '\'=HYPERLINK("http://evil")' in labels
    assert ws.cell(row=2, column=3).number_format == tables.PCT_FORMAT


def test_excel_keeps_numbers_with_formats(world: World, personas: Any) -> None:
    content = _client(personas.program_office).get(reverse("reports:kpi_xlsx", args=["designations"])).content
    ws = load_workbook(io.BytesIO(content)).active
    assert [ws.cell(row=r, column=8).value for r in (2, 3, 4)] == [3, 6, 7]  # active after each round
    assert ws.cell(row=4, column=10).number_format == tables.PCT_FORMAT
    assert ws.cell(row=4, column=10).value == pytest.approx(0.007)


def test_the_workbook_holds_every_table(world: World, personas: Any) -> None:
    content = _client(personas.auditor).get(reverse("reports:kpis_workbook")).content
    names = load_workbook(io.BytesIO(content), read_only=True).sheetnames
    assert names == [tables.SLUGS[b] for page in tables.PAGES.values() for b in page]


def test_unknown_table_is_404(world: World, personas: Any) -> None:
    assert _client(personas.program_office).get(reverse("reports:kpi_xlsx", args=["nope"])).status_code == 404
    assert _client().get(reverse("reports:public_xlsx", args=["ministry_finance"])).status_code == 404


def test_slugs_match_the_tables(world: World) -> None:
    for build, slug in tables.SLUGS.items():
        assert build().slug == slug


def _page_queries(client: Client, name: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse(name)).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("name", ["reports:kpis", "reports:kpis_finance", "reports:kpis_monitoring"])
def test_page_queries_do_not_grow_with_rows(world: World, personas: Any, name: str) -> None:
    client = _client(personas.program_office)
    _page_queries(client, name)  # the session's first request loads what later ones find cached
    before = _page_queries(client, name)
    for i in range(15):
        m = _member(CompanyFactory(name_ko=f"추가{i}"), world.rounds[1], "MOTIE", dt.date(2021, 5, 20), "ict")
        _approved(m, "KIBO-GUAR", 2 * EOK, dt.date(2021, 6, 1) + dt.timedelta(days=i))
    assert _page_queries(client, name) == before
    assert before <= 30
