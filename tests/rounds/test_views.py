import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from nic1000.rounds.models import Candidacy, Criterion, Nomination
from nic1000.rounds.services.publication import round_publish
from tests.factories import CompanyFactory
from tests.rounds.factories import make_candidacy, make_round, make_selecting_round, statement

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_nominate_page_nominates_and_shows_eligibility(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    company = CompanyFactory(name_ko="연체기업")
    statement(company, credit_delinquency=True)
    c = _client(personas.ministry_mss)
    r = c.get(f"/rounds/{rnd.pk}/nominate/check/?brn={company.brn}")
    assert r.status_code == 200 and "연체기업" in r.content.decode()
    assert 'data-testid="eligibility"' in r.content.decode()
    r = c.post(
        f"/rounds/{rnd.pk}/nominate/", {"brn": company.brn, "reason": "혁신", "evidence": "https://x.kr"}
    )
    assert r.status_code == 302
    assert Nomination.objects.filter(body__code="MSS", candidacy__company=company).exists()
    page = c.get(r["Location"]).content.decode()
    assert "연체기업" in page


def test_nominate_bad_input_rerenders_with_errors(personas) -> None:
    rnd = make_round(acting_user=personas.program_office, state="draft")
    company = CompanyFactory()
    c = _client(personas.ministry_mss)
    r = c.post(f"/rounds/{rnd.pk}/nominate/", {"brn": company.brn, "reason": "x"})
    assert r.status_code == 409
    assert "errorlist" in r.content.decode() or "nic-alert error" in r.content.decode()
    r = c.post(f"/rounds/{rnd.pk}/nominate/", {"brn": "1234567890", "reason": ""})
    assert r.status_code == 422
    assert not Nomination.objects.exists()


def test_criteria_page_refuses_weights_not_summing_to_100(personas) -> None:
    rnd = make_round(acting_user=personas.program_office)
    c = _client(personas.program_office)
    data = {"key_0": "a", "name_0": "가", "weight_0": "50", "key_1": "b", "name_1": "나", "weight_1": "40"}
    r = c.post(f"/rounds/{rnd.pk}/criteria/", data)
    assert r.status_code == 422
    assert "100" in r.content.decode()
    assert Criterion.objects.filter(round=rnd).count() == 5


def test_quota_page_names_the_quotas_that_cannot_hold(personas) -> None:
    rnd = make_round(acting_user=personas.program_office)
    c = _client(personas.program_office)
    r = c.post(f"/rounds/{rnd.pk}/quotas/", {"total_max": "10", "body_MSS_min": "8", "body_MOTIE_min": "5"})
    assert r.status_code == 422
    assert 'data-testid="quota-errors"' in r.content.decode()
    assert not rnd.quotas.exists()


def test_nomination_list_is_scoped_and_query_count_bounded(personas, django_assert_max_num_queries) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    for _ in range(15):
        make_candidacy(rnd, bodies=("MSS",), by=personas.ministry_mss)
    for _ in range(5):
        make_candidacy(rnd, bodies=("MOTIE", "MSS"), by=personas.ministry_motie)
    c = _client(personas.ministry_motie)
    with django_assert_max_num_queries(12):
        r = c.get(f"/rounds/{rnd.pk}/nominations/")
    assert r.status_code == 200
    # MOTIE's officer sees only MOTIE's nominations
    assert r.context["page_obj"].paginator.count == 5
    c = _client(personas.program_office)
    with django_assert_max_num_queries(12):
        r = c.get(f"/rounds/{rnd.pk}/nominations/")
    assert r.context["page_obj"].paginator.count == 25


def test_candidacy_list_query_count_bounded_and_htmx_partial(personas, django_assert_max_num_queries) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    for _ in range(20):
        make_candidacy(rnd, bodies=("MSS", "MOTIE"), by=personas.ministry_mss)
    c = _client(personas.program_office)
    with django_assert_max_num_queries(12):
        r = c.get(f"/rounds/{rnd.pk}/candidacies/")
    assert r.status_code == 200 and r.context["page_obj"].paginator.count == 20
    r = c.get(f"/rounds/{rnd.pk}/candidacies/?eligible=yes", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert Candidacy.objects.filter(round=rnd).count() == 20


def test_public_selection_page_api_and_excel(personas) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, n=3, selected=2)
    first = rnd.candidacies.get(rank=1).company
    first.name_ko = '=HYPERLINK("http://evil")'
    first.save()
    anon = Client()
    assert anon.get(f"/api/v1/rounds/{rnd.pk}/selections").status_code == 404
    assert anon.get(f"/rounds/{rnd.pk}/selection/").status_code == 404
    round_publish(round=rnd, acting_user=personas.program_office)
    r = anon.get(f"/api/v1/rounds/{rnd.pk}/selections")
    assert r.status_code == 200
    body = r.json()
    assert (
        body["count"] == 2 and body["selections"][0]["rank"] == 1 and body["selections"][0]["body"] == "MSS"
    )
    assert anon.get(f"/rounds/{rnd.pk}/selection/").status_code == 200
    r = anon.get(f"/rounds/{rnd.pk}/selection.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(row=2, column=2).value.startswith("'=")
    assert ws.cell(row=2, column=2).data_type == "s"
    schema = anon.get("/api/openapi.json").json()
    assert "/api/v1/rounds/{round_id}/selections" in schema["paths"]


def test_publish_twice_from_the_page_gives_a_clear_message(personas) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office)
    c = _client(personas.program_office)
    assert c.post(f"/rounds/{rnd.pk}/publish/", {"confirmed": "1"}).status_code == 302
    r = c.post(f"/rounds/{rnd.pk}/publish/", {"confirmed": "1"}, follow=True)
    assert "already been published" in r.content.decode() or "이미" in r.content.decode()
    from nic1000.rounds.models import Publication

    assert Publication.objects.filter(round=rnd).count() == 1


def test_evaluator_declares_a_conflict_from_the_list_before_opening_the_file(personas) -> None:
    from nic1000.rounds.models import Assignment, Conflict
    from tests.rounds.factories import make_assignment, make_evaluator

    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    cand = make_candidacy(rnd, company=CompanyFactory(name_ko="자문했던기업"))
    mine = make_assignment(cand, make_evaluator("me", user=personas.evaluator))
    for name in ("p2", "p3"):
        make_assignment(cand, make_evaluator(name))
    spare = make_evaluator("spare")
    c = _client(personas.evaluator)
    listing = c.get("/rounds/me/assignments/").content.decode()
    assert "자문했던기업" in listing
    r = c.post(f"/rounds/me/assignments/{mine.pk}/conflict/", {"reason": "3년 전 자문"}, follow=True)
    assert r.status_code == 200
    mine.refresh_from_db()
    assert not mine.active and mine.opened_at is None  # the file was never opened
    assert Conflict.objects.get(candidacy=cand, evaluator=mine.evaluator).source == "declared"
    active = set(
        Assignment.objects.filter(candidacy=cand, active=True).values_list("evaluator_id", flat=True)
    )
    assert spare.pk in active and mine.evaluator_id not in active and len(active) == 3
    assert c.get(f"/rounds/me/assignments/{mine.pk}/").status_code == 404
    assert c.get(f"/rounds/candidacies/{cand.pk}/").status_code == 404


def test_settings_page_sets_a_bodys_own_eligibility_rules(personas) -> None:
    from nic1000.audit.models import AuditEntry
    from nic1000.rounds.models import EligibilityRule

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    po = _client(personas.program_office)
    url = f"/rounds/{rnd.pk}/settings/"
    save = f"/rounds/{rnd.pk}/settings/eligibility/"
    page = po.get(url).content.decode()
    assert 'data-testid="body-rules"' in page and 'name="MOTIE__capital_impairment"' in page
    assert f'action="{save}"' in page
    r = po.post(save, {"MOTIE__capital_impairment": "off", "MSS__credit_delinquency": "on"})
    assert r.status_code == 302 and r["Location"] == url
    own = set(
        EligibilityRule.objects.filter(round=rnd, body__isnull=False).values_list(
            "body__code", "kind", "active"
        )
    )
    assert own == {("MOTIE", "capital_impairment", False), ("MSS", "credit_delinquency", True)}
    assert 'value="off" selected' in po.get(url).content.decode()
    # Back to the round's rule: the body's own rule is removed; every change is audited.
    po.post(save, {"MOTIE__capital_impairment": "", "MSS__credit_delinquency": "on"})
    own = set(EligibilityRule.objects.filter(round=rnd, body__isnull=False).values_list("body__code", "kind"))
    assert own == {("MSS", "credit_delinquency")}
    assert AuditEntry.objects.filter(action="round.eligibility_rule_set").count() == 3
    # A value outside the choices re-renders the settings page with the problem marked and writes nothing.
    r = po.post(save, {"MSS__credit_delinquency": "maybe"})
    assert r.status_code == 422 and 'data-testid="body-rules"' in r.content.decode()
    assert "errorlist" in r.content.decode()
    assert AuditEntry.objects.filter(action="round.eligibility_rule_set").count() == 3
    # Once evaluation has started the rules are frozen.
    from nic1000.rounds.models import Round

    Round.objects.filter(pk=rnd.pk).update(state="evaluating")
    r = po.post(save, {"MSS__credit_delinquency": ""})
    assert r.status_code == 409
    assert EligibilityRule.objects.filter(round=rnd, body__code="MSS").exists()
    # Only a POST saves: the address of the form is not a page.
    assert po.get(save).status_code == 405


def test_settings_page_adds_a_bonus_item_through_its_own_form(personas) -> None:
    from nic1000.rounds.models import BonusItem, RoundSettings

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    before = RoundSettings.objects.get(round=rnd).disagreement_threshold
    po = _client(personas.program_office)
    add = f"/rounds/{rnd.pk}/settings/bonus-items/"
    assert f'action="{add}"' in po.get(f"/rounds/{rnd.pk}/settings/").content.decode()
    assert po.post(add, {"name": "규제샌드박스 승인", "points": "2"}).status_code == 302
    assert list(BonusItem.objects.filter(round=rnd).values_list("name", "points")) == [
        ("규제샌드박스 승인", 2)
    ]
    r = po.post(add, {"name": "너무 많은 점수", "points": "50"})
    assert r.status_code == 422 and 'data-testid="bonus-item"' in r.content.decode()
    assert BonusItem.objects.filter(round=rnd).count() == 1
    # The settings form is not touched by a bonus item.
    assert RoundSettings.objects.get(round=rnd).disagreement_threshold == before


def test_settings_and_round_rules_are_saved_all_or_nothing(personas) -> None:
    from nic1000.audit.models import AuditEntry
    from nic1000.rounds.models import EligibilityRule, Round, RoundSettings

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    s = RoundSettings.objects.get(round=rnd)
    po = _client(personas.program_office)
    url = f"/rounds/{rnd.pk}/settings/"
    data = {
        "reviews_per_candidacy": s.reviews_per_candidacy,
        "load_min": s.load_min,
        "load_max": s.load_max,
        "score_min": s.score_min,
        "score_max": s.score_max,
        "aggregation": s.aggregation,
        "disagreement_threshold": 0.3,
        "assignment_mode": s.assignment_mode,
        "probability_cap": s.probability_cap,
        "rule_capital_impairment": "on",
    }
    assert po.post(url, data).status_code == 302
    assert RoundSettings.objects.get(round=rnd).disagreement_threshold == 0.3
    assert EligibilityRule.objects.get(round=rnd, body=None, kind="capital_impairment").active
    assert not EligibilityRule.objects.filter(round=rnd, body=None, kind="credit_delinquency", active=True)
    # During evaluation the threshold may change but the rules may not: a form that changes both is refused
    # whole (the threshold is not saved either).
    Round.objects.filter(pk=rnd.pk).update(state="evaluating")
    entries = AuditEntry.objects.count()
    r = po.post(url, {**data, "disagreement_threshold": 0.5, "rule_credit_delinquency": "on"})
    assert r.status_code == 409
    assert RoundSettings.objects.get(round=rnd).disagreement_threshold == 0.3
    assert AuditEntry.objects.count() == entries
    # The threshold alone is still accepted.
    assert po.post(url, {**data, "disagreement_threshold": 0.5}).status_code == 302
    assert RoundSettings.objects.get(round=rnd).disagreement_threshold == 0.5
    # The randomised assignment and its cap (a cap of 0 is refused, the field marked).
    assert po.post(url, {**data, "assignment_mode": "randomized", "probability_cap": 0.4}).status_code == 302
    saved = RoundSettings.objects.get(round=rnd)
    assert (saved.assignment_mode, saved.probability_cap) == ("randomized", 0.4)
    r = po.post(url, {**data, "assignment_mode": "randomized", "probability_cap": 0})
    assert r.status_code == 422 and RoundSettings.objects.get(round=rnd).probability_cap == 0.4


def test_opening_a_file_is_an_explicit_confirmation_never_a_get(personas) -> None:
    from nic1000.audit.models import AuditEntry
    from nic1000.rounds.models import Review
    from tests.rounds.factories import make_assignment, make_evaluator

    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    cand = make_candidacy(rnd, company=CompanyFactory(name_ko="심사대상기업"))
    a = make_assignment(cand, make_evaluator("me", user=personas.evaluator))
    c = _client(personas.evaluator)
    url = f"/rounds/me/assignments/{a.pk}/"
    # Reading the page writes nothing and shows only the confirmation (no file, no scores).
    page = c.get(url).content.decode()
    a.refresh_from_db()
    assert a.opened_at is None and not AuditEntry.objects.filter(action="assignment.open").exists()
    assert 'data-testid="review-confirm"' in page and "심사대상기업" in page
    assert 'name="score_' not in page and "Financial summary" not in page and "재무 요약" not in page
    # Scores cannot be posted before the file is opened.
    assert c.post(url, {"comment": "x", "save": "1"}).status_code == 409
    assert not Review.objects.exists()
    # Opening needs the confirmation ticked.
    open_url = f"/rounds/me/assignments/{a.pk}/open/"
    assert c.get(open_url).status_code == 405
    assert c.post(open_url, {}).status_code == 422
    a.refresh_from_db()
    assert a.opened_at is None
    r = c.post(open_url, {"no_conflict": "on"})
    assert r.status_code == 302 and r["Location"] == url
    a.refresh_from_db()
    entry = AuditEntry.objects.get(action="assignment.open")
    assert a.opened_at is not None and entry.changes["no_conflict_confirmed"]["after"] is True
    assert entry.actor_id == personas.evaluator.pk
    # Now the file and the scoring form show; opening again records nothing new.
    page = c.get(url).content.decode()
    assert 'name="score_' in page and 'data-testid="review-confirm"' not in page
    assert c.post(open_url, {"no_conflict": "on"}).status_code == 302
    assert AuditEntry.objects.filter(action="assignment.open").count() == 1
    # Another evaluator cannot open it.
    assert _client(personas.evaluator2).post(open_url, {"no_conflict": "on"}).status_code == 404


def test_the_office_chooses_raw_or_leniency_adjusted_scores(personas) -> None:
    from nic1000.rounds.models import RoundSettings

    rnd = make_round(acting_user=personas.program_office, state="nominating")
    s = RoundSettings.objects.get(round=rnd)
    po = _client(personas.program_office)
    url = f"/rounds/{rnd.pk}/settings/"
    data = {
        f: getattr(s, f)
        for f in ("reviews_per_candidacy", "load_min", "load_max", "score_min", "score_max", "aggregation")
    }
    data["disagreement_threshold"] = s.disagreement_threshold
    data["assignment_mode"], data["probability_cap"] = s.assignment_mode, s.probability_cap
    assert 'name="leniency"' in po.get(url).content.decode()
    assert po.post(url, {**data, "leniency": "adjusted"}).status_code == 302
    assert RoundSettings.objects.get(round=rnd).leniency == RoundSettings.Leniency.ADJUSTED
    assert po.post(url, {**data, "leniency": "raw"}).status_code == 302
    assert RoundSettings.objects.get(round=rnd).leniency == RoundSettings.Leniency.RAW
