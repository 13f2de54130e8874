"""The request a page gets once `role_required` or `login_only` let it in (for the type checker)."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from nic1000.accounts.models import User


class AuthedRequest(HttpRequest):
    """A signed-in user's request: `user` is a `User`, never anonymous; `htmx` comes from django-htmx."""

    user: User  # HttpRequest's may be anonymous
    htmx: HtmxDetails
