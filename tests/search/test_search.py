"""The staff's global search: what each role finds (only what its pages show), numbers and BRNs in any
spelling, nothing for companies and the public, and a query count that does not grow with matches."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nic1000.core.identifiers import brn_format
from nic1000.monitoring.models import SupportCase
from nic1000.search.selectors import LIMIT, global_search
from tests.factories import CompanyFactory
from tests.finance.factories import ensure_products, make_application
from tests.monitoring.factories import member
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: Any) -> dict[str, Any]:
    ensure_products()
    p = personas
    a, b = p.company_a_obj, p.company_b_obj
    rnd = make_round(acting_user=p.program_office, state="evaluating", number=9)
    c_mss = make_candidacy(rnd, company=a, bodies=("MSS",), by=p.ministry_mss)
    c_motie = make_candidacy(rnd, company=b, bodies=("MOTIE",), by=p.ministry_motie)
    make_assignment(c_mss, make_evaluator("e1", user=p.evaluator))
    app_kdb = make_application(a, code="KDB-OPER")
    app_ibk = make_application(b, code="IBK-OPER")
    lone = CompanyFactory(name_ko="모티에만기업")
    case_motie = SupportCase.objects.create(
        company=lone, membership=member(lone, body="MOTIE"), level="warning", opened_at=timezone.now()
    )
    case_a = SupportCase.objects.create(
        company=a, membership=member(a, body="MSS"), level="warning", opened_at=timezone.now()
    )
    return {
        "p": p, "a": a, "b": b, "c_mss": c_mss, "c_motie": c_motie, "app_kdb": app_kdb, "app_ibk": app_ibk,
        "case_motie": case_motie, "case_a": case_a, "lone": lone,
    }  # fmt: skip


def _pks(items: list[Any]) -> set[int]:
    return {x.pk for x in items}


def test_office_finds_a_company_by_name_and_by_brn_with_or_without_dashes(world: dict[str, Any]) -> None:
    po, a = world["p"].program_office, world["a"]
    assert a.pk in _pks(global_search(user=po, q=a.name_ko).companies)
    assert a.pk in _pks(global_search(user=po, q=a.brn).companies)
    assert a.pk in _pks(global_search(user=po, q=brn_format(a.brn)).companies)
    assert a.pk in _pks(global_search(user=po, q=a.brn[:5]).companies)  # a prefix


@pytest.mark.parametrize("spelling", ["{str}", "{pk}", "f{pk}", "F-{pk:05d}"])
def test_office_finds_an_application_by_its_number(world: dict[str, Any], spelling: str) -> None:
    app = world["app_ibk"]
    q = spelling.format(str=str(app), pk=app.pk)
    assert app.pk in _pks(global_search(user=world["p"].program_office, q=q).applications)


def test_a_case_by_its_number_and_a_candidacy_by_its_company(world: dict[str, Any]) -> None:
    po = world["p"].program_office
    case = world["case_motie"]
    assert case.pk in _pks(global_search(user=po, q=f"#{case.pk}").cases)
    assert world["c_motie"].pk in _pks(global_search(user=po, q=world["b"].name_ko).candidacies)


def test_ministry_officer_finds_only_its_body_candidacies_and_cases(world: dict[str, Any]) -> None:
    mss = world["p"].ministry_mss
    found = global_search(user=mss, q=world["b"].name_ko)
    assert world["c_motie"].pk not in _pks(found.candidacies)
    assert world["c_mss"].pk in _pks(global_search(user=mss, q=world["a"].name_ko).candidacies)
    assert world["case_motie"].pk not in _pks(global_search(user=mss, q=f"#{world['case_motie'].pk}").cases)
    assert world["case_a"].pk in _pks(global_search(user=mss, q=f"#{world['case_a'].pk}").cases)
    assert found.applications == []  # ministries do not read finance applications


def test_institution_officer_finds_its_own_applications_only(world: dict[str, Any]) -> None:
    kdb = world["p"].institution_kdb
    assert world["app_kdb"].pk in _pks(global_search(user=kdb, q=str(world["app_kdb"])).applications)
    assert global_search(user=kdb, q=str(world["app_ibk"])).applications == []
    res = global_search(user=kdb, q=world["a"].name_ko)
    assert res.companies == [] and res.cases == [] and res.candidacies == []


def test_evaluator_finds_only_assigned_candidacies(world: dict[str, Any]) -> None:
    ev = world["p"].evaluator
    assert world["c_mss"].pk in _pks(global_search(user=ev, q=world["a"].name_ko).candidacies)
    res = global_search(user=ev, q=world["b"].name_ko)
    assert res.total == 0


def test_company_user_gets_no_search(world: dict[str, Any]) -> None:
    rep = world["p"].company_a
    assert global_search(user=rep, q=world["a"].name_ko).total == 0
    c = Client()
    c.force_login(rep)
    assert c.get(reverse("search:search"), {"q": world["a"].name_ko}).status_code == 403
    assert 'data-testid="global-search"' not in c.get(reverse("home:home")).content.decode()


def test_staff_header_has_the_box_and_the_page_groups_results(world: dict[str, Any]) -> None:
    c = Client()
    c.force_login(world["p"].program_office)
    assert 'data-testid="global-search"' in c.get(reverse("home:home")).content.decode()
    html = c.get(reverse("search:search"), {"q": world["a"].name_ko}).content.decode()
    for group in ("search-companies", "search-applications", "search-cases", "search-candidacies"):
        assert f'data-testid="{group}"' in html


def test_public_is_sent_to_login() -> None:
    assert Client().get(reverse("search:search"), {"q": "abc"}).status_code == 302


def test_a_one_letter_text_runs_no_query(world: dict[str, Any]) -> None:
    with CaptureQueriesContext(connection) as ctx:
        res = global_search(user=world["p"].program_office, q="a")
    assert res.too_short and res.total == 0 and len(ctx.captured_queries) == 0


def test_results_are_bounded_per_kind(world: dict[str, Any]) -> None:
    for i in range(LIMIT + 3):
        CompanyFactory(name_ko=f"묶음기업{i:02d}")
    assert len(global_search(user=world["p"].program_office, q="묶음기업").companies) == LIMIT


def test_query_count_does_not_grow_with_matches(world: dict[str, Any]) -> None:
    c = Client()
    c.force_login(world["p"].program_office)
    url = reverse("search:search") + "?q=" + "공통이름"
    rnd = world["c_mss"].round

    def more(n: int) -> None:
        for _ in range(n):
            company = CompanyFactory(name_ko=f"공통이름 {CompanyFactory._meta.model.objects.count()}")
            make_application(company)
            make_candidacy(rnd, company=company, by=world["p"].ministry_mss)
            SupportCase.objects.create(
                company=company,
                membership=member(company, body="MSS"),
                level="warning",
                opened_at=timezone.now(),
            )

    def count() -> int:
        c.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    more(1)
    few = count()
    more(4)
    assert count() == few


def test_a_marked_number_is_looked_up_as_a_number_only(world: dict[str, Any]) -> None:
    """ "F-00012" or "#12" names no company: two primary-key reads, no scan of the registry's names."""
    po = world["p"].program_office
    with CaptureQueriesContext(connection) as ctx:
        res = global_search(user=po, q=str(world["app_kdb"]))
    assert _pks(res.applications) == {world["app_kdb"].pk}
    assert res.companies == [] and res.candidacies == []
    assert not any("registry_company" in q["sql"].split("FROM")[1][:40] for q in ctx.captured_queries)
