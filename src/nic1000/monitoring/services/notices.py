"""Who monitoring tells, and the one helper that tells them once.

Recipients are read here (active users only): the support group, the programme office, a company's
representatives, a nominating body's ministry officers. `notify_new` wraps `activity.services.notify` for the
scheduled reminders: it leaves out the recipients who already hold the dedupe key, so a job run twice sends (and
counts) nothing new. Event notices (a case opened, a removal) are sent by the services that make the event, in
their transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.core.models import Notification
from nic1000.core.roles import Role


def _active() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def support_group() -> list[User]:
    return list(_active().filter(role=Role.SUPPORT_GROUP).order_by("pk"))


def programme_office() -> list[User]:
    return list(_active().filter(role=Role.PROGRAM_OFFICE).order_by("pk"))


def company_reps(company_id: int) -> list[User]:
    return list(_active().filter(role=Role.COMPANY, company_id=company_id).order_by("pk"))


def reps_by_company(company_ids: Iterable[int]) -> dict[int, list[User]]:
    """The representatives of many companies in one query."""
    out: dict[int, list[User]] = {}
    ids = list(company_ids)
    if not ids:
        return out
    for user in _active().filter(role=Role.COMPANY, company_id__in=ids).order_by("pk"):
        out.setdefault(int(user.company_id or 0), []).append(user)
    return out


def body_officers(body_id: int) -> list[User]:
    return list(_active().filter(role=Role.MINISTRY_OFFICER, body_id=body_id).order_by("pk"))


def without(users: Iterable[User], acting_user: User | None) -> list[User]:
    """Everyone but whoever acted (nobody is told of their own action); each user once."""
    seen: set[int] = set()
    out = []
    for u in users:
        if (acting_user is not None and u.pk == acting_user.pk) or u.pk in seen:
            continue
        seen.add(u.pk)
        out.append(u)
    return out


def already_told(dedupe_keys: Sequence[str]) -> set[tuple[int, str]]:
    """(recipient id, key) pairs already sent, for many keys in one query."""
    if not dedupe_keys:
        return set()
    rows = Notification.objects.filter(dedupe_key__in=list(dedupe_keys)).values_list(
        "recipient_id", "dedupe_key"
    )
    return {(int(r), str(k)) for r, k in rows}


def notify_new(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    dedupe_key: str,
    sent: set[tuple[int, str]],
    body: str = "",
    params: dict[str, str | int] | None = None,
    link: str = "",
) -> int:
    """`notify` for those of `recipients` not yet holding `dedupe_key` (`sent`, from `already_told`); returns
    how many were newly told."""
    fresh = [u for u in recipients if (u.pk, dedupe_key) not in sent]
    if not fresh:
        return 0
    notify(
        recipients=fresh,
        kind=kind,
        title=title,
        body=body,
        params=params,
        link=link,
        dedupe_key=dedupe_key,
    )
    sent.update((u.pk, dedupe_key) for u in fresh)
    return len(fresh)
