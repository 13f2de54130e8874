"""How tests check that people were told: `assert_told(user, kind)` finds the user's notification of that kind
(and, once e-mail delivery exists, its e-mail). Every workflow-event test uses it, so the check is one place."""

from __future__ import annotations

from typing import Any

from nic1000.core.models import Notification


def told(user: Any, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient_id=user.pk, kind=kind).order_by("id"))


def assert_told(user: Any, kind: str, **params: Any) -> Notification:
    """The newest notification of `kind` to `user` whose params include `params`; fails naming what was sent."""
    found = [n for n in told(user, kind) if all((n.params or {}).get(k) == v for k, v in params.items())]
    assert found, (
        f"{user} was not told {kind} {params or ''}; they have: "
        f"{[(n.kind, n.params) for n in Notification.objects.filter(recipient_id=user.pk)]}"
    )
    return found[-1]


def assert_not_told(user: Any, kind: str) -> None:
    assert not told(user, kind), f"{user} was told {kind}"
