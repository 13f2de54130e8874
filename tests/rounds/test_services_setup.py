import pytest
from django.utils import translation

from nic1000.audit.models import AuditEntry
from nic1000.core.errors import Conflict, ValidationFailed
from nic1000.rounds.models import Criterion, EligibilityRule, Quota, RoundSettings
from nic1000.rounds.services.setup import (
    CriterionInput,
    QuotaInput,
    criteria_set,
    quotas_set,
    round_transition,
)
from tests.rounds.factories import make_round

pytestmark = pytest.mark.django_db


def test_round_create_gives_the_five_announced_criteria(personas) -> None:
    rnd = make_round(acting_user=personas.program_office)
    keys = list(Criterion.objects.filter(round=rnd).values_list("key", flat=True))
    assert keys == [
        "global_competitiveness",
        "megatrends",
        "market_growth",
        "tech_differentiation",
        "tech_maturity",
    ]
    assert sum(Criterion.objects.filter(round=rnd).values_list("weight", flat=True)) == 100
    assert RoundSettings.objects.get(round=rnd).reviews_per_candidacy == 3
    assert EligibilityRule.objects.filter(round=rnd, active=True).count() == 2
    assert AuditEntry.objects.filter(action="round.create").exists()


def test_weights_not_summing_to_100_are_refused_and_nothing_changes(personas) -> None:
    rnd = make_round(acting_user=personas.program_office)
    before = list(Criterion.objects.filter(round=rnd).values_list("key", "weight"))
    audits = AuditEntry.objects.count()
    items = [
        CriterionInput(key="a", name_ko="가", weight=60),
        CriterionInput(key="b", name_ko="나", weight=30),
    ]
    with pytest.raises(ValidationFailed) as exc:
        criteria_set(round=rnd, items=items, acting_user=personas.program_office)
    assert exc.value.code == "criteria_invalid"
    assert any(d.code == "weights_sum" and d.value == 90 for d in exc.value.details)
    assert list(Criterion.objects.filter(round=rnd).values_list("key", "weight")) == before
    assert AuditEntry.objects.count() == audits


def test_body_criteria_set_with_rubric(personas) -> None:
    from tests.factories import body

    rnd = make_round(acting_user=personas.program_office)
    items = [
        CriterionInput(key="tech", name_ko="기술성", weight=70, rubric={"1": "약함", "5": "탁월"}),
        CriterionInput(key="market", name_ko="시장성", weight=30),
    ]
    criteria_set(round=rnd, items=items, body=body("MOTIE"), acting_user=personas.program_office)
    own = Criterion.objects.filter(round=rnd, body=body("MOTIE"))
    assert [c.key for c in own] == ["tech", "market"]
    assert own[0].rubric == {"1": "약함", "5": "탁월"}
    with pytest.raises(ValidationFailed):  # rubric level outside the 1–5 scale
        criteria_set(
            round=rnd,
            items=[CriterionInput(key="x", name_ko="x", weight=100, rubric={"7": "?"})],
            body=body("MOTIE"),
            acting_user=personas.program_office,
        )


@pytest.mark.parametrize(
    "rows, code",
    [
        ([QuotaInput("total", "", 10, 5)], "quota_min_above_max"),
        (
            [
                QuotaInput("total", "", None, 10),
                QuotaInput("body", "MSS", 8, None),
                QuotaInput("body", "MOTIE", 5, None),
            ],
            "quota_mins_exceed_total",
        ),
        (
            [
                QuotaInput("total", "", 30, None),
                QuotaInput("body", "MSS", None, 10),
                QuotaInput("body", "MOTIE", None, 10),
            ],
            "quota_maxes_below_total",
        ),
    ],
)
def test_quotas_that_cannot_all_hold_are_refused(personas, rows, code) -> None:
    rnd = make_round(acting_user=personas.program_office)
    quotas_set(round=rnd, rows=[QuotaInput("total", "", None, 100)], acting_user=personas.program_office)
    with pytest.raises(ValidationFailed) as exc:
        quotas_set(round=rnd, rows=rows, acting_user=personas.program_office)
    assert exc.value.code == "quotas_infeasible"
    assert code in {d.code for d in exc.value.details}
    assert list(Quota.objects.filter(round=rnd).values_list("family", "max_count")) == [("total", 100)]


def test_open_nominations_needs_valid_weights_and_only_the_office_fires(personas) -> None:
    rnd = make_round(acting_user=personas.program_office)
    Criterion.objects.filter(round=rnd, key="megatrends").update(weight=25)  # sum 105, bypassing the service
    with pytest.raises(Conflict) as exc, translation.override("en"):
        round_transition(round=rnd, transition="open_nominations", acting_user=personas.program_office)
    assert "100" in exc.value.message
    Criterion.objects.filter(round=rnd, key="megatrends").update(weight=20)
    from nic1000.core.errors import Forbidden

    with pytest.raises(Forbidden):
        round_transition(round=rnd, transition="open_nominations", acting_user=personas.ministry_mss)
    round_transition(round=rnd, transition="open_nominations", acting_user=personas.program_office)
    rnd.refresh_from_db()
    assert rnd.state == "nominating"


def test_evaluation_cannot_start_while_a_candidacy_lacks_its_evaluators(personas) -> None:
    from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    c = make_candidacy(rnd)
    e1, e2 = make_evaluator("e1"), make_evaluator("e2")
    make_assignment(c, e1)
    make_assignment(c, e2)
    with pytest.raises(Conflict) as exc, translation.override("en"):
        round_transition(round=rnd, transition="start_evaluation", acting_user=personas.program_office)
    assert "evaluators" in exc.value.message
    make_assignment(c, make_evaluator("e3"))
    round_transition(round=rnd, transition="start_evaluation", acting_user=personas.program_office)
    assert rnd.state == "evaluating"


def test_config_locked_after_evaluation_starts(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    with pytest.raises(Conflict):
        criteria_set(
            round=rnd,
            items=[CriterionInput(key="a", name_ko="a", weight=100)],
            acting_user=personas.program_office,
        )
