"""Every list page: each whitelisted sort key in both directions, nonsense sort/page values (never a 500), the
page jump, and the Excel export of the page's own filters (its rows are the filtered page's rows), with a query
count that does not grow with rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nic1000.audit.selectors import AUDIT_SORT
from nic1000.core.excel import read_rows
from nic1000.core.listing import XLSX_TYPE
from nic1000.core.sorting import SortSpec
from nic1000.finance.exports import APPLICATION_SORT
from nic1000.monitoring.exports import CASE_SORT, REMOVAL_SORT, RESULT_SORT
from nic1000.monitoring.models import InspectionResult, InspectionRun, SupportCase
from nic1000.registry.views import COMPANY_SORT
from nic1000.rounds import exports as rounds_exports
from tests.factories import CompanyFactory
from tests.finance.factories import ensure_products, make_application
from tests.monitoring.factories import member
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """These tests read the pager's and the count's English wording (Korean is the default language)."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

World = dict[str, Any]


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _case(company: Any, body: str, **kw: Any) -> SupportCase:
    m = member(company, body=body)
    return SupportCase.objects.create(
        company=company, membership=m, level="warning", opened_at=timezone.now(), **kw
    )


@pytest.fixture
def world(personas: Any) -> World:
    ensure_products()
    p = personas
    rnd = make_round(acting_user=p.program_office, state="evaluating", number=8)
    c1 = make_candidacy(rnd, company=p.company_a_obj, bodies=("MSS",), by=p.ministry_mss, score=80.0)
    c2 = make_candidacy(rnd, company=p.company_b_obj, bodies=("MOTIE",), by=p.ministry_motie, score=70.0)
    e1 = make_evaluator("e1", user=p.evaluator)
    make_assignment(c1, e1)
    make_assignment(c2, e1)
    a1 = make_application(p.company_a_obj, code="KDB-OPER", state="submitted")
    a2 = make_application(p.company_b_obj, code="IBK-OPER", state="approved")
    case_a = _case(p.company_a_obj, "MSS")
    case_b = _case(p.company_b_obj, "MOTIE")
    run = InspectionRun.objects.create(
        period="2026-05", status="done", created_at=timezone.now(), processed=2
    )
    for company, prob in ((p.company_a_obj, 0.4), (p.company_b_obj, 0.9)):
        InspectionResult.objects.create(
            run=run,
            period="2026-05",
            company=company,
            probability=prob,
            level="warning",
            rules=["model_warning"],
        )
    return {"p": p, "round": rnd, "apps": (a1, a2), "cases": (case_a, case_b)}


# (url name, kwargs from the world, persona attribute, the page's sort spec or None for export-only pages)
LISTS: list[tuple[str, Callable[[World], dict[str, Any]], str, SortSpec | None]] = [
    ("registry:company_list", lambda w: {}, "program_office", COMPANY_SORT),
    ("rounds:list", lambda w: {}, "auditor", rounds_exports.ROUND_SORT),
    ("rounds:nominations", lambda w: {"pk": w["round"].pk}, "program_office", rounds_exports.NOMINATION_SORT),
    ("rounds:candidacies", lambda w: {"pk": w["round"].pk}, "ministry_mss", rounds_exports.CANDIDACY_SORT),
    ("rounds:results", lambda w: {"pk": w["round"].pk}, "program_office", rounds_exports.RESULT_SORT),
    ("rounds:evaluators", lambda w: {}, "auditor", rounds_exports.EVALUATOR_SORT),
    ("rounds:assignments", lambda w: {"pk": w["round"].pk}, "program_office", None),
    ("rounds:review_status", lambda w: {"pk": w["round"].pk}, "auditor", None),
    ("finance:application_list", lambda w: {}, "program_office", APPLICATION_SORT),
    ("monitoring:dashboard", lambda w: {}, "support", RESULT_SORT),
    ("monitoring:case_list", lambda w: {}, "support", CASE_SORT),
    ("monitoring:survey_list", lambda w: {}, "support", None),
    ("monitoring:removal_list", lambda w: {}, "program_office", REMOVAL_SORT),
    ("monitoring:survey_followup", lambda w: {}, "support", None),
    ("audit:list", lambda w: {}, "auditor", AUDIT_SORT),
]
IDS = [name for name, *_ in LISTS]


SORTED = [(name, kwargs, who, spec) for name, kwargs, who, spec in LISTS if spec is not None]


@pytest.mark.parametrize(("name", "kwargs", "who", "spec"), SORTED, ids=[s[0] for s in SORTED])
def test_every_sort_key_both_ways(world: World, name: str, kwargs: Any, who: str, spec: SortSpec) -> None:
    client = _login(getattr(world["p"], who))
    url = reverse(name, kwargs=kwargs(world))
    for key in spec.columns:
        for direction in ("asc", "desc"):
            r = client.get(url, {"sort": key, "dir": direction})
            assert r.status_code == 200, (key, direction)
            assert (
                'aria-sort="{}"'.format("ascending" if direction == "asc" else "descending")
                in r.content.decode()
            )


@pytest.mark.parametrize(("name", "kwargs", "who", "spec"), LISTS, ids=IDS)
@pytest.mark.parametrize(
    "query",
    [
        "sort=password&dir=sideways",
        "sort=__class__&page=abc",
        "sort=pk;drop&dir=desc&page=-3",
        "page=99999999999999999999",
        "page=1e9&sort=&dir=",
    ],
)
def test_nonsense_is_never_an_error(
    world: World, name: str, kwargs: Any, who: str, spec: SortSpec | None, query: str
) -> None:
    client = _login(getattr(world["p"], who))
    r = client.get(reverse(name, kwargs=kwargs(world)) + "?" + query)
    assert r.status_code == 200


EXPORTED = [case for case in LISTS if case[0] != "rounds:list"]  # a handful of rounds: no export


@pytest.mark.parametrize(("name", "kwargs", "who", "spec"), EXPORTED, ids=[c[0] for c in EXPORTED])
def test_export_is_an_xlsx_of_the_list(
    world: World, name: str, kwargs: Any, who: str, spec: SortSpec | None
) -> None:
    client = _login(getattr(world["p"], who))
    url = reverse(name, kwargs=kwargs(world))
    if name == "registry:company_list":
        url = reverse("registry:export")  # the registry's import-compatible workbook has its own URL
    r = client.get(url, {"format": "xlsx", "sort": "nonsense"})
    assert r.status_code == 200
    assert r["Content-Type"] == XLSX_TYPE
    assert read_rows(r.content)  # a readable workbook with at least its header


def _rows(content: bytes) -> list[list[Any]]:
    return read_rows(content)[1:]


def test_application_export_has_exactly_the_filtered_rows_in_the_page_order(world: World) -> None:
    client = _login(world["p"].program_office)
    url = reverse("finance:application_list")
    a1, a2 = world["apps"]
    page = client.get(url, {"state": "approved"}).content.decode()
    assert str(a2) in page and str(a1) not in page
    rows = _rows(client.get(url, {"state": "approved", "format": "xlsx"}).content)
    assert [r[0] for r in rows] == [str(a2)]
    both = _rows(client.get(url, {"sort": "number", "dir": "asc", "format": "xlsx"}).content)
    assert [r[0] for r in both] == [str(a1), str(a2)]
    both_desc = _rows(client.get(url, {"sort": "number", "dir": "desc", "format": "xlsx"}).content)
    assert [r[0] for r in both_desc] == [str(a2), str(a1)]


def test_export_link_on_the_page_carries_the_filters_and_sort(world: World) -> None:
    client = _login(world["p"].program_office)
    html = client.get(
        reverse("finance:application_list"), {"state": "approved", "sort": "company", "page": "1"}
    )
    text = html.content.decode()
    assert "?state=approved&amp;sort=company&amp;format=xlsx" in text


def test_case_export_is_scoped_like_the_page(world: World) -> None:
    """A ministry officer's export holds only the cases of companies its body nominated."""
    other = _case(CompanyFactory(), "MOTIE")
    mss = _rows(
        _login(world["p"].ministry_mss).get(reverse("monitoring:case_list"), {"format": "xlsx"}).content
    )
    assert world["cases"][0].pk in {int(r[0]) for r in mss}
    assert other.pk not in {int(r[0]) for r in mss}
    office = _rows(
        _login(world["p"].program_office).get(reverse("monitoring:case_list"), {"format": "xlsx"}).content
    )
    assert other.pk in {int(r[0]) for r in office}


def test_case_filter_by_company_and_its_export(world: World) -> None:
    client = _login(world["p"].support)
    name = world["p"].company_b_obj.name_ko
    url = reverse("monitoring:case_list")
    page = client.get(url, {"q": name}).content.decode()
    assert "1 result" in page
    rows = _rows(client.get(url, {"q": name, "format": "xlsx"}).content)
    assert [r[1] for r in rows] == [name]


def test_nominations_filter_by_body_for_the_office_and_export(world: World) -> None:
    client = _login(world["p"].program_office)
    url = reverse("rounds:nominations", kwargs={"pk": world["round"].pk})
    rows = _rows(client.get(url, {"body": "MOTIE", "format": "xlsx"}).content)
    assert [r[0] for r in rows] == [world["p"].company_b_obj.name_ko]


def test_ministry_nominations_export_holds_its_own_body_only(world: World) -> None:
    client = _login(world["p"].ministry_motie)
    url = reverse("rounds:nominations", kwargs={"pk": world["round"].pk})
    rows = _rows(client.get(url, {"body": "MSS", "format": "xlsx"}).content)  # another body: ignored filter
    assert {r[2] for r in rows} <= {"MOTIE"}


def test_results_sorted_by_score_ascending(world: World) -> None:
    client = _login(world["p"].program_office)
    url = reverse("rounds:results", kwargs={"pk": world["round"].pk})
    rows = _rows(client.get(url, {"sort": "score", "dir": "asc", "format": "xlsx"}).content)
    assert [r[5] for r in rows] == [70.0, 80.0]


def test_audit_export_keeps_the_filter(world: World) -> None:
    client = _login(world["p"].auditor)
    url = reverse("audit:list")
    everything = _rows(client.get(url, {"format": "xlsx"}).content)
    assert everything
    action = everything[0][3]
    filtered = _rows(client.get(url, {"action": action, "format": "xlsx"}).content)
    assert filtered and all(str(r[3]).startswith(action) for r in filtered)


def test_page_jump_goes_to_the_page_and_clamps_past_the_end(world: World) -> None:
    for _ in range(25):
        CompanyFactory()
    client = _login(world["p"].program_office)
    url = reverse("registry:company_list")
    r = client.get(url, {"page_size": "20", "page": "2", "sort": "brn"})
    html = r.content.decode()
    assert "Page 2 of 2" in html and 'data-testid="page-jump"' in html
    assert '<input type="hidden" name="sort" value="brn">' in html
    clamped = client.get(url, {"page_size": "20", "page": "9999"}).content.decode()
    assert "Page 2 of 2" in clamped


def _count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url_name", "who", "add"),
    [
        ("finance:application_list", "program_office", "apps"),
        ("monitoring:case_list", "support", "cases"),
        ("rounds:nominations", "program_office", "candidacies"),
        ("rounds:candidacies", "program_office", "candidacies"),
        ("rounds:results", "program_office", "candidacies"),
        ("rounds:review_status", "program_office", "assignments"),
    ],
)
def test_export_query_count_does_not_grow_with_rows(world: World, url_name: str, who: str, add: str) -> None:
    rnd = world["round"]
    kwargs = {"pk": rnd.pk} if url_name.startswith("rounds:") else {}
    url = reverse(url_name, kwargs=kwargs) + "?format=xlsx"
    client = _login(getattr(world["p"], who))
    evaluator = make_evaluator("e_more")

    def more(n: int) -> None:
        for _ in range(n):
            company = CompanyFactory()
            if add == "apps":
                make_application(company)
            elif add == "cases":
                _case(company, "MSS")
            else:
                c = make_candidacy(rnd, company=company, by=world["p"].ministry_mss)
                make_assignment(c, evaluator)

    more(1)
    few = _count(client, url)
    more(4)
    assert _count(client, url) == few
