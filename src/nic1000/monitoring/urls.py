from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import MONITORING_READERS, Role
from nic1000.monitoring import views, views_followup, views_reevaluation

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("inspections/", views.run_list, name="run_list"),
    path("inspections/start/", views.run_start, name="run_start"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/open/", views_followup.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/action/", views.case_action, name="case_action"),
    path("cases/<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/monthly/", views.survey_submit, {"kind": "monthly"}, name="monthly_survey"),
    path("surveys/difficulty/", views.survey_submit, {"kind": "difficulty"}, name="difficulty_survey"),
    path("surveys/follow-up/", views_followup.survey_followup, name="survey_followup"),
    path("surveys/follow-up/remind/", views_followup.survey_remind, name="survey_remind"),
    path("surveys/<str:kind>/<int:pk>/review/", views.survey_review, name="survey_review"),
    path("removals/", views.removal_list, name="removal_list"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("reevaluations/", views_reevaluation.reevaluation_list, name="reevaluation_list"),
    path("reevaluations/open/", views_reevaluation.reevaluation_period_open, name="reevaluation_period_open"),
    path("reevaluations/<int:pk>/", views_reevaluation.reevaluation_detail, name="reevaluation_detail"),
    path(
        "reevaluations/<int:pk>/decide/",
        views_reevaluation.reevaluation_decision,
        name="reevaluation_decision",
    ),
    path("reevaluations/companies/<int:pk>/", views_reevaluation.reevaluation_file, name="reevaluation_file"),
    path("risk/", views.risk_calibration, name="risk_calibration"),
    path("risk/change/", views.risk_calibration_change, name="risk_calibration_change"),
    path("statements/", views.statements, name="statements"),
    path("statements/submit/", views.statement_submit, name="statement_submit"),
    path("statements/upload/", views.statement_upload, name="statement_upload"),
]

register_nav("monitoring:dashboard", _("Monitoring"), MONITORING_READERS)
register_nav("monitoring:survey_list", _("Surveys and statements"), {Role.COMPANY})
