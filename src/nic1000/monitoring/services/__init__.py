"""Monitoring writes, one module per topic; every service is keyword-only, transactional and audited.

* `inspections`: the monthly inspection of every designated company (chunked, resumable, claimed);
* `explanations`: its explanation phase (SHAP contributions for warned companies);
* `early_warning`: the model the inspections use;
* `cases`: support cases, opened by hand or by an inspection;
* `surveys`: the companies' monthly and six-monthly surveys and their review;
* `removals`: removal from the programme at re-evaluation;
* `chasing`: asking companies for missing statements.

The names below are the ones code outside the app (demo stages, benches) calls.
"""

from nic1000.monitoring.periods import expected_fiscal_year, half_of, period_of, period_validate
from nic1000.monitoring.services.cases import case_action_add, case_assign, case_open, case_transition
from nic1000.monitoring.services.chasing import statements_chase
from nic1000.monitoring.services.early_warning import model_activate, model_in_use
from nic1000.monitoring.services.explanations import inspection_explain
from nic1000.monitoring.services.inspections import (
    DEFAULT_CHUNK_SIZE,
    inspection_run,
    inspection_run_request,
    inspection_task_set,
)
from nic1000.monitoring.services.removals import membership_remove
from nic1000.monitoring.services.surveys import difficulty_survey_submit, monthly_survey_submit, survey_review

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "case_action_add",
    "case_assign",
    "case_open",
    "case_transition",
    "difficulty_survey_submit",
    "expected_fiscal_year",
    "half_of",
    "inspection_explain",
    "inspection_run",
    "inspection_run_request",
    "inspection_task_set",
    "membership_remove",
    "model_activate",
    "model_in_use",
    "monthly_survey_submit",
    "period_of",
    "period_validate",
    "statements_chase",
    "survey_review",
]
