"""Every list page of rounds makes the same number of queries whatever the number of rows (no N+1).

Each test measures a page with N rows, adds 2N more, and measures again; the counts must be equal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nic1000.rounds.models import Review
from nic1000.rounds.services.publication import round_publish
from tests.rounds.factories import (
    make_assignment,
    make_candidacy,
    make_evaluator,
    make_round,
    make_selecting_round,
    submit_review,
)

pytestmark = pytest.mark.django_db
N = 3


def _queries(client: Client, url: str) -> int:
    cache.clear()  # measure the rendering, not the caches of public pages
    caches["local"].clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _same_count(client: Client, url: Callable[[], str], add_rows: Callable[[int], None]) -> None:
    add_rows(N)
    _queries(client, url())  # warm caches (content types, sessions)
    few = _queries(client, url())
    add_rows(2 * N)
    many = _queries(client, url())
    assert few == many, f"{url()}: {few} queries with {N} rows, {many} with {3 * N}"


def test_rounds_list(personas: Any) -> None:
    numbers = iter(range(10, 100))

    def add(n: int) -> None:
        for _ in range(n):
            rnd = make_round(acting_user=personas.program_office, state="nominating", number=next(numbers))
            make_candidacy(rnd)

    _same_count(_client(personas.program_office), lambda: "/rounds/", add)


@pytest.mark.parametrize("who", ["program_office", "ministry_mss"])
def test_nominations_and_candidacies(personas: Any, who: str) -> None:
    rnd = make_round(acting_user=personas.program_office, state="nominating")

    def add(n: int) -> None:
        for _ in range(n):
            make_candidacy(rnd, bodies=("MSS", "MOTIE"), by=personas.ministry_mss)

    client = _client(getattr(personas, who))
    _same_count(client, lambda: f"/rounds/{rnd.pk}/nominations/", add)
    _same_count(client, lambda: f"/rounds/{rnd.pk}/candidacies/", add)
    _same_count(client, lambda: f"/rounds/{rnd.pk}/candidacies/?eligible=yes", add)


def test_evaluator_pool(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    cand = make_candidacy(rnd)
    names = iter(f"pool{i}" for i in range(100))

    def add(n: int) -> None:
        for _ in range(n):
            make_assignment(cand, make_evaluator(next(names)))

    _same_count(_client(personas.program_office), lambda: "/rounds/evaluators/", add)


def test_my_assignments(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    me = make_evaluator("me", user=personas.evaluator)

    def add(n: int) -> None:
        for i in range(n):
            a = make_assignment(make_candidacy(rnd), me)
            if i % 2:
                submit_review(a, total=70.0)

    _same_count(_client(personas.evaluator), lambda: "/rounds/me/assignments/", add)


def test_assignment_page_and_review_status(personas: Any) -> None:
    rnd = make_round(acting_user=personas.program_office, state="evaluating")
    names = iter(f"ev{i}" for i in range(100))

    def add(n: int) -> None:
        for i in range(n):
            cand = make_candidacy(rnd)
            for _ in range(2):
                a = make_assignment(cand, make_evaluator(next(names)))
                if i % 2:
                    submit_review(a, total=60.0)

    client = _client(personas.program_office)
    _same_count(client, lambda: f"/rounds/{rnd.pk}/assignments/", add)
    _same_count(client, lambda: f"/rounds/{rnd.pk}/reviews/", add)
    assert Review.objects.exists()


def test_results(personas: Any) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, n=1, selected=1)
    ranks = iter(range(2, 100))

    def add(n: int) -> None:
        for _ in range(n):
            rank = next(ranks)
            make_candidacy(
                rnd, score=90.0 - rank, rank=rank, selected=False, forced="out", force_reason="위원회"
            )

    _same_count(_client(personas.program_office), lambda: f"/rounds/{rnd.pk}/results/", add)


def test_public_list_and_selection(personas: Any) -> None:
    po = personas.program_office
    published: list[int] = []

    def add_rounds(n: int) -> None:
        for _ in range(n):
            rnd = make_selecting_round(acting_user=po, n=2, selected=1)
            round_publish(round=rnd, acting_user=po)
            published.append(rnd.pk)

    _same_count(_client(None), lambda: "/rounds/published/", add_rounds)

    def add_selected(n: int) -> None:
        rnd = make_selecting_round(acting_user=po, n=n, selected=n)
        round_publish(round=rnd, acting_user=po)
        published.append(rnd.pk)

    # Each call publishes a new round with n selected companies: the latest one is measured.
    _same_count(_client(None), lambda: f"/rounds/{published[-1]}/selection/", add_selected)
