"""Navigation by role: each role sees the menu of what it may use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from nic1000.core.models import Notification
from nic1000.core.roles import PUBLIC

# (url name, label, roles that see it; PUBLIC = everyone). Each app registers its own entries.
NAV_ITEMS: list[tuple[str, str | Promise, set[str]]] = []


def register_nav(
    url_name: str, label: str | Promise, roles: Iterable[str], position: int | None = None
) -> None:
    """Apps add their menu entries at import time (from their urls module)."""
    if any(item[0] == url_name for item in NAV_ITEMS):
        return
    item = (url_name, label, set(roles))
    if position is None:
        NAV_ITEMS.append(item)
    else:
        NAV_ITEMS.insert(position, item)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else PUBLIC
    items = []
    for name, label, roles in NAV_ITEMS:
        if role in roles or PUBLIC in roles:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    unread = 0
    if user is not None and user.is_authenticated:
        unread = Notification.objects.filter(recipient_id=user.pk, in_app=True, read_at__isnull=True).count()
    return {"nav_items": items, "nav_role": role, "unread_notifications": unread}
