"""core.sorting and the list tags: whitelisted sort keys, stable tie-break, headers that keep the filters, the pager
with its page jump, the result count."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from nic1000.core.pagination import list_page
from nic1000.core.sorting import DESC, SortSpec, sort_from
from nic1000.registry.models import Company
from tests.factories import CompanyFactory


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    """These tests read the pager's and the count's English wording (Korean is the default language)."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


SPEC = SortSpec(columns={"name": ("name_ko",), "staff": ("-employees", "name_ko")}, default="name")


def _q(text: str) -> QueryDict:
    return QueryDict(text)


def test_default_when_nothing_asked() -> None:
    s = sort_from(_q(""), SPEC)
    assert (s.key, s.dir) == ("name", "asc")
    assert s.is_default()


@pytest.mark.parametrize(
    "query",
    ["sort=password", "sort=name_ko", "sort=-name", "sort=__class__", "sort=" + "x" * 5000, "sort=name%00"],
)
def test_keys_outside_the_whitelist_fall_back_to_the_default(query: str) -> None:
    s = sort_from(_q(query), SPEC)
    assert s.key == "name"


@pytest.mark.parametrize("raw", ["up", "DESCENDING", "", "1", "desc;drop"])
def test_a_direction_other_than_asc_or_desc_is_ascending(raw: str) -> None:
    assert sort_from(_q(f"sort=name&dir={raw}"), SPEC).dir == "asc"


def test_desc_is_read_case_insensitively() -> None:
    assert sort_from(_q("sort=staff&dir=DESC"), SPEC).dir == DESC


def test_default_dir_applies_to_the_default_key_only() -> None:
    spec = SortSpec(columns={"when": ("created_at",), "name": ("name",)}, default="when", default_dir=DESC)
    assert sort_from(_q(""), spec).dir == DESC
    assert sort_from(_q("sort=name"), spec).dir == "asc"


def test_spec_refuses_a_default_outside_its_columns() -> None:
    with pytest.raises(ValueError):
        SortSpec(columns={"a": ("a",)}, default="b")


@pytest.mark.django_db
def test_order_flips_every_field_and_breaks_ties_by_pk(reference_data: None) -> None:
    same = [CompanyFactory(name_ko="같은이름", employees=5) for _ in range(3)]
    other = CompanyFactory(name_ko="가나다", employees=50)
    qs = Company.objects.filter(pk__in=[c.pk for c in [*same, other]])
    asc = list(sort_from(_q("sort=name"), SPEC).apply(qs))
    assert asc == [other, *sorted(same, key=lambda c: c.pk)]
    desc = list(sort_from(_q("sort=name&dir=desc"), SPEC).apply(qs))
    assert desc == list(reversed(asc))
    # "-employees" in the spec: ascending on this column puts the most employees first.
    staff = list(sort_from(_q("sort=staff"), SPEC).apply(qs))
    assert staff[0] == other


def _render(text: str, query: str, **ctx: Any) -> str:
    request = RequestFactory().get("/list/?" + query)
    return Template("{% load lists %}" + text).render(Context({"request": request, **ctx}))


def test_header_link_keeps_filters_drops_page_and_flips_direction() -> None:
    sort = sort_from(_q("sort=name"), SPEC)
    html = _render(
        '{% sort_th sort "name" "Company" %}', "state=open&page=4&sort=name&format=xlsx", sort=sort
    )
    assert 'aria-sort="ascending"' in html
    assert "state=open" in html and "dir=desc" in html
    assert "page=" not in html and "format=" not in html


def test_unsorted_header_has_no_aria_sort_and_asks_ascending() -> None:
    sort = sort_from(_q("sort=name"), SPEC)
    html = _render('{% sort_th sort "staff" "Employees" cls="nic-num" %}', "sort=name", sort=sort)
    assert (
        "aria-sort" not in html and "sort=staff" in html and "dir=asc" in html and 'class="nic-num"' in html
    )
    plain = _render('{% sort_th sort "nope" "Other" %}', "", sort=sort)
    assert plain == '<th scope="col">Other</th>'


def test_header_label_is_escaped() -> None:
    sort = sort_from(_q(""), SPEC)
    html = _render('{% sort_th sort "name" label %}', "", sort=sort, label="<b>x</b>")
    assert "<b>" not in html and "&lt;b&gt;" in html


def test_pager_shows_page_of_total_and_a_jump_form_keeping_the_filters() -> None:
    page = Paginator(list(range(250)), 50).get_page(2)
    html = _render("{% pager page %}", "state=open&sort=name&dir=desc&page=2", page=page)
    assert "Page 2 of 5" in html
    assert 'name="page"' in html and 'max="5"' in html
    assert '<input type="hidden" name="state" value="open">' in html
    assert '<input type="hidden" name="dir" value="desc">' in html
    assert 'type="hidden" name="page"' not in html
    assert "page=1" in html and "page=3" in html  # previous and next keep the filters
    assert "state=open&amp;sort=name&amp;dir=desc&amp;page=3" in html


def test_pager_hidden_for_a_single_page() -> None:
    page = Paginator(list(range(3)), 50).get_page(1)
    assert "nic-pager" not in _render("{% pager page %}", "", page=page)


@pytest.mark.django_db
def test_pager_and_count_for_a_capped_list_page(reference_data: None) -> None:
    for _ in range(3):
        CompanyFactory()
    page = list_page(Company.objects.order_by("pk"), "2", 1)
    html = _render("{% pager page %} {% result_count page %}", "page=2", page=page)
    assert "Page 2 of 3" in html and "3 results" in html


def test_result_count_counts_a_django_page() -> None:
    page = Paginator(list(range(1234)), 50).get_page(1)
    assert _render("{% result_count page %}", "", page=page) == "1,234 results"


def test_export_link_keeps_filters_and_sort_without_the_page() -> None:
    html = _render("{% export_link %}", "state=open&sort=name&page=3")
    assert "state=open" in html and "sort=name" in html and "format=xlsx" in html and "page=" not in html
