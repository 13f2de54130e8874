"""The confirmation step: the first POST shows what will happen and re-posts the same fields confirmed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed


def _request(data: dict[str, Any]) -> Any:
    request = RequestFactory().post("/x/", data)
    request.user = AnonymousUser()
    return request


def test_confirmation_page_says_what_will_happen_and_reposts_the_fields(db: None) -> None:
    request = _request({"amount": "1800000000", "note": "ok", "csrfmiddlewaretoken": "t"})
    assert not is_confirmed(request)
    page = confirmation_page(
        request,
        Confirmation(
            title="Approve F-00299?",
            consequences=["IBK approves KRW 1,800,000,000", "The company is told"],
            action="/x/",
            button="Approve",
            cancel_url="/back/",
        ),
    )
    html = page.content.decode()
    assert "IBK approves KRW 1,800,000,000" in html and "The company is told" in html
    assert 'name="amount" value="1800000000"' in html and 'name="note" value="ok"' in html
    assert 'name="confirmed" value="1"' in html and 'href="/back/"' in html
    assert 'value="t"' not in html  # the old token is not re-posted; the page has its own
    assert is_confirmed(_request({"confirmed": "1"}))
