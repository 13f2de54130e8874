"""Irreversible actions ask first: one confirmation step for every such form.

A view that does something irreversible (a state transition, publication, removal, approving more than asked)
answers the first POST with a page that says what will happen (`confirmation_page`); the page re-posts the same
fields with `confirmed=1`, and only then does the view call its service. Afterwards the view says what was done
with `messages.success`. The confirmation is plain HTML (no script), so it works under the CSP and in the crawl."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "1"


@dataclass(frozen=True)
class Confirmation:
    title: str  # a question: "Publish the selection of 3차 (2022)?"
    consequences: Sequence[str]  # what will happen, one line each, in the reader's language
    action: str  # the URL the confirmed form posts to (usually the same view)
    button: str  # the confirming button's label: "Publish"
    cancel_url: str  # where "Cancel" goes back to
    irreversible: bool = True  # says "This cannot be undone."
    fields: Sequence[tuple[str, str]] = field(default_factory=tuple)  # the submitted fields, re-posted as is


def confirmation_page(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """The page asking to confirm; it re-posts the request's own fields (except the CSRF token) unless
    `confirmation.fields` names them."""
    fields = list(confirmation.fields) or [
        (k, v)
        for k, values in request.POST.lists()
        if k not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
        for v in values
    ]
    return render(request, "includes/confirm.html", {"confirmation": confirmation, "fields": fields})
