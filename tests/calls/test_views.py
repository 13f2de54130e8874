"""Call pages: a company sees its self-check and applies; the body screens with a confirmation; documents are
downloaded only by those who may see the application."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from nic1000.calls.models import CallApplication
from tests.calls.factories import make_call, pdf, xlsx
from tests.rounds.factories import make_round, statement

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def call(personas: Any) -> Any:
    rnd = make_round(acting_user=personas.program_office, state="nominating")
    return make_call(round=rnd, by=personas.ministry_mss)


def test_public_sees_open_calls(client: Client, call: Any) -> None:
    page = client.get(reverse("calls:list"))
    assert page.status_code == 200 and call.title in page.content.decode()
    assert client.get(reverse("calls:detail", args=[call.pk])).status_code == 200


def test_company_applies_through_the_page(personas: Any, call: Any) -> None:
    statement(personas.company_a_obj)
    c = _client(personas.company_a)
    detail = c.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert 'data-testid="self-check"' in detail and 'data-testid="call-apply"' in detail
    bad = c.post(reverse("calls:apply", args=[call.pk]), {"statement": "x", "document_0": pdf()})
    assert bad.status_code == 422 and not CallApplication.objects.exists()
    ok = c.post(
        reverse("calls:apply", args=[call.pk]),
        {"statement": "AI 반도체", "document_0": pdf(), "document_1": xlsx()},
    )
    assert ok.status_code == 302 and CallApplication.objects.count() == 1


def test_body_screens_after_confirming(personas: Any, call: Any) -> None:
    c = _client(personas.company_a)
    c.post(
        reverse("calls:apply", args=[call.pk]), {"statement": "AI", "document_0": pdf(), "document_1": xlsx()}
    )
    application = CallApplication.objects.get()
    officer = _client(personas.ministry_mss)
    url = reverse("calls:decide", args=[application.pk])
    ask = officer.post(url, {"decision": "accept"})
    assert ask.status_code == 200 and 'data-testid="confirm"' in ask.content.decode()
    application.refresh_from_db()
    assert application.state == "submitted"
    done = officer.post(url, {"decision": "accept", "confirmed": "1"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.state == "accepted"


def test_documents_only_for_those_who_may_see_the_application(personas: Any, call: Any) -> None:
    _client(personas.company_a).post(
        reverse("calls:apply", args=[call.pk]), {"statement": "AI", "document_0": pdf(), "document_1": xlsx()}
    )
    document = CallApplication.objects.get().documents.get(requirement="사업계획서")
    url = reverse("calls:document", args=[document.pk])
    for user, status in (
        (personas.company_a, 200),
        (personas.ministry_mss, 200),
        (personas.program_office, 200),
        (personas.company_b, 404),
        (personas.ministry_motie, 404),
    ):
        response = _client(user).get(url)
        assert response.status_code == status, user
        if status == 200:
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response.content.startswith(b"%PDF")
            assert "attachment" in response["Content-Disposition"]
