"""Role matrix: monitoring (inspections, support cases, surveys, removals, company statements).

Risk scores and cases are internal: programme office, support group, auditor (read-only) and the ministry that
nominated the company (the MSS persona nominated company_a here). Companies see only their own surveys and
statement submissions. Institution officers and evaluators see nothing here.
"""

from __future__ import annotations

from typing import Any

from tests.access.spec import Case

READERS = {"program_office", "ministry_officer", "support_group", "auditor"}
GROUP = {"program_office", "support_group"}
SURVEY_READERS = READERS | {"company"}


def build(world: dict[str, Any]) -> None:
    from django.utils import timezone

    from nic1000.monitoring.models import InspectionResult, InspectionRun, MonthlySurvey, SupportCase
    from tests.monitoring.factories import member

    p = world["personas"]
    m = member(p.company_a_obj, body="MSS")
    now = timezone.now()
    run = InspectionRun.objects.create(period="2026-05", status="done", created_at=now, processed=1)
    result = InspectionResult.objects.create(
        run=run, period="2026-05", company=p.company_a_obj, membership=m, probability=0.4, level="warning",
        rules=["model_warning"],
    )  # fmt: skip
    case = SupportCase.objects.create(
        company=p.company_a_obj, membership=m, opened_from=result, level="warning", opened_at=now
    )
    survey = MonthlySurvey.objects.create(
        company=p.company_a_obj, period="2026-05", support_status="received", submitted_by=p.company_a,
        submitted_at=now,
    )  # fmt: skip
    # Re-evaluations: the MSS persona's body nominated company_a (filed) and another company (still due).
    from nic1000.designations.models import Reevaluation, ReevaluationPeriod
    from tests.factories import CompanyFactory

    period = ReevaluationPeriod.objects.create(
        half="2026H1", opened_on=now.date(), due_on=now.date(), opened_by=p.program_office
    )
    reevaluation = Reevaluation.objects.create(
        period=period, membership=m, body=m.body, innovation_effort=3, growth=3, financial=2, non_financial=3,
        recommendation="continue", filed_by=p.ministry_mss, filed_at=now,
    )  # fmt: skip
    due = member(CompanyFactory(name_ko="재평가대상"), body="MSS")
    world["monitoring"] = {
        "membership": m, "case": case, "survey": survey, "run": run, "reevaluation": reevaluation, "due": due,
    }  # fmt: skip


def _w(key: str) -> Any:
    return lambda world: {"pk": world["monitoring"][key].pk}


CASES = [
    Case("monitoring:dashboard", READERS),
    Case("monitoring:run_list", READERS),
    Case("monitoring:run_start", GROUP, method="POST", data={"period": "2026-06"}, ok=frozenset({302})),
    Case("monitoring:company_detail", READERS, kwargs=lambda w: {"pk": w["personas"].company_a_obj.pk}),
    Case("monitoring:case_list", READERS),
    Case("monitoring:case_detail", READERS, kwargs=_w("case")),
    Case(
        "monitoring:case_assign",
        GROUP,
        method="POST",
        kwargs=_w("case"),
        data={"owner": "", "due_on": ""},
        ok=frozenset({302}),
    ),
    Case(
        "monitoring:case_action",
        GROUP,
        method="POST",
        kwargs=_w("case"),
        data={"kind": "contact", "note": "called"},
        ok=frozenset({302}),
    ),
    Case(
        "monitoring:case_transition",
        GROUP,
        method="POST",
        kwargs=_w("case"),
        data={"transition": "start"},
        ok=frozenset({302}),
    ),
    Case("monitoring:risk_calibration", READERS),  # the grade table explains the grades they see
    Case(
        "monitoring:risk_calibration_change",
        GROUP,
        method="POST",
        data={"action": "set", "base_rate_percent": "1.5", "note": "", "confirmed": "1"},
        ok=frozenset({302}),
    ),
    Case(
        "monitoring:risk_calibration_change",
        GROUP,
        method="POST",
        data={"action": "set", "base_rate_percent": "1.5", "note": ""},
        label="asks first",
    ),
    Case("monitoring:survey_list", SURVEY_READERS),
    Case("monitoring:monthly_survey", {"company"}),
    Case("monitoring:difficulty_survey", {"company"}),
    Case(
        "monitoring:survey_review",
        GROUP,
        method="POST",
        kwargs=lambda w: {"kind": "monthly", "pk": w["monitoring"]["survey"].pk},
        data={"note": "ok"},
        ok=frozenset({302}),
    ),
    Case("monitoring:removal_list", {"program_office", "support_group", "auditor"}),
    Case("monitoring:membership_remove", {"program_office"}, kwargs=_w("membership")),
    Case(
        "monitoring:membership_remove",
        {"program_office"},
        method="POST",
        kwargs=_w("membership"),
        data={"reason": "other", "note": "review"},
        label="asks first",
    ),
    # Opening a case by hand: the group's; company_a already has a case, company_b is not designated, so the
    # form comes back with the problem (422) for the group and is refused to everyone else.
    Case("monitoring:case_open", GROUP),
    Case(
        "monitoring:case_open",
        GROUP,
        query=lambda w: f"company={w['personas'].company_a_obj.pk}",
        label="from the company",
    ),
    Case(
        "monitoring:case_open",
        GROUP,
        method="POST",
        data=lambda w: {"company": w["personas"].company_a_obj.brn, "level": "warning", "summary": "x"},
        ok=frozenset({422}),
    ),
    Case("monitoring:survey_followup", READERS),
    Case("monitoring:survey_followup", READERS, query="format=xlsx", label="xlsx"),
    Case("monitoring:survey_remind", GROUP, method="POST", data={"period": "2026-05"}, label="asks first"),
    Case(
        "monitoring:survey_remind",
        GROUP,
        method="POST",
        data={"period": "2026-05", "confirmed": "1"},
        ok=frozenset({302}),
    ),
    Case("monitoring:reevaluation_list", READERS),
    Case(
        "monitoring:reevaluation_period_open",
        {"program_office"},
        method="POST",
        data={"half": "2026H2", "due_on": "2099-12-31"},
        ok=frozenset({302}),
    ),
    Case("monitoring:reevaluation_detail", READERS, kwargs=_w("reevaluation")),
    # The first POST asks to confirm (200); nothing is decided yet.
    Case(
        "monitoring:reevaluation_decision",
        {"program_office"},
        method="POST",
        kwargs=_w("reevaluation"),
        data={"decision": "continue", "note": "keep"},
    ),
    Case("monitoring:reevaluation_file", {"ministry_officer"}, kwargs=_w("due")),
    Case("monitoring:statements", {"company"}),
    Case("monitoring:statement_submit", {"company"}),
    # No file: the company gets the form back with the problem marked (422); others are refused.
    Case("monitoring:statement_upload", {"company"}, method="POST", ok=frozenset({422})),
]
