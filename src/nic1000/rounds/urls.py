from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import Role
from nic1000.rounds import views

app_name = "rounds"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_create, name="create"),
    path("programmes/new/", views.program_create, name="program_create"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/transition/", views.round_transition, name="transition"),
    path("<int:pk>/settings/", views.round_settings, name="settings"),
    path("<int:pk>/criteria/", views.round_criteria, name="criteria"),
    path("<int:pk>/quotas/", views.round_quotas, name="quotas"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/nominate/check/", views.eligibility_check, name="eligibility_check"),
    path("<int:pk>/nominations/", views.nomination_list, name="nominations"),
    path("<int:pk>/candidacies/", views.candidacy_list, name="candidacies"),
    path("<int:pk>/assignments/", views.assignment_page, name="assignments"),
    path("<int:pk>/assignments/solve/", views.assignment_solve, name="assignment_solve"),
    path("<int:pk>/assignments/change/", views.assignment_change, name="assignment_change"),
    path("<int:pk>/reviews/", views.review_status, name="review_status"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/aggregate/", views.aggregate, name="aggregate"),
    path("<int:pk>/results/select/", views.select, name="select"),
    path("<int:pk>/results/decide/", views.decide, name="decide"),
    path("<int:pk>/results/decide/withdraw/", views.decision_withdraw, name="decision_withdraw"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("candidacies/<int:pk>/", views.candidacy_detail, name="candidacy"),
    path("candidacies/<int:pk>/eligibility/", views.candidacy_override, name="candidacy_override"),
    path("candidacies/<int:pk>/force/", views.force, name="force"),
    path("evaluators/", views.evaluator_list, name="evaluators"),
    path("evaluators/<int:user_pk>/", views.evaluator_edit, name="evaluator_edit"),
    path("me/profile/", views.my_profile, name="my_profile"),
    path("me/assignments/", views.my_assignments, name="my_assignments"),
    path("me/assignments/<int:pk>/", views.review, name="review"),
    path("me/assignments/<int:pk>/conflict/", views.conflict_declare, name="conflict_declare"),
    path("published/", views.public_rounds, name="public_list"),
    path("<int:pk>/selection/", views.public_selection, name="public_selection"),
    path("<int:pk>/selection.xlsx", views.public_selection_xlsx, name="public_selection_xlsx"),
]

_STAFF = {Role.PROGRAM_OFFICE, Role.MINISTRY_OFFICER, Role.AUDITOR, Role.SUPPORT_GROUP, Role.EVALUATOR}
register_nav("rounds:list", _("Rounds"), _STAFF)
register_nav("rounds:my_assignments", _("My evaluations"), {Role.EVALUATOR})
register_nav("rounds:evaluators", _("Evaluators"), {Role.PROGRAM_OFFICE, Role.AUDITOR})
register_nav("rounds:public_list", _("Selected companies"), {"public"})
