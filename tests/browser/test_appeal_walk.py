"""An appeal in a real browser: the company files an appeal against KDB's refusal with a document, KDB's officer
takes it up and upholds it after confirming, the application goes back to review and the company is told."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nic1000.appeals.models import Appeal
from nic1000.core.models import Notification
from tests.appeals.factories import decisions_for
from tests.browser.test_round_walk import Walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("request_connections"),
]


def test_company_appeals_a_refusal_and_the_institution_upholds_it(
    live_server: Any, personas: Any, browser: Any, tmp_path: Path, settings: Any
) -> None:
    settings.APPEALS_FILES_DIR = tmp_path / "appeals"
    decisions = decisions_for(personas)
    evidence = tmp_path / "담보평가서.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    walk = Walk(browser, live_server.url)

    page = walk.login(personas.company_a.username)
    page.goto(f"{live_server.url}/appeals/mine/")
    page.click(f"a[href='/appeals/file/refusal/{decisions.refusal.pk}/']")
    page.fill("textarea[name=reasons]", "담보 평가가 최신 감정가를 반영하지 않았습니다.")
    page.set_input_files("input[name=document]", str(evidence))
    walk.shot(page, "appeal-file")
    page.click("[data-testid=appeal-form] button[type=submit]")
    page.wait_for_load_state()
    appeal = Appeal.objects.get(company=personas.company_a_obj)
    assert appeal.documents.count() == 1
    page.context.close()

    page = walk.login(personas.institution_kdb.username)
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/decide/")
    page.click("[data-testid=start-review]")
    page.wait_for_selector("[data-testid=decide-form]")
    page.click("[data-testid=decide-form] label:has-text('인용')")  # KRDS draws the radio on its label
    page.fill("textarea[name=reason]", "최신 감정가로 재심사합니다.")
    page.click("[data-testid=decide-form] button[type=submit]")
    page.wait_for_selector("[data-testid=confirm]")
    walk.shot(page, "appeal-confirm")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_load_state()
    page.context.close()

    appeal.refresh_from_db()
    decisions.refusal.refresh_from_db()
    assert appeal.state == "upheld"
    assert decisions.refusal.state == "under_review"  # the refusal is reopened
    assert Notification.objects.filter(recipient=personas.company_a, kind="appeal.decided").exists()
    assert not walk.csp_violations, walk.csp_violations
