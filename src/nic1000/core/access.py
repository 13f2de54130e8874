"""The one way to require a role: `role_required` on pages, `require_role` in services.

Both take roles or named role sets from `core.roles`. Which objects of a permitted kind a user may read is
decided by each app's `access_*` selectors (one 404 for missing and forbidden).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from nic1000.core.errors import Forbidden
from nic1000.core.roles import PUBLIC

F = TypeVar("F", bound=Callable[..., HttpResponse])


def role_set(*roles: str | Iterable[str]) -> frozenset[str]:
    """Flattens roles and named role sets into one set."""
    out: set[str] = set()
    for r in roles:
        if isinstance(r, str):
            out.add(r)
        else:
            out.update(r)
    return frozenset(out)


def has_role(user: object, roles: Collection[str]) -> bool:
    """A signed-in, active user whose role is one of `roles` (`user` may be anonymous or None)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "role", None) in roles
    )


def require_role(user: object, *roles: str | Iterable[str], message: str | None = None) -> None:
    """Services: raise Forbidden unless `user` holds one of `roles`."""
    if not has_role(user, role_set(*roles)):
        raise Forbidden(message or _("Your role may not do this."), code="forbidden_role")


def role_required(*roles: str | Iterable[str]) -> Callable[[F], F]:
    """Pages: anonymous visitors go to the login page; a signed-in user of another role gets 403."""
    allowed = role_set(*roles)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.access_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Marks a page that the anonymous public may read."""
    view.access_roles = frozenset({PUBLIC})  # type: ignore[attr-defined]
    return view


def login_only(view: F) -> F:
    """Any signed-in user (their own notifications, profile...)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
