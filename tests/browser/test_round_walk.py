"""A selection round in a real browser (Debian's Chromium through Playwright), as each role.

A ministry officer nominates, the programme office assigns evaluators, an evaluator declares a conflict on
one candidacy, confirms having none on another, opens its file and scores it, the programme office selects
and publishes, the public sees the list.
Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from nic1000.rounds.models import Assignment, Publication, PublishedSelection, Review
from nic1000.rounds.services.nominations import nomination_create
from tests.browser.conftest import ARGS, CHROMIUM  # noqa: F401 (test_crawl imports them from here)
from tests.factories import PASSWORD, CompanyFactory, CoreTechnologyFactory, UserFactory, body
from tests.rounds.factories import make_evaluator, make_round, statement

ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS", "test-artifacts/browser"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("request_connections"),
]


class Walk:
    def __init__(self, browser: Any, base: str) -> None:
        self.browser, self.base, self.n = browser, base, 0
        self.csp_violations: list[str] = []  # what the Content-Security-Policy blocked, from the console
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def watch(self, page: Any) -> Any:
        def console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                self.csp_violations.append(f"{page.url}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.csp_violations.append(f"{page.url}: {error}"))
        return page

    def login(self, username: str) -> Any:
        context = self.browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
        page = self.watch(context.new_page())
        page.set_default_timeout(60_000)
        page.goto(f"{self.base}/accounts/login/", wait_until="domcontentloaded")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form.nic-card button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"login failed for {username}"
        return page

    def shot(self, page: Any, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(ARTIFACTS / f"{self.n:02d}-{name}.png"), full_page=True)


def _alerts(page: Any) -> str:
    return " ".join(page.locator(".nic-alert").all_inner_texts())


def test_round_walk(live_server: Any, reference_data: None, browser: Any) -> None:
    po = UserFactory(username="po_walk", role="program_office", is_staff=True)
    officer = UserFactory(username="mss_walk", role="ministry_officer", body=body("MSS"))
    motie = UserFactory(username="motie_walk", role="ministry_officer", body=body("MOTIE"))
    rnd = make_round(acting_user=po, state="nominating", reviews_per_candidacy=1, load_max=5)
    first = CompanyFactory(name_ko="먼저추천기업")
    chosen = CompanyFactory(name_ko="웹추천반도체")
    for c in (first, chosen):
        CoreTechnologyFactory(company=c, name="AI 반도체 설계", keywords="NPU, 반도체")
        statement(c)
    nomination_create(round=rnd, company=first, reason="기존 추천", acting_user=motie)
    evaluator = make_evaluator("eval_walk", sections="C", keywords="반도체, NPU", affiliation="KAIST")
    make_evaluator("eval_other", sections="A", keywords="수산, 양식", affiliation="부경대학교")
    make_evaluator("eval_third", sections="J", keywords="게임, 콘텐츠", affiliation="한양대학교")
    walk = Walk(browser, live_server.url)

    # 1. The ministry officer nominates a company by its registration number; eligibility shows at once.
    page = walk.login(officer.username)
    page.goto(f"{live_server.url}/rounds/{rnd.pk}/nominate/")
    page.fill("input[name=brn]", chosen.brn)
    page.wait_for_selector("[data-testid=eligibility]")
    page.fill("textarea[name=reason]", "차세대 NPU 설계 기술 보유")
    page.fill("textarea[name=evidence]", "https://example.kr/npu")
    walk.shot(page, "ministry-nominate")
    page.click("[data-testid=nominate-submit]")
    page.wait_for_selector("[data-testid=nominations]")
    assert "웹추천반도체" in page.inner_text("[data-testid=nominations]")
    assert "먼저추천기업" not in page.inner_text("[data-testid=nominations]")  # MOTIE's, not MSS's
    walk.shot(page, "ministry-nominations")
    page.context.close()

    # 2. The programme office solves the assignment and starts the evaluation.
    office = walk.login(po.username)
    office.goto(f"{live_server.url}/rounds/{rnd.pk}/assignments/")
    office.click("[data-testid=assignment-solve]")
    office.wait_for_selector("[data-testid=assignments]")
    assert "eval_walk" in office.inner_text("[data-testid=assignments]"), _alerts(office)
    walk.shot(office, "office-assignment")
    office.goto(f"{live_server.url}/rounds/{rnd.pk}/")
    office.click("[data-testid=transition-start_evaluation]")
    office.wait_for_selector("[data-testid=confirm-consequences]")  # asks first, saying what will happen
    office.click("[data-testid=confirm-yes]")
    office.wait_for_load_state()
    rnd.refresh_from_db()
    assert rnd.state == "evaluating", _alerts(office)

    # 3. The evaluator declares a conflict on one candidacy (replaced) and scores the other.
    ev = walk.login(evaluator.user.username)
    ev.goto(f"{live_server.url}/rounds/me/assignments/")
    rows = ev.locator("[data-testid=my-assignments] tbody tr")
    assert rows.count() == 2, ev.inner_text("[data-testid=my-assignments]")
    walk.shot(ev, "evaluator-assignments")
    row = ev.locator("tr[data-company='먼저추천기업']")
    row.locator("input[name=reason]").fill("해당 기업 자문 이력")
    row.locator("button[type=submit]").click()
    ev.wait_for_load_state()
    assert "먼저추천기업" not in ev.inner_text("[data-testid=my-assignments]")
    walk.shot(ev, "evaluator-conflict-declared")
    ev.click("text=웹추천반도체")
    # The file opens only once the evaluator confirms there is no conflict of interest (recorded).
    ev.wait_for_selector("[data-testid=review-confirm]")
    assert ev.locator("select[name^=score_]").count() == 0
    walk.shot(ev, "evaluator-confirm-no-conflict")
    ev.click("label[for=id_no_conflict]")
    ev.click("[data-testid=review-open]")
    ev.wait_for_selector("[data-testid=review-submit]")
    assert Assignment.objects.get(evaluator=evaluator, candidacy__company=chosen, active=True).opened_at
    selects = ev.locator("select[name^=score_]")
    for i in range(selects.count()):
        selects.nth(i).select_option("5" if i % 2 == 0 else "4")
    ev.fill("textarea[name=comment]", "기술 차별성이 뚜렷함")
    walk.shot(ev, "evaluator-scoring")
    ev.click("[data-testid=review-submit]")
    ev.wait_for_selector("[data-testid=review-submitted]")
    walk.shot(ev, "evaluator-submitted")
    assert Review.objects.filter(state="submitted").count() == 1

    # 4. The programme office closes scoring, aggregates, selects, records the decision and publishes.
    office.goto(f"{live_server.url}/rounds/{rnd.pk}/")
    office.click("[data-testid=transition-start_selection]")
    office.click("[data-testid=confirm-yes]")
    office.wait_for_load_state()
    office.goto(f"{live_server.url}/rounds/{rnd.pk}/results/")
    office.click("[data-testid=aggregate]")
    office.wait_for_load_state()
    office.click("[data-testid=select]")
    office.wait_for_selector("[data-testid=selection-run]")
    assert "웹추천반도체" in office.inner_text("[data-testid=results]")
    office.fill("textarea[name=note]", "선정위원회 의결")
    office.click("[data-testid=decide]")
    office.wait_for_selector("[data-testid=decision]")
    walk.shot(office, "office-results")
    office.click("[data-testid=publish]")
    office.wait_for_selector("[data-testid=confirm-consequences]")
    office.click("[data-testid=confirm-yes]")
    office.wait_for_selector("[data-testid=public-selection]")
    assert Publication.objects.filter(round=rnd).count() == 1

    # The charts draw from static JS under the CSP (no inline script): a company's ratios, the finance dashboard.
    office.goto(f"{live_server.url}/registry/companies/{chosen.pk}/")
    office.wait_for_selector("#ratio-chart[data-drawn='1']")
    office.goto(f"{live_server.url}/finance/dashboard/")
    office.wait_for_selector("#funnel-chart[data-drawn='1']")

    # 5. The public sees the published list (and the API answers).
    public = walk.watch(browser.new_context(locale="ko-KR").new_page())
    public.goto(f"{live_server.url}/rounds/published/")
    public.click(f"text={rnd.name}")
    public.wait_for_selector("[data-testid=public-selection]")
    text = public.inner_text("[data-testid=public-selection]")
    assert "웹추천반도체" in text
    walk.shot(public, "public-selection")
    api = public.request.get(f"{live_server.url}/api/v1/rounds/{rnd.pk}/selections")
    assert api.status == 200 and api.json()["count"] == PublishedSelection.objects.filter(round=rnd).count()
    assert not walk.csp_violations, walk.csp_violations
