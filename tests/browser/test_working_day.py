"""One working day in a real browser, from the e-mail that starts it: an evaluator is told of the assignment
by e-mail, follows the link, signs in, opens the file and submits the review."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from nic1000.activity.delivery import deliveries_send_due
from nic1000.rounds.models import Review, Round
from nic1000.rounds.services.assignment import assignment_solve
from tests.browser.test_round_walk import Walk
from tests.factories import PASSWORD, CompanyFactory, CoreTechnologyFactory, UserFactory
from tests.rounds.factories import make_candidacy, make_evaluator, make_round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("request_connections"),
]


def _link(message: Any) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    return found.group(0)


def test_an_evaluator_from_the_email_to_the_submitted_review(
    live_server: Any, reference_data: None, browser: Any, settings: Any
) -> None:
    settings.NIC1000_SITE_URL = live_server.url
    po = UserFactory(username="po_day", role="program_office", is_staff=True)
    user = UserFactory(username="eval_day", role="evaluator", email="eval_day@example.kr")
    evaluator = make_evaluator("eval_day", user=user, sections="C", keywords="반도체")
    rnd = make_round(acting_user=po, state="nominating", reviews_per_candidacy=1, load_min=0, load_max=5)
    company = CompanyFactory(name_ko="메일평가기업")
    CoreTechnologyFactory(company=company, name="AI 반도체", keywords="반도체")
    make_candidacy(rnd, company=company, bodies=("MSS",))
    assignment_solve(round=rnd, acting_user=po)
    Round.objects.filter(pk=rnd.pk).update(state="evaluating")

    assert deliveries_send_due() >= 1
    [message] = [m for m in mail.outbox if m.to == ["eval_day@example.kr"]]
    link = _link(message)
    assert link.startswith(live_server.url), link

    walk = Walk(browser, live_server.url)
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = walk.watch(context.new_page())
    page.set_default_timeout(60_000)
    page.goto(link)  # signed out: the sign-in page, then back to where the e-mail pointed
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.nic-card button[type=submit]")
    page.wait_for_selector("[data-testid=my-assignments]")
    walk.shot(page, "day-evaluator-from-email")
    page.click("text=메일평가기업")
    page.wait_for_selector("[data-testid=review-confirm]")
    page.click("label[for=id_no_conflict]")
    page.click("[data-testid=review-open]")
    page.wait_for_selector("[data-testid=review-submit]")
    selects = page.locator("select[name^=score_]")
    for i in range(selects.count()):
        selects.nth(i).select_option("4")
    page.fill("textarea[name=comment]", "시장 성장성이 높음")
    page.click("[data-testid=review-submit]")
    page.wait_for_selector("[data-testid=review-submitted]")
    walk.shot(page, "day-evaluator-submitted")
    context.close()
    assert Review.objects.get(assignment__evaluator=evaluator).state == "submitted"
    assert not walk.csp_violations, walk.csp_violations


def test_a_company_from_the_invitation_to_the_approved_loan(
    live_server: Any, reference_data: None, browser: Any, settings: Any
) -> None:
    """The office invites a selected company's representative; from the e-mail the representative sets a password
    and an authenticator, applies for a loan at the Center; the institution approves it (through its pages'
    service) and the representative finds it approved, told in the app and by e-mail."""
    import base64

    from django_otp.oath import totp

    from nic1000.accounts.services.invitations import invitation_create
    from nic1000.finance.models import Application
    from nic1000.finance.services import application_approve, application_start_review
    from tests.finance.factories import ensure_products, select

    settings.NIC1000_SITE_URL = live_server.url
    ensure_products()
    po = UserFactory(username="po_company_day", role="program_office", is_staff=True)
    company = CompanyFactory(name_ko="초대받은기업")
    select(company)
    invitation_create(
        email="ceo@invited.kr", role="company", company=company, display_name="대표", acting_user=po
    )
    # The invitation goes out once its transaction commits (here: at once, outside a test transaction).
    [message] = [m for m in mail.outbox if m.to == ["ceo@invited.kr"]]
    link = _link(message)

    walk = Walk(browser, live_server.url)
    context = browser.new_context(locale="ko-KR", viewport={"width": 1280, "height": 900})
    page = walk.watch(context.new_page())
    page.set_default_timeout(60_000)
    page.goto(link)
    secret = page.inner_text("[data-testid=totp-secret]").strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.fill("input[name=token]", f"{totp(key, 30, 0, 6, 0):06d}")
    walk.shot(page, "day-company-invitation")
    with page.expect_navigation():
        page.click("form.nic-card button[type=submit]")
    assert "/accounts/invitations/" not in page.url, page.content()[:3000]

    page.goto(f"{live_server.url}/finance/apply/")
    page.select_option("select[name=purpose]", index=1)
    page.fill("input[name=amount]", "1500000000")
    page.fill("textarea[name=note]", "양산 설비 확충")
    walk.shot(page, "day-company-apply")
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    application = Application.objects.get(company=company)

    officer = UserFactory(
        username="officer_company_day", role="institution_officer", institution=application.institution
    )
    application_start_review(application=application, acting_user=officer)
    application_approve(
        application=application,
        acting_user=officer,
        amount=1_200_000_000,
        rate_pct=Decimal("3.1"),
        maturity_months=36,
    )
    deliveries_send_due()
    assert [m for m in mail.outbox if m.to == ["ceo@invited.kr"] and m is not message]  # told by e-mail too

    page.goto(f"{live_server.url}/finance/applications/{application.pk}/")
    assert "승인" in page.inner_text("main")
    page.goto(f"{live_server.url}/notifications/")
    walk.shot(page, "day-company-told")
    assert page.locator("main li, main tr").count() >= 1
    context.close()
    assert not walk.csp_violations, walk.csp_violations
