from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nic1000.monitoring.models import InspectionResult, InspectionRun, MonthlySurvey, SupportCase
from tests.monitoring.factories import member


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def monitored(personas):
    ma = member(personas.company_a_obj, body="MSS")
    mb = member(personas.company_b_obj, body="MOTIE")
    run = InspectionRun.objects.create(
        period="2026-05", status="done", created_at=timezone.now(), processed=2
    )
    for m, p, lv in ((ma, 0.41, "warning"), (mb, 0.05, "normal")):
        InspectionResult.objects.create(
            run=run, period="2026-05", company=m.company, membership=m, probability=p, level=lv,
            rules=["model_warning"] if lv == "warning" else [],
            factors=[{"feature": "X2", "en": "total liabilities / total assets is high", "ko": "부채비율이 높음"}],
        )  # fmt: skip
    case = SupportCase.objects.create(
        company=ma.company, membership=ma, level="warning", opened_at=timezone.now()
    )
    return {"a": ma, "b": mb, "case": case}


@pytest.mark.django_db
def test_survey_forms_rerender_with_errors_and_write_nothing(personas) -> None:
    c = client_for(personas.company_a)
    r = c.post(
        reverse("monitoring:monthly_survey"),
        {"period": "2026-13", "support_status": "bogus", "financing_need": "-5"},
    )
    assert r.status_code == 422
    body = r.content.decode()
    assert body.count('class="errorlist"') >= 3
    assert 'value="2026-13"' in body
    r = c.post(reverse("monitoring:difficulty_survey"), {"half": "2026H3", "satisfaction": "7"})
    assert r.status_code == 422 and "errorlist" in r.content.decode()
    assert not MonthlySurvey.objects.exists()
    r = c.post(
        reverse("monitoring:monthly_survey"),
        {"period": "2026-05", "support_status": "received", "financing_need": "0", "financing_plan": "none"},
    )
    assert r.status_code == 302
    assert MonthlySurvey.objects.get().company == personas.company_a_obj


@pytest.mark.django_db
def test_ministry_sees_only_the_companies_it_nominated(personas, monitored) -> None:
    mss, motie = client_for(personas.ministry_mss), client_for(personas.ministry_motie)
    a, b = personas.company_a_obj, personas.company_b_obj
    assert mss.get(reverse("monitoring:company_detail", args=[a.pk])).status_code == 200
    assert mss.get(reverse("monitoring:company_detail", args=[b.pk])).status_code == 404
    assert motie.get(reverse("monitoring:company_detail", args=[a.pk])).status_code == 404
    assert motie.get(reverse("monitoring:case_detail", args=[monitored["case"].pk])).status_code == 404
    page = mss.get(reverse("monitoring:dashboard")).content.decode()
    assert a.name_ko in page and b.name_ko not in page


@pytest.mark.django_db
def test_support_group_sees_everything_with_explanation_and_chart(personas, monitored) -> None:
    c = client_for(personas.support)
    page = c.get(reverse("monitoring:dashboard")).content.decode()
    assert personas.company_a_obj.name_ko in page and personas.company_b_obj.name_ko in page
    detail = c.get(reverse("monitoring:case_detail", args=[monitored["case"].pk])).content.decode()
    assert "chart.umd.min.js" in detail and "risk-trend" in detail
    company = c.get(
        reverse("monitoring:company_detail", args=[personas.company_a_obj.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "부채비율이 높음" in company.content.decode() or "liabilities" in company.content.decode()


def _script_json(html: str, element_id: str) -> object:
    import json
    import re

    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no json_script {element_id}"
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_risk_trend_data_is_a_list_encoded_once(personas, monitored) -> None:
    """The chart script maps over a list; a JSON string inside the JSON (encoded twice) never drew."""
    c = client_for(personas.support)
    for url in (
        reverse("monitoring:company_detail", args=[personas.company_a_obj.pk]),
        reverse("monitoring:case_detail", args=[monitored["case"].pk]),
    ):
        data = _script_json(c.get(url).content.decode(), "trend-data")
        assert isinstance(data, list), (url, data)
        assert data and data[-1]["period"] == "2026-05" and data[-1]["p"] == pytest.approx(0.41)
        assert data[-1]["level"] == "warning"


@pytest.mark.django_db
def test_companies_and_institutions_never_see_scores(personas, monitored) -> None:
    for user in (personas.company_a, personas.institution_kdb, personas.evaluator):
        c = client_for(user)
        assert c.get(reverse("monitoring:dashboard")).status_code == 403
        assert (
            c.get(reverse("monitoring:company_detail", args=[personas.company_a_obj.pk])).status_code == 403
        )
    page = client_for(personas.company_a).get(reverse("monitoring:survey_list")).content.decode()
    assert "0.41" not in page


@pytest.mark.django_db
def test_company_sees_only_its_own_surveys(personas) -> None:
    now = timezone.now()
    MonthlySurvey.objects.create(
        company=personas.company_b_obj, period="2026-05", support_status="received", financing_plan="B-secret-plan",
        submitted_at=now,
    )  # fmt: skip
    page = client_for(personas.company_a).get(reverse("monitoring:survey_list")).content.decode()
    assert "B-secret-plan" not in page
    page = client_for(personas.company_b).get(reverse("monitoring:survey_list")).content.decode()
    assert "B-secret-plan" in page


@pytest.mark.django_db
def test_case_action_form_errors_rerender(personas, monitored) -> None:
    c = client_for(personas.support)
    r = c.post(
        reverse("monitoring:case_action", args=[monitored["case"].pk]),
        {"kind": "maturity_extension", "note": ""},
    )
    assert r.status_code == 422
    assert r.content.decode().count('class="errorlist"') >= 2
    r = c.post(
        reverse("monitoring:case_transition", args=[monitored["case"].pk]),
        {"transition": "resolve", "reason": ""},
    )
    assert r.status_code == 422


@pytest.mark.django_db
def test_removal_page(personas, monitored) -> None:
    c = client_for(personas.program_office)
    url = reverse("monitoring:membership_remove", args=[monitored["a"].pk])
    assert c.post(url, {"reason": "", "note": ""}).status_code == 422
    r = c.post(url, {"reason": "mass_production_failed", "note": "no mass production after 2 years"})
    assert r.status_code == 200 and 'data-testid="confirm"' in r.content.decode()  # asks first
    r = c.post(
        url,
        {"reason": "mass_production_failed", "note": "no mass production after 2 years", "confirmed": "1"},
    )
    assert r.status_code == 302
    page = c.get(reverse("monitoring:removal_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The reason, the note and the body are the designation's, shown from there.
    assert "no mass production after 2 years" in page and "Failed mass production" in page
    assert "<td>MSS</td>" in page and 'data-testid="vacancies"' in page


@pytest.mark.django_db
def test_survey_and_case_lists_show_labels_not_codes(personas, monitored) -> None:
    from nic1000.monitoring.models import DifficultySurvey

    DifficultySurvey.objects.create(
        company=personas.company_a_obj, half="2026H1", satisfaction=4, difficulties=["funding", "hiring"],
        submitted_at=timezone.now(),
    )  # fmt: skip
    c = client_for(personas.support)
    page = c.get(reverse("monitoring:survey_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Access to funding, Hiring" in page
    page = c.get(reverse("monitoring:case_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Open</td>" in page
