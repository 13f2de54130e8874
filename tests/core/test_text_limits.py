"""Every free-text input has a length limit (TEXT_MAX_CHARS): the form refuses it, and so does the service
(the API and commands call services directly). Nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from nic1000.core.errors import ValidationFailed
from nic1000.core.text import BoundedTextForm, text_check
from nic1000.finance.models import Application
from nic1000.monitoring.models import CaseAction, MonthlySurvey, SupportCase
from nic1000.monitoring.services.cases import case_action_add
from nic1000.rounds.models import Nomination
from nic1000.rounds.services.nominations import nomination_create
from tests.factories import CompanyFactory
from tests.finance.factories import make_application, make_token, select
from tests.monitoring.factories import member
from tests.rounds.factories import make_round

pytestmark = pytest.mark.django_db

LONG = "가" * 10_001  # one over the default limit


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_nomination_form_refuses_a_long_reason(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    company = CompanyFactory()
    r = _client(personas.ministry_mss).post(
        f"/rounds/{rnd.pk}/nominate/", {"brn": company.brn, "reason": LONG}
    )
    assert r.status_code == 422
    assert "10000" in r.content.decode() or "10,000" in r.content.decode()
    assert not Nomination.objects.exists()


def test_nomination_service_refuses_a_long_reason(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    with pytest.raises(ValidationFailed) as refused:
        nomination_create(round=rnd, company=CompanyFactory(), reason=LONG, acting_user=personas.ministry_mss)
    assert refused.value.code == "text_too_long" and refused.value.details[0].field == "reason"
    with pytest.raises(ValidationFailed):
        nomination_create(
            round=rnd, company=CompanyFactory(), reason="ok", evidence=LONG, acting_user=personas.ministry_mss
        )
    assert not Nomination.objects.exists()


def _case(personas: Any) -> SupportCase:
    m = member(personas.company_a_obj, body="MSS")
    return SupportCase.objects.create(
        company=m.company, membership=m, level="warning", opened_at=timezone.now()
    )


def test_case_note_refused_by_the_page_and_the_service(personas: Any) -> None:
    case = _case(personas)
    r = _client(personas.support).post(
        reverse("monitoring:case_action", args=[case.pk]), {"kind": "consultation", "note": LONG}
    )
    assert r.status_code == 422
    with pytest.raises(ValidationFailed) as refused:
        case_action_add(case=case, kind="consultation", note=LONG, acting_user=personas.support)
    assert refused.value.code == "text_too_long"
    r = _client(personas.support).post(
        reverse("monitoring:case_transition", args=[case.pk]), {"transition": "resolve", "reason": LONG}
    )
    assert r.status_code == 422
    assert not CaseAction.objects.exists()


def test_survey_text_refused(personas: Any) -> None:
    r = _client(personas.company_a).post(
        reverse("monitoring:monthly_survey"),
        {"period": "2026-05", "support_status": "received", "financing_need": "0", "financing_plan": LONG},
    )
    assert r.status_code == 422
    assert not MonthlySurvey.objects.exists()


def test_api_decision_reason_refused(personas: Any) -> None:
    select(personas.company_a_obj, sales=10_000_000_000)
    app = make_application(
        personas.company_a_obj, code="KDB-OPER", amount=2_000_000_000, limit_krw=6_000_000_000
    )
    _, secret = make_token("KDB")
    c = Client(headers={"Authorization": f"Bearer {secret}"})
    url = f"/api/v1/finance/applications/{app.pk}/decisions"

    def post(payload: dict[str, Any], key: str) -> Any:
        return c.post(
            url, data=json.dumps(payload), content_type="application/json", headers={"Idempotency-Key": key}
        )

    assert post({"decision": "start_review"}, "a").status_code == 200
    r = post({"decision": "decline", "reason": LONG}, "b")
    assert 400 <= r.status_code < 500, r.content[:300]
    app.refresh_from_db()
    assert app.state == "under_review" and app.decline_reason == ""
    assert Application.objects.filter(decline_reason__startswith="가").count() == 0


@override_settings(TEXT_MAX_CHARS=10)
def test_the_limit_is_a_setting_and_bounds_every_free_text_field() -> None:
    from django import forms

    class F(BoundedTextForm):
        a = forms.CharField(widget=forms.Textarea)
        b = forms.CharField(max_length=50)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.fields["late"] = forms.CharField(required=False)

    form = F({"a": "x" * 11, "b": "y" * 30, "late": "z" * 11})
    assert not form.is_valid()
    assert set(form.errors) == {"a", "late"}
    assert F().fields["a"].widget.attrs["maxlength"] == "10"
    text_check(a="x" * 10)
    with pytest.raises(ValidationFailed):
        text_check(a="x" * 11, b=None)
