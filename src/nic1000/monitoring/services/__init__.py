"""Monitoring writes, one module per topic; every service is keyword-only, transactional and audited.

* `inspections`: the monthly inspection of every designated company (chunked, resumable, claimed);
* `explanations`: its explanation phase (SHAP contributions for warned companies);
* `early_warning`: the model the inspections use;
* `cases`: support cases, opened by hand or by an inspection;
* `surveys`: the companies' monthly and six-monthly surveys and their review;
* `removals`: removal from the programme at re-evaluation;
* `chasing`: asking companies for missing statements.

The names below are those the demo stage and the inspection bench call as `services.<name>`; code in this app
imports the topic modules.
"""

from nic1000.monitoring.periods import half_of
from nic1000.monitoring.services.cases import case_action_add, case_assign, case_transition
from nic1000.monitoring.services.early_warning import model_in_use
from nic1000.monitoring.services.explanations import inspection_explain
from nic1000.monitoring.services.inspections import inspection_run
from nic1000.monitoring.services.removals import membership_remove
from nic1000.monitoring.services.surveys import difficulty_survey_submit, monthly_survey_submit, survey_review

__all__ = [
    "case_action_add",
    "case_assign",
    "case_transition",
    "difficulty_survey_submit",
    "half_of",
    "inspection_explain",
    "inspection_run",
    "membership_remove",
    "model_in_use",
    "monthly_survey_submit",
    "survey_review",
]
