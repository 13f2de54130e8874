"""Who may reach a page. Object-level scoping lives in each app's selectors (`access_*`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

F = TypeVar("F", bound=Callable[..., HttpResponse])


def role_required(*roles: str) -> Callable[[F], F]:
    """Anonymous visitors go to the login page; a signed-in user of another role gets 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_active or getattr(user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Marks a page that the anonymous public may read."""
    view.access_roles = frozenset({"public"})  # type: ignore[attr-defined]
    return view


def login_only(view: F) -> F:
    """Any signed-in user (their own notifications, profile...)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
