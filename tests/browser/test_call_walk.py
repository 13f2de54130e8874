"""A public call in a real browser: a company reads its self-check and applies with its documents; the
ministry officer screens the application, confirms, and the company finds itself nominated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nic1000.calls.models import CallApplication
from nic1000.rounds.models import Nomination
from tests.browser.test_round_walk import Walk
from tests.calls.factories import PDF, make_call, xlsx
from tests.factories import CompanyFactory, UserFactory, body
from tests.rounds.factories import make_round, statement

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("request_connections"),
]


def test_company_applies_to_a_call_and_is_nominated(
    live_server: Any, reference_data: None, browser: Any, tmp_path: Path
) -> None:
    po = UserFactory(username="po_call", role="program_office", is_staff=True)
    officer = UserFactory(username="mss_call", role="ministry_officer", body=body("MSS"))
    company = CompanyFactory(name_ko="공모신청기업")
    statement(company)
    rep = UserFactory(username="rep_call", role="company", company=company)
    rnd = make_round(acting_user=po, state="nominating")
    call = make_call(round=rnd, by=officer)
    plan, finance = tmp_path / "사업계획서.pdf", tmp_path / "재무제표.xlsx"
    plan.write_bytes(PDF)
    finance.write_bytes(xlsx().read())
    walk = Walk(browser, live_server.url)

    page = walk.login(rep.username)
    page.goto(f"{live_server.url}/calls/{call.pk}/")
    assert "자격 충족" in page.inner_text("[data-testid=self-check]")
    walk.shot(page, "call-self-check")
    page.click("[data-testid=call-apply]")
    page.fill("textarea[name=statement]", "AI 반도체 설계 기술로 신청합니다")
    page.set_input_files("input[name=document_0]", str(plan))
    page.set_input_files("input[name=document_1]", str(finance))
    page.click("[data-testid=call-submit]")
    page.wait_for_url("**/calls/mine/")
    assert "접수" in page.inner_text("main")
    walk.shot(page, "call-applied")
    page.context.close()

    application = CallApplication.objects.get(company=company)
    page = walk.login(officer.username)
    page.goto(f"{live_server.url}/calls/applications/{application.pk}/")
    page.click("label[for=id_decision_0]")  # KRDS draws the radio on its label
    page.click("[data-testid=call-decide]")
    page.wait_for_selector("[data-testid=confirm]")
    walk.shot(page, "call-confirm")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_url(f"**/calls/{call.pk}/applications/")
    page.context.close()
    assert Nomination.objects.filter(candidacy__company=company, body__code="MSS").exists()

    page = walk.login(rep.username)
    page.goto(f"{live_server.url}/calls/mine/")
    assert "선정(추천)" in page.inner_text("main")
    page.context.close()
    assert not walk.csp_violations, walk.csp_violations
