"""A ministry running its own committee in a real browser: the MSS officer assigns its committee with the
optimal solver, and once its members have scored, records the committee's list; the programme office is told."""

from __future__ import annotations

from typing import Any

import pytest

from nic1000.core.models import Notification
from nic1000.rounds.models import Assignment, Candidacy, Round, RoundBody, RoundSettings
from nic1000.rounds.services.committees import committee_member_add, round_body_evaluation_set
from tests.browser.test_round_walk import Walk
from tests.factories import CompanyFactory, CoreTechnologyFactory, UserFactory, body
from tests.rounds.factories import make_candidacy, make_round, submit_review

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("request_connections"),
]


def test_ministry_runs_its_own_committee(live_server: Any, reference_data: None, browser: Any) -> None:
    po = UserFactory(username="po_committee", role="program_office", is_staff=True)
    officer = UserFactory(username="mss_committee", role="ministry_officer", body=body("MSS"))
    rnd = make_round(acting_user=po, state="nominating")
    RoundSettings.objects.filter(round=rnd).update(reviews_per_candidacy=2, load_min=0, load_max=5)
    round_body_evaluation_set(round=rnd, body=body("MSS"), evaluation="body", acting_user=po)
    names = ["위원회반도체", "위원회바이오", "위원회모빌리티"]
    for name in names:
        company = CompanyFactory(name_ko=name)
        CoreTechnologyFactory(company=company, name="AI 반도체", keywords="반도체")
        make_candidacy(rnd, company=company, bodies=("MSS",), by=officer)
    for i in range(3):
        committee_member_add(
            body=body("MSS"),
            username=f"mss_expert{i}",
            email=f"expert{i}@example.kr",
            display_name=f"전문가{i}",
            keywords="반도체",
            ksic_sections="C",
            acting_user=officer,
        )
    walk = Walk(browser, live_server.url)

    page = walk.login(officer.username)
    page.goto(f"{live_server.url}/rounds/{rnd.pk}/")
    page.click("[data-testid=our-evaluation]")
    assert "기관 자체 위원회" in page.inner_text("[data-testid=evaluation-mode]")
    page.click("[data-testid=committee-assign]")
    page.wait_for_selector("[data-testid=confirm]")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_selector("[data-testid=members]")
    walk.shot(page, "committee-assigned")
    assert Assignment.objects.filter(round=rnd, active=True).count() == 6

    Round.objects.filter(pk=rnd.pk).update(state="evaluating")
    for i, a in enumerate(Assignment.objects.filter(round=rnd, active=True).order_by("id")):
        submit_review(a, total=60.0 + 5 * i)
    page.reload()
    first = Candidacy.objects.get(round=rnd, company__name_ko="위원회반도체")
    page.click(f"label[for=recommend-{first.pk}]")  # KRDS draws the check box on its label
    page.fill("textarea[name=note]", "기술성 우수 기업 추천")
    page.click("[data-testid=committee-decide]")
    page.wait_for_selector("[data-testid=confirm]")
    walk.shot(page, "committee-confirm")
    page.click("[data-testid=confirm-yes]")
    page.wait_for_selector("[data-testid=body-candidacies]")
    assert "위원회 추천" in page.inner_text("[data-testid=body-candidacies]")
    page.context.close()

    assert RoundBody.objects.get(round=rnd, body=body("MSS")).decided_at is not None
    assert list(Candidacy.objects.filter(round=rnd, committee_recommended=True)) == [first]
    assert Notification.objects.filter(recipient=po, kind="round.committee_decided").exists()
    assert not walk.csp_violations, walk.csp_violations
