"""Body-run evaluation: a body's own committee assigns its members to its candidacies with the optimal solver,
decides its list, and the office's selection takes only the recommended; the central panel never mixes in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from nic1000.core.errors import Conflict, Forbidden
from nic1000.rounds.models import Assignment, Candidacy, RoundBody, RoundSettings
from nic1000.rounds.services import assignment as assignment_services
from nic1000.rounds.services import committees as services
from nic1000.rounds.services.selection import scores_aggregate, selection_run
from tests.factories import body
from tests.rounds.factories import make_candidacy, make_evaluator, make_round, submit_review
from tests.told import assert_told

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    po = personas.program_office
    rnd = make_round(acting_user=po, state="nominating")
    RoundSettings.objects.filter(round=rnd).update(reviews_per_candidacy=2, load_min=0, load_max=10)
    services.round_body_evaluation_set(round=rnd, body=body("MSS"), evaluation="body", acting_user=po)
    mss = [make_candidacy(rnd, bodies=("MSS",), by=personas.ministry_mss) for _ in range(4)]
    motie = [make_candidacy(rnd, bodies=("MOTIE",), by=personas.ministry_motie) for _ in range(3)]
    central = [make_evaluator(f"central{i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        members = [
            services.committee_member_add(
                body=body("MSS"),
                username=f"mss_member{i}",
                email=f"m{i}@mss.go.kr",
                display_name=f"위원{i}",
                affiliation="KAIST",
                ksic_sections="C",
                keywords="반도체",
                acting_user=personas.ministry_mss,
            )
            for i in range(3)
        ]
    return {"round": rnd, "mss": mss, "motie": motie, "central": central, "members": members}


def test_members_get_a_link_to_choose_a_password(world: dict[str, Any]) -> None:
    assert len(mail.outbox) == 3
    assert "/accounts/password/reset/" in mail.outbox[0].body
    assert all(m.body_id == body("MSS").pk for m in world["members"])


def test_each_panel_assigns_only_its_own(personas: Any, world: dict[str, Any]) -> None:
    rnd = world["round"]
    assignment_services.committee_assignment_solve(
        round=rnd, body_id=body("MSS").pk, acting_user=personas.ministry_mss
    )
    assignment_services.assignment_solve(round=rnd, acting_user=personas.program_office)
    pairs = list(Assignment.objects.filter(round=rnd, active=True).select_related("candidacy", "evaluator"))
    members = {m.pk for m in world["members"]}
    for a in pairs:
        if a.candidacy.lead_body.code == "MSS":
            assert a.evaluator_id in members
        else:
            assert a.evaluator_id not in members
    assert len(pairs) == 2 * 7
    # the central re-solve kept the committee's pairs
    assert Assignment.objects.filter(round=rnd, active=True, candidacy__lead_body__code="MSS").count() == 8


def test_another_body_cannot_run_or_decide_the_committee(personas: Any, world: dict[str, Any]) -> None:
    rnd = world["round"]
    with pytest.raises(Forbidden):
        assignment_services.committee_assignment_solve(
            round=rnd, body_id=body("MSS").pk, acting_user=personas.ministry_motie
        )
    with pytest.raises(Conflict):  # MOTIE is evaluated centrally
        assignment_services.committee_assignment_solve(
            round=rnd, body_id=body("MOTIE").pk, acting_user=personas.ministry_motie
        )
    with pytest.raises(Forbidden):
        services.committee_decide(
            round=rnd, body=body("MSS"), recommended=set(), note="", acting_user=personas.ministry_motie
        )
    assert not Assignment.objects.filter(round=rnd).exists()


def _score_everything(personas: Any, world: dict[str, Any]) -> None:
    rnd = world["round"]
    assignment_services.committee_assignment_solve(
        round=rnd, body_id=body("MSS").pk, acting_user=personas.ministry_mss
    )
    assignment_services.assignment_solve(round=rnd, acting_user=personas.program_office)
    type(rnd).objects.filter(pk=rnd.pk).update(state="evaluating")
    rnd.refresh_from_db()
    for i, a in enumerate(Assignment.objects.filter(round=rnd, active=True).order_by("id")):
        submit_review(a, total=50.0 + (i * 7) % 40)


def test_the_committee_decides_on_complete_scores_only(personas: Any, world: dict[str, Any]) -> None:
    rnd = world["round"]
    assignment_services.committee_assignment_solve(
        round=rnd, body_id=body("MSS").pk, acting_user=personas.ministry_mss
    )
    type(rnd).objects.filter(pk=rnd.pk).update(state="evaluating")
    rnd.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.committee_decide(
            round=rnd, body=body("MSS"), recommended=set(), note="", acting_user=personas.ministry_mss
        )
    assert exc.value.code == "reviews_missing"


def test_a_committee_cannot_decide_another_bodys_candidacy(personas: Any, world: dict[str, Any]) -> None:
    _score_everything(personas, world)
    rnd = world["round"]
    with pytest.raises(Forbidden):
        services.committee_decide(
            round=rnd,
            body=body("MSS"),
            recommended={world["mss"][0].pk, world["motie"][0].pk},
            note="",
            acting_user=personas.ministry_mss,
        )
    assert not Candidacy.objects.filter(round=rnd, committee_recommended__isnull=False).exists()


def test_selection_waits_for_the_committee_and_takes_only_its_list(
    personas: Any, world: dict[str, Any]
) -> None:
    _score_everything(personas, world)
    rnd = world["round"]
    po = personas.program_office
    scores_aggregate(round=rnd, acting_user=po)
    with pytest.raises(Conflict) as exc:
        selection_run(round=rnd, acting_user=po)
    assert exc.value.code == "committees_pending"
    recommended = {world["mss"][0].pk, world["mss"][1].pk}
    services.committee_decide(
        round=rnd,
        body=body("MSS"),
        recommended=recommended,
        note="상위 2개 추천",
        acting_user=personas.ministry_mss,
    )
    assert_told(po, "round.committee_decided")
    run = selection_run(round=rnd, acting_user=po)
    assert run.feasible
    selected_mss = set(
        Candidacy.objects.filter(round=rnd, lead_body__code="MSS", selected=True).values_list("pk", flat=True)
    )
    assert selected_mss <= recommended and selected_mss  # no total quota: every recommended one is selected
    assert Candidacy.objects.filter(round=rnd, lead_body__code="MOTIE", selected=True).count() == 3


def test_the_panel_cannot_change_once_assigned(personas: Any, world: dict[str, Any]) -> None:
    rnd = world["round"]
    assignment_services.committee_assignment_solve(
        round=rnd, body_id=body("MSS").pk, acting_user=personas.ministry_mss
    )
    with pytest.raises(Conflict):
        services.round_body_evaluation_set(
            round=rnd, body=body("MSS"), evaluation="central", acting_user=personas.program_office
        )
    assert RoundBody.objects.get(round=rnd, body=body("MSS")).evaluation == "body"


def test_a_ministry_sees_its_own_candidacies_scores_never_anothers(
    personas: Any, world: dict[str, Any]
) -> None:
    _score_everything(personas, world)
    rnd = world["round"]
    c = Client()
    c.force_login(personas.ministry_mss)
    own = c.get(reverse("rounds:committee", args=[rnd.pk, "MSS"]))
    assert own.status_code == 200
    html = own.content.decode()
    assert world["mss"][0].company.name_ko in html and world["motie"][0].company.name_ko not in html
    assert c.get(reverse("rounds:committee", args=[rnd.pk, "MOTIE"])).status_code == 404


def test_committee_pages_ask_before_deciding(personas: Any, world: dict[str, Any]) -> None:
    _score_everything(personas, world)
    rnd = world["round"]
    c = Client()
    c.force_login(personas.ministry_mss)
    url = reverse("rounds:committee_decide", args=[rnd.pk, "MSS"])
    ask = c.post(url, {"recommend": [world["mss"][0].pk], "note": "ok"})
    assert ask.status_code == 200 and 'data-testid="confirm"' in ask.content.decode()
    assert not RoundBody.objects.get(round=rnd, body=body("MSS")).decided_at
    done = c.post(url, {"recommend": [world["mss"][0].pk], "note": "ok", "confirmed": "1"})
    assert done.status_code == 302
    assert Candidacy.objects.get(pk=world["mss"][0].pk).committee_recommended is True
    assert Candidacy.objects.get(pk=world["mss"][1].pk).committee_recommended is False
