"""What the round pages share: the signed-in request, and domain errors shown on forms and as messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from nic1000.accounts.models import User
from nic1000.core.confirm import Confirmation, confirmation_page, is_confirmed
from nic1000.core.errors import ApplicationError


class AuthedRequest(HttpRequest):
    """What the pages get once `role_required` let them in (for the type checker)."""

    user: User
    htmx: Any


def form_error(form: forms.Form, exc: ApplicationError) -> None:
    """Put a domain error on the form: each detail on its field when the form has one, the rest on top."""
    placed = False
    for d in exc.details:
        if d.field and d.field in form.fields:
            form.add_error(d.field, d.message or exc.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
        return
    for d in exc.details:
        if not (d.field and d.field in form.fields) and d.message:
            form.add_error(None, d.message)


def error_status(exc: ApplicationError) -> int:
    """A refused form answers 409 when the state forbids it, else 422."""
    return 409 if exc.status == 409 else 422


def message_error(request: HttpRequest, exc: ApplicationError, *, details: int = 0) -> None:
    """The error as a message on the next page, with up to `details` of its details."""
    messages.error(request, exc.message)
    for d in exc.details[:details]:
        if d.message:
            messages.error(request, f"{d.field}: {d.message}" if d.field else d.message)


def ask_first(
    request: HttpRequest,
    *,
    title: str,
    consequences: Sequence[str],
    button: str,
    cancel_url: str,
    irreversible: bool = True,
) -> HttpResponse | None:
    """The confirmation page for an irreversible step, or None once the user has confirmed it."""
    if is_confirmed(request):
        return None
    return confirmation_page(
        request,
        Confirmation(
            title=title,
            consequences=list(consequences),
            action=request.path,
            button=button,
            cancel_url=cancel_url,
            irreversible=irreversible,
        ),
    )
