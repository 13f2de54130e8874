from __future__ import annotations

import pytest

from nic1000.core.errors import Conflict, Forbidden, ValidationFailed
from nic1000.monitoring.models import DifficultySurvey, MonthlySurvey
from nic1000.monitoring.services import surveys


@pytest.mark.django_db
def test_company_submits_and_corrects_its_monthly_survey_until_reviewed(personas) -> None:
    a = personas.company_a_obj
    values = {
        "support_status": "waiting",
        "financing_need": 3_000_000_000,
        "financing_plan": "loan",
        "needs_help": True,
    }
    surveys.monthly_survey_submit(company=a, period="2026-05", values=values, acting_user=personas.company_a)
    s = surveys.monthly_survey_submit(
        company=a,
        period="2026-05",
        values={**values, "support_status": "received"},
        acting_user=personas.company_a,
    )
    assert MonthlySurvey.objects.filter(company=a).count() == 1
    assert s.support_status == "received"
    surveys.survey_review(survey=s, note="ok", acting_user=personas.support)
    with pytest.raises(Conflict):
        surveys.monthly_survey_submit(
            company=a, period="2026-05", values=values, acting_user=personas.company_a
        )


@pytest.mark.django_db
def test_a_company_cannot_fill_in_another_companys_survey(personas) -> None:
    with pytest.raises(Forbidden):
        surveys.monthly_survey_submit(
            company=personas.company_b_obj,
            period="2026-05",
            values={"support_status": "received"},
            acting_user=personas.company_a,
        )
    with pytest.raises(Forbidden):
        surveys.difficulty_survey_submit(
            company=personas.company_a_obj,
            half="2026H1",
            values={"satisfaction": 3},
            acting_user=personas.support,
        )


@pytest.mark.django_db
def test_difficulty_survey_validation(personas) -> None:
    with pytest.raises(ValidationFailed) as exc:
        surveys.difficulty_survey_submit(
            company=personas.company_a_obj,
            half="2026H1",
            values={"satisfaction": 9, "difficulties": ["nonsense"]},
            acting_user=personas.company_a,
        )
    assert {d.field for d in exc.value.details} == {"satisfaction", "difficulties"}
    assert not DifficultySurvey.objects.exists()
    s = surveys.difficulty_survey_submit(
        company=personas.company_a_obj,
        half="2026H1",
        values={"satisfaction": 4, "difficulties": ["funding", "sales", "funding"]},
        acting_user=personas.company_a,
    )
    assert s.difficulties == ["funding", "sales"]


@pytest.mark.django_db
def test_only_the_group_reviews(personas) -> None:
    s = surveys.difficulty_survey_submit(
        company=personas.company_a_obj,
        half="2026H1",
        values={"satisfaction": 4},
        acting_user=personas.company_a,
    )
    for user in (personas.company_a, personas.auditor, personas.ministry_mss):
        with pytest.raises(Forbidden):
            surveys.survey_review(survey=s, note="x", acting_user=user)
