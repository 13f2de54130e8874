from django.urls import path
from django.utils.translation import gettext_lazy as _

from nic1000.core.context_processors import register_nav
from nic1000.core.roles import OFFICE_AND_AUDIT, PUBLIC, Role
from nic1000.rounds.selectors import ROUND_READERS
from nic1000.rounds.views import (
    committees,
    evaluation,
    evaluators,
    nominations,
    public,
    publication,
    selection,
    setup,
)

app_name = "rounds"
urlpatterns = [
    # setup
    path("", setup.round_list, name="list"),
    path("new/", setup.round_create, name="create"),
    path("programmes/new/", setup.program_create, name="program_create"),
    path("programmes/<int:pk>/", setup.program_detail, name="program_detail"),
    path("programmes/<int:pk>/settings/", setup.program_settings, name="program_settings"),
    path("<int:pk>/", setup.round_detail, name="detail"),
    path("<int:pk>/transition/", setup.round_transition, name="transition"),
    path("<int:pk>/settings/", setup.round_settings, name="settings"),
    path("<int:pk>/settings/eligibility/", setup.body_rules_save, name="settings_body_rules"),
    path("<int:pk>/settings/bonus-items/", setup.bonus_item_add, name="settings_bonus_item"),
    path("<int:pk>/criteria/", setup.round_criteria, name="criteria"),
    path("<int:pk>/quotas/", setup.round_quotas, name="quotas"),
    # who evaluates each body's candidacies; body-run committees
    path("<int:pk>/committees/", committees.committees, name="committees"),
    path("<int:pk>/committees/evaluation/", committees.committee_evaluation, name="committee_evaluation"),
    path("<int:pk>/bodies/<str:code>/", committees.committee, name="committee"),
    path("<int:pk>/bodies/<str:code>/members/", committees.committee_member_add, name="committee_member_add"),
    path(
        "<int:pk>/bodies/<str:code>/members/<int:member>/active/",
        committees.committee_member_active,
        name="committee_member_active",
    ),
    path(
        "<int:pk>/bodies/<str:code>/members/<int:member>/link/",
        committees.committee_member_link,
        name="committee_member_link",
    ),
    path("<int:pk>/bodies/<str:code>/assign/", committees.committee_solve, name="committee_solve"),
    path("<int:pk>/bodies/<str:code>/decide/", committees.committee_decide, name="committee_decide"),
    # nominations
    path("<int:pk>/nominate/", nominations.nominate, name="nominate"),
    path("<int:pk>/nominate/check/", nominations.eligibility_check, name="eligibility_check"),
    path("<int:pk>/nominations/", nominations.nomination_list, name="nominations"),
    path("<int:pk>/candidacies/", nominations.candidacy_list, name="candidacies"),
    path("candidacies/<int:pk>/", nominations.candidacy_detail, name="candidacy"),
    path("nominations/<int:pk>/edit/", nominations.nomination_edit, name="nomination_edit"),
    path("nominations/<int:pk>/withdraw/", nominations.nomination_withdraw, name="nomination_withdraw"),
    path("candidacies/<int:pk>/eligibility/", nominations.candidacy_override, name="candidacy_override"),
    # evaluators
    path("evaluators/", evaluators.evaluator_list, name="evaluators"),
    path("evaluators/<int:user_pk>/", evaluators.evaluator_edit, name="evaluator_edit"),
    path(
        "evaluators/<int:user_pk>/relationships/",
        evaluators.evaluator_relationship_add,
        name="evaluator_relationship",
    ),
    path("me/profile/", evaluators.my_profile, name="my_profile"),
    path("me/profile/relationships/", evaluators.my_relationship_add, name="my_relationship"),
    # evaluation
    path("<int:pk>/assignments/", evaluation.assignment_page, name="assignments"),
    path("<int:pk>/assignments/solve/", evaluation.assignment_solve, name="assignment_solve"),
    path("<int:pk>/assignments/change/", evaluation.assignment_change, name="assignment_change"),
    path("<int:pk>/reviews/", evaluation.review_status, name="review_status"),
    path("<int:pk>/reviews/remind/", evaluation.review_remind, name="review_remind"),
    path("me/assignments/", evaluation.my_assignments, name="my_assignments"),
    path("me/assignments/<int:pk>/", evaluation.review, name="review"),
    path("me/assignments/<int:pk>/open/", evaluation.review_open, name="review_open"),
    path("me/assignments/<int:pk>/conflict/", evaluation.conflict_declare, name="conflict_declare"),
    # selection and publication
    path("<int:pk>/results/", selection.results, name="results"),
    path("<int:pk>/results/evaluators/", selection.evaluator_effects, name="evaluator_effects"),
    path("<int:pk>/results/aggregate/", selection.aggregate, name="aggregate"),
    path("<int:pk>/results/select/", selection.select, name="select"),
    path("<int:pk>/results/decide/", selection.decide, name="decide"),
    path("<int:pk>/results/decide/withdraw/", selection.decision_withdraw, name="decision_withdraw"),
    path("candidacies/<int:pk>/force/", selection.force, name="force"),
    path("<int:pk>/publish/", publication.publish, name="publish"),
    # public
    path("published/", public.public_rounds, name="public_list"),
    path("<int:pk>/selection/", public.public_selection, name="public_selection"),
    path("<int:pk>/selection.xlsx", public.public_selection_xlsx, name="public_selection_xlsx"),
]

register_nav("rounds:list", _("Rounds"), ROUND_READERS)
register_nav("rounds:my_assignments", _("My evaluations"), {Role.EVALUATOR})
register_nav("rounds:evaluators", _("Evaluators"), OFFICE_AND_AUDIT)
register_nav("rounds:public_list", _("Selected companies"), {PUBLIC})
