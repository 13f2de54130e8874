"""The published selection's public page is rendered once and then served from the shared cache."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from nic1000.rounds.services.publication import round_publish
from tests.rounds.factories import make_selecting_round

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str, **headers: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")], len(ctx)  # the header's CSRF token varies


def test_second_view_comes_from_the_cache_per_language_and_filter(personas: Any) -> None:
    rnd = make_selecting_round(acting_user=personas.program_office, n=3, selected=2)
    round_publish(round=rnd, acting_user=personas.program_office)
    cache.clear()
    caches["local"].clear()
    anon = Client()
    url = f"/rounds/{rnd.pk}/selection/"
    first, cold = _get(anon, url)
    second, warm = _get(anon, url)
    assert second == first
    assert warm == 0 < cold  # this process's copy: no query at all
    caches["local"].clear()  # another process (or host): the shared cache's entry, one query
    shared, one = _get(anon, url)
    assert shared == first and one == 1
    assert any(k.startswith("nic1000:public-selection") for k in _cache_keys())
    # English and a body filter are other entries, not the Korean page's.
    english, _ = _get(anon, url, **{"Accept-Language": "en"})
    assert "selected companies" in english and english != first
    filtered, _ = _get(anon, url + "?body=MOTIE")
    assert filtered != first
    # A round that is not published is never cached (and stays not found).
    assert anon.get(f"/rounds/{rnd.pk + 1000}/selection/").status_code == 404
    # A parameter the key does not cover is rendered, never cached.
    before = len(_cache_keys())
    _get(anon, url + "?sort=x")
    assert len(_cache_keys()) == before


def _cache_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM nic1000_cache")
        return [row[0].split(":", 2)[-1] for row in cursor.fetchall()]
