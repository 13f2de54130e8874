import pytest
from django.test import Client

from nic1000.core.errors import Conflict, ValidationFailed
from nic1000.rounds.models import Candidacy, CommitteeDecision, SelectionRun
from nic1000.rounds.services.selection import (
    candidacy_force,
    committee_decision_record,
    committee_decision_withdraw,
    scores_aggregate,
    selection_run,
)
from nic1000.rounds.services.setup import QuotaInput, quotas_set
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round, submit_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(personas):  # type: ignore[no-untyped-def]
    """Six candidacies (four MSS, two MOTIE) scored by two evaluators each."""
    rnd = make_round(acting_user=personas.program_office, state="selecting")
    e1, e2 = make_evaluator("s1"), make_evaluator("s2")
    cands = []
    plan = [("MSS", 5, 5), ("MSS", 5, 4), ("MSS", 4, 4), ("MSS", 4, 3), ("MOTIE", 3, 3), ("MOTIE", 5, 1)]
    for code, a, b in plan:
        c = make_candidacy(rnd, bodies=(code,))
        submit_review(make_assignment(c, e1), total=0, score=a)
        submit_review(make_assignment(c, e2), total=0, score=b)
        cands.append(c)
    return rnd, cands


def test_aggregate_mean_spread_and_disagreement(personas, scored) -> None:
    rnd, cands = scored
    summary = scores_aggregate(round=rnd, acting_user=personas.program_office)
    assert summary["scored"] == 6
    got = {c.pk: c for c in Candidacy.objects.filter(round=rnd)}
    assert got[cands[0].pk].score == pytest.approx(100.0)
    assert got[cands[1].pk].score == pytest.approx(87.5) and got[cands[1].pk].spread == pytest.approx(25.0)
    # six panels are too few to judge disagreement against the round's own spread: nobody is flagged
    # (tests/rounds/test_services_quality.py covers the flags)
    assert not any(c.disagreement for c in got.values())
    assert got[cands[0].pk].reviews_count == 2


def test_selection_under_quotas_explains_the_cutoff(personas, scored) -> None:
    rnd, cands = scored
    scores_aggregate(round=rnd, acting_user=personas.program_office)
    quotas_set(
        round=rnd,
        rows=[QuotaInput("total", "", 3, 3), QuotaInput("body", "MOTIE", 1, None)],
        acting_user=personas.program_office,
    )
    run = selection_run(round=rnd, acting_user=personas.program_office)
    assert run.feasible and run.selected_count == 3
    selected = set(Candidacy.objects.filter(round=rnd, selected=True).values_list("pk", flat=True))
    # The MOTIE minimum pulls in MOTIE's best (cands[5], mean 50 > cands[4]'s 50? tie → tech score) and
    # pushes out the third MSS candidacy.
    assert cands[0].pk in selected and cands[1].pk in selected
    assert len(selected & {cands[4].pk, cands[5].pk}) == 1
    third = Candidacy.objects.get(pk=cands[2].pk)
    assert not third.selected and "MOTIE" in third.deciding_quota
    assert Candidacy.objects.get(pk=cands[0].pk).rank == 1


def test_infeasible_quotas_are_diagnosed_by_name_and_nothing_changes(personas, scored) -> None:
    rnd, _cands = scored
    scores_aggregate(round=rnd, acting_user=personas.program_office)
    quotas_set(round=rnd, rows=[QuotaInput("total", "", 2, 2)], acting_user=personas.program_office)
    assert selection_run(round=rnd, acting_user=personas.program_office).feasible
    before = list(Candidacy.objects.filter(round=rnd).order_by("pk").values_list("selected", "rank"))
    # MOTIE needs at least 3 but only two MOTIE candidacies exist.
    quotas_set(
        round=rnd,
        rows=[QuotaInput("total", "", 4, 4), QuotaInput("body", "MOTIE", 3, None)],
        acting_user=personas.program_office,
    )
    run = selection_run(round=rnd, acting_user=personas.program_office)
    assert not run.feasible
    assert any("MOTIE" in d["quota"] or "MOTIE" in d["message"] for d in run.diagnosis)
    assert list(Candidacy.objects.filter(round=rnd).order_by("pk").values_list("selected", "rank")) == before
    # The page and the API name it too.
    c = Client()
    c.force_login(personas.program_office)
    r = c.post(f"/api/v1/rounds/{rnd.pk}/selection-run", content_type="application/json")
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "quotas_infeasible" and "MOTIE" in str(body)
    page = c.get(f"/rounds/{rnd.pk}/results/").content.decode()
    assert 'data-testid="diagnosis"' in page and "MOTIE" in page


def test_committee_forces_then_reoptimises_and_decides(personas, scored) -> None:
    rnd, cands = scored
    scores_aggregate(round=rnd, acting_user=personas.program_office)
    quotas_set(round=rnd, rows=[QuotaInput("total", "", 2, 2)], acting_user=personas.program_office)
    selection_run(round=rnd, acting_user=personas.program_office)
    with pytest.raises(ValidationFailed):
        candidacy_force(candidacy=cands[4], forced="in", reason="", acting_user=personas.program_office)
    candidacy_force(candidacy=cands[4], forced="in", reason="전략 분야", acting_user=personas.program_office)
    candidacy_force(candidacy=cands[0], forced="out", reason="분쟁", acting_user=personas.program_office)
    selection_run(round=rnd, acting_user=personas.program_office)
    selected = set(Candidacy.objects.filter(round=rnd, selected=True).values_list("pk", flat=True))
    assert selected == {cands[4].pk, cands[1].pk}
    decision = committee_decision_record(round=rnd, note="의결", acting_user=personas.program_office)
    assert decision.selection_run == SelectionRun.objects.filter(round=rnd).first()
    with pytest.raises(Conflict):
        selection_run(round=rnd, acting_user=personas.program_office)
    assert CommitteeDecision.objects.count() == 1


def test_committee_decision_withdrawn_reopens_the_selection(personas, scored) -> None:
    from nic1000.audit.models import AuditEntry

    rnd, _cands = scored
    office = personas.program_office
    scores_aggregate(round=rnd, acting_user=office)
    selection_run(round=rnd, acting_user=office)
    with pytest.raises(Conflict):
        committee_decision_withdraw(round=rnd, reason="재심의", acting_user=office)  # nothing to withdraw
    committee_decision_record(round=rnd, note="의결", acting_user=office)
    c = Client()
    c.force_login(office)
    page = c.get(f"/rounds/{rnd.pk}/results/").content.decode()
    assert 'data-testid="decision-withdraw"' in page
    # Without a reason: refused, the decision stays.
    r = c.post(
        f"/rounds/{rnd.pk}/results/decide/withdraw/", {"reason": " "}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert CommitteeDecision.objects.filter(round=rnd).exists()
    assert "A reason is required." in r.content.decode()
    r = c.post(f"/rounds/{rnd.pk}/results/decide/withdraw/", {"reason": "재심의 요청"}, follow=True)
    assert r.status_code == 200
    assert not CommitteeDecision.objects.filter(round=rnd).exists()
    entry = AuditEntry.objects.filter(action="committee.withdraw").get()
    assert entry.actor_id == office.pk and entry.reason == "재심의 요청"
    # The selection can be re-run and decided again.
    assert selection_run(round=rnd, acting_user=office).feasible
    committee_decision_record(round=rnd, note="재의결", acting_user=office)
    assert CommitteeDecision.objects.get(round=rnd).note == "재의결"


def test_aggregate_median_option(personas) -> None:
    from nic1000.rounds.models import RoundSettings

    rnd = make_round(acting_user=personas.program_office, state="selecting")
    RoundSettings.objects.filter(round=rnd).update(aggregation="median")
    c = make_candidacy(rnd)
    for i, score in enumerate((1, 4, 5)):
        submit_review(make_assignment(c, make_evaluator(f"med{i}")), total=0, score=score)
    scores_aggregate(round=rnd, acting_user=personas.program_office)
    c.refresh_from_db()
    assert c.score == pytest.approx(75.0)  # the median evaluator (4 on 1–5), not the mean (66.7)
    assert c.reviews_count == 3  # one panel: too few to judge disagreement against the round


def test_an_ineligible_candidacy_is_never_selected(personas, scored) -> None:
    from nic1000.rounds.services.nominations import candidacy_eligibility_override

    rnd, cands = scored
    scores_aggregate(round=rnd, acting_user=personas.program_office)
    Candidacy.objects.filter(pk=cands[0].pk).update(eligible=False)  # the best score
    quotas_set(round=rnd, rows=[QuotaInput("total", "", 2, 2)], acting_user=personas.program_office)
    selection_run(round=rnd, acting_user=personas.program_office)
    selected = set(Candidacy.objects.filter(round=rnd, selected=True).values_list("pk", flat=True))
    assert selected == {cands[1].pk, cands[2].pk}
    with pytest.raises(ValidationFailed) as exc:
        candidacy_force(candidacy=cands[0], forced="in", reason="위원회", acting_user=personas.program_office)
    assert exc.value.code == "ineligible"
    candidacy_eligibility_override(
        candidacy=cands[0], eligible=True, reason="연체 해소 확인", acting_user=personas.program_office
    )
    selection_run(round=rnd, acting_user=personas.program_office)
    assert Candidacy.objects.get(pk=cands[0].pk).selected
