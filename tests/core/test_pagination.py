"""Every list page survives any `?page=`: out-of-range numbers show the last page, nonsense the first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from nic1000.core.pagination import MAX_PAGE, list_page, page_number
from nic1000.registry.models import Company
from nic1000.rounds.services.publication import round_publish
from tests.rounds.factories import make_selecting_round

BAD_PAGES = [
    "99999999999999999999",  # a 500 on SQLite (offset too large for an integer)
    "9223372036854775807",  # a 500 on PostgreSQL (page x size overflows bigint)
    "-1",
    "0",
    "abc",
    "1e9",
    "",
    "٣",  # a digit that is not ASCII
]

LIST_PAGES = [
    "/registry/",
    "/registry/?q=테스트",  # a text search is not counted: the page number alone sets the offset
    "/monitoring/",
    "/monitoring/inspections/",
    "/monitoring/cases/",
    "/finance/applications/",
    "/rounds/evaluators/",
    "/rounds/{round}/nominations/",
    "/rounds/{round}/candidacies/",
    "/rounds/{round}/assignments/",
    "/rounds/{round}/results/",
    "/rounds/{round}/selection/",
    "/audit/",
]


@pytest.fixture
def published(personas: Any) -> Any:
    rnd = make_selecting_round(acting_user=personas.program_office, n=4, selected=2)
    round_publish(round=rnd, acting_user=personas.program_office)
    return rnd


@pytest.mark.django_db
@pytest.mark.parametrize("url", LIST_PAGES)
def test_every_list_page_takes_any_page_number(personas: Any, published: Any, url: str) -> None:
    c = Client()
    c.force_login(personas.program_office)
    base = url.format(round=published.pk)
    sep = "&" if "?" in base else "?"
    for page in BAD_PAGES:
        r = c.get(f"{base}{sep}page={page}")
        assert r.status_code == 200, (base, page, r.status_code)


def test_page_number_is_clamped() -> None:
    assert page_number("99999999999999999999") == MAX_PAGE
    assert page_number("9223372036854775807") == MAX_PAGE
    assert page_number("7") == 7
    assert [page_number(p) for p in ("-1", "0", "abc", "1e9", "", None, "٣", " 2 ")] == [
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        2,
    ]


@pytest.mark.django_db
def test_uncounted_list_page_never_overflows(personas: Any) -> None:
    page = list_page(Company.objects.order_by("pk"), "9223372036854775807", 100, count=False)
    assert page.rows == [] and page.number == MAX_PAGE
    page = list_page(Company.objects.order_by("pk"), "9223372036854775807", 100)
    assert page.number == 1 and len(page.rows) == Company.objects.count()
