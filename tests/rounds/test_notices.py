"""Who the rounds services tell, about what, with which link (issue 13): every event checked with assert_told."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.utils import translation

from nic1000.core.models import Notification
from nic1000.core.roles import Role
from nic1000.rounds.models import Assignment
from nic1000.rounds.services.assignment import assignment_change, assignment_solve
from nic1000.rounds.services.evaluators import conflict_declare
from nic1000.rounds.services.nominations import candidacy_eligibility_override, nomination_create
from nic1000.rounds.services.publication import round_publish
from nic1000.rounds.services.setup import round_transition
from tests.factories import CompanyFactory, CoreTechnologyFactory, UserFactory, body
from tests.rounds.factories import make_candidacy, make_evaluator, make_round, make_selecting_round, statement
from tests.told import assert_not_told, assert_told, told

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(settings: Any) -> Any:
    """English wording for the test (pytest-django's `settings` puts the language back afterwards)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_opening_nominations_tells_every_participating_bodys_officers(personas: Any, english: Any) -> None:
    rnd = make_round(acting_user=personas.program_office)  # MSS and MOTIE take part
    other = UserFactory(username="officer_kipo", role=Role.MINISTRY_OFFICER, body=body("KIPO"))
    round_transition(round=rnd, transition="open_nominations", acting_user=personas.program_office)
    for officer in (personas.ministry_mss, personas.ministry_motie):
        n = assert_told(officer, "round.nominations_open", round=rnd.name)
        assert n.link == f"/rounds/{rnd.pk}/nominate/"
        assert rnd.name in n.title_text
    assert_not_told(other, "round.nominations_open")
    assert_not_told(personas.company_a, "round.nominations_open")


def test_a_candidacy_found_ineligible_tells_its_body_and_the_company_with_the_reasons(
    personas: Any, english: Any
) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    company = personas.company_a_obj
    last = statement(company, credit_delinquency=True)
    nomination_create(round=rnd, company=company, reason="혁신", acting_user=personas.ministry_mss)
    n = assert_told(personas.ministry_mss, "round.ineligible", reasons="credit_delinquency")
    assert n.params["delinquency_year"] == last.fiscal_year
    assert f"Credit delinquency recorded in fiscal year {last.fiscal_year}." == n.body_text
    assert n.link.startswith("/rounds/candidacies/")
    rep = assert_told(personas.company_a, "round.ineligible", company=company.name_ko)
    assert rep.link == f"/registry/companies/{company.pk}/"
    assert_not_told(personas.ministry_motie, "round.ineligible")
    # Stored as a msgid and values (worded in each reader's language when shown), never as rendered words.
    assert n.body == "Credit delinquency recorded in fiscal year %(delinquency_year)s."


def test_an_eligible_nomination_tells_nobody_it_is_ineligible(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    statement(personas.company_a_obj)
    nomination_create(
        round=rnd, company=personas.company_a_obj, reason="혁신", acting_user=personas.ministry_mss
    )
    assert_not_told(personas.ministry_mss, "round.ineligible")
    assert_not_told(personas.company_a, "round.ineligible")


def test_the_office_overriding_to_ineligible_tells_every_nominating_body(personas: Any, english: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    c = make_candidacy(rnd, company=personas.company_a_obj, bodies=("MSS",), by=personas.ministry_mss)
    candidacy_eligibility_override(
        candidacy=c, eligible=False, reason="국세 체납 확인", acting_user=personas.program_office
    )
    n = assert_told(personas.ministry_mss, "round.ineligible", reasons="override")
    assert "국세 체납 확인" in n.body_text
    assert_told(personas.company_a, "round.ineligible")
    # Back to eligible: nobody is told it is ineligible again.
    before = Notification.objects.count()
    candidacy_eligibility_override(
        candidacy=c, eligible=True, reason="해소", acting_user=personas.program_office
    )
    assert Notification.objects.count() == before


@pytest.fixture
def assignable(personas: Any) -> tuple[Any, list[Any], list[Any]]:
    rnd = make_round(acting_user=personas.program_office, state="nominating", load_max=4)
    cands = []
    for i in range(4):
        company = CompanyFactory(name_ko=f"반도체기업{i}")
        CoreTechnologyFactory(company=company, name="AI 반도체", keywords="NPU, 반도체")
        cands.append(make_candidacy(rnd, company=company))
    evals = [make_evaluator("ev_po", user=personas.evaluator)] + [make_evaluator(f"ev{i}") for i in range(4)]
    return rnd, cands, evals


def test_the_optimal_assignment_tells_each_evaluator_once_with_their_count(
    personas: Any, assignable: Any, english: Any
) -> None:
    rnd, _cands, evals = assignable
    assignment_solve(round=rnd, acting_user=personas.program_office)
    loads = Counter(Assignment.objects.filter(round=rnd, active=True).values_list("evaluator_id", flat=True))
    for e in evals:
        notices = told(e.user, "round.assigned")
        if loads[e.pk]:
            assert len(notices) == 1, "one notice per evaluator, not one per pair"
            assert notices[0].params["n"] == loads[e.pk] == notices[0].params["total"]
            assert notices[0].link == "/rounds/me/assignments/"
        else:
            assert not notices
    # Solved again: only evaluators given new pairs are told, once each.
    before = Notification.objects.filter(kind="round.assigned").count()
    outcome = assignment_solve(round=rnd, acting_user=personas.program_office)
    assert Notification.objects.filter(kind="round.assigned").count() == before + len(outcome.added_by)


def test_a_manual_change_tells_the_removed_and_the_added_evaluator(personas: Any, assignable: Any) -> None:
    rnd, cands, evals = assignable
    assignment_solve(round=rnd, acting_user=personas.program_office)
    a = Assignment.objects.filter(round=rnd, active=True, candidacy=cands[0]).first()
    assert a is not None
    free = next(
        e
        for e in evals
        if not Assignment.objects.filter(candidacy=cands[0], evaluator=e, active=True).exists()
    )
    assignment_change(
        round=rnd,
        candidacy=cands[0],
        remove=a,
        add_evaluator=free,
        reason="전문성 보강",
        acting_user=personas.program_office,
    )
    assert_told(a.evaluator.user, "round.unassigned", n=1)
    assert len(told(free.user, "round.assigned")) >= 1
    assert told(free.user, "round.assigned")[-1].params["n"] == 1


def test_a_declared_conflict_tells_the_replacement_evaluator(personas: Any, assignable: Any) -> None:
    rnd, _cands, evals = assignable
    assignment_solve(round=rnd, acting_user=personas.program_office)
    a = Assignment.objects.filter(round=rnd, active=True, evaluator=evals[0]).first()
    assert a is not None
    before = {e.pk: len(told(e.user, "round.assigned")) for e in evals}
    _conflict, added = conflict_declare(assignment=a, reason="전 직장", acting_user=personas.evaluator)
    assert added == 1
    rose = [e for e in evals if len(told(e.user, "round.assigned")) > before[e.pk]]
    assert len(rose) == 1 and rose[0] != evals[0]
    assert told(rose[0].user, "round.assigned")[-1].params["n"] == 1
    assert_not_told(personas.evaluator, "round.unassigned")  # the one declaring knows


def test_publication_tells_selected_and_not_selected_companies_and_each_body(
    personas: Any, english: Any
) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, n=4, selected=2)
    cands = list(rnd.candidacies.order_by("rank"))
    # The representatives of one selected and one not-selected company
    selected_rep = UserFactory(username="rep_sel", role=Role.COMPANY, company=cands[0].company)
    other_rep = UserFactory(username="rep_not", role=Role.COMPANY, company=cands[3].company)
    officer = cands[0].nominations.get().nominated_by  # the MSS officer the factory made
    round_publish(round=rnd, acting_user=personas.program_office)
    n = assert_told(selected_rep, "round.selected", round=rnd.name)
    assert n.link == f"/rounds/{rnd.pk}/selection/"
    assert_not_told(selected_rep, "round.not_selected")
    assert_told(other_rep, "round.not_selected")
    assert_not_told(other_rep, "round.selected")
    results = assert_told(officer, "round.results", selected=2, not_selected=2)
    assert results.body_text == "2 of the companies you nominated were selected, 2 not."
