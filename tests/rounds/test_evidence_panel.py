"""The evidence panel in the evaluator's file: computed from the registry, with cohort percentiles, the TRL rule,
megatrend tags with their reason and the growth table's source; its queries do not grow with the patents."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from nic1000.algorithms import evidence as ev
from nic1000.registry.models import KsicCode
from tests.factories import CompanyFactory, CoreTechnologyFactory, FinancialStatementFactory, PatentFactory
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_url(personas: Any) -> tuple[str, Any]:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    company = CompanyFactory(name_ko="증거기업", ksic=KsicCode.objects.get(code="26112"))
    CoreTechnologyFactory(company=company, name="AI 반도체 설계", keywords="NPU; 저전력", trl=8)
    FinancialStatementFactory(company=company, fiscal_year=2024)
    cand = make_candidacy(rnd, company=company)
    a = make_assignment(cand, make_evaluator("me", user=personas.evaluator), opened_at=timezone.now())
    # a cohort: 11 other semiconductor patents filed in 2020 with 0..10 citations
    for c in range(11):
        PatentFactory(ipc_classes="H01L 21/66", filed_on=dt.date(2020, 2, 1), forward_citations=c)
    return f"/rounds/me/assignments/{a.pk}/", company


def _get(user: Any, url: str) -> tuple[str, int]:
    client = Client()
    client.force_login(user)
    client.get(url)  # warm sessions and content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(ctx)


def test_the_file_shows_the_evidence_panel(personas: Any, file_url: tuple[str, Any]) -> None:
    url, company = file_url
    PatentFactory(company=company, application_number="10-2020-7777777", ipc_classes="H01L 21/66; G06N 3/063",
                  filed_on=dt.date(2020, 5, 1), forward_citations=9)  # fmt: skip
    PatentFactory(company=company, application_number="10-2021-8888888", ipc_classes="G06N 3/063",
                  filed_on=dt.date(2021, 5, 1))  # fmt: skip
    page, _n = _get(personas.evaluator, url)
    assert 'data-testid="evidence-panel"' in page
    # 12 patents of 2020 in semiconductors; 9 citations: 9 below (0..8), 2 equal (itself, the other 9) → 83
    table = page.split('data-testid="evidence-patents"')[1].split("</table>")[0]
    row = table.split("10-2020-7777777")[1].split("</tr>")[0]
    assert "반도체" in row and ">12" in row and "(83)" in row and "bg-warning" not in row
    other = table.split("10-2021-8888888")[1].split("</tr>")[0]
    assert "컴퓨터기술" in other and "bg-warning" in other and "(—)" in other  # a cohort of one: not compared
    assert 'data-testid="evidence-trl"' in page and "TRL 8" in page
    megatrends = page.split('data-testid="evidence-megatrends"')[1].split("</ul>")[0]
    assert "반도체·디스플레이" in megatrends and "KSIC 26112" in megatrends and "BIG3" in megatrends
    assert "인공지능" in megatrends
    # the growth figure carries its source, as the table has it
    semi = ev.market_growth()["semiconductor_display"]
    semi_item = megatrends.split("반도체·디스플레이")[1].split("</li>")[0]
    if semi.illustrative:
        assert "예시 수치" in semi_item and "<a " not in semi_item
    else:
        assert (
            f'<a href="{escape(semi.url)}" rel="noopener noreferrer">{escape(semi.source)}</a>' in semi_item
        )
        assert semi.period in semi_item


def test_the_panel_queries_do_not_grow_with_patents(personas: Any, file_url: tuple[str, Any]) -> None:
    url, company = file_url
    for i in range(3):
        PatentFactory(company=company, ipc_classes="H01L 21/66", filed_on=dt.date(2020 - i, 1, 1))
    _page, few = _get(personas.evaluator, url)
    for i in range(9):
        PatentFactory(company=company, ipc_classes="A61K 39/395", filed_on=dt.date(2010 + i, 1, 1))
    page, many = _get(personas.evaluator, url)
    table = page.split('data-testid="evidence-patents"')[1].split("</table>")[0]
    assert table.count("의약품") == 9  # the rows are there
    assert few == many
