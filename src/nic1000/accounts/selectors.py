"""Reads of accounts: the programme office's user list, invitations, and which companies a user may invite a
representative for.

The registry (bodies, institutions, companies) sits above accounts: it is reached here only through the user's
binding fields (`User.body`, `User.institution`, `User.company`), never imported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from nic1000.accounts.models import Invitation, User
from nic1000.core.access import has_role
from nic1000.core.identifiers import brn_compact
from nic1000.core.roles import OFFICE, Role
from nic1000.core.sorting import SortSpec

# --- who may invite a company's representative ------------------------------------------------------------

# The companies a ministry officer may invite representatives for are those its body nominated. Nominations
# live in the rounds app, above accounts: it registers the answer when it loads (`rounds.apps`). Until then (or
# without it), a ministry officer may invite nobody.
NominatedCompanies = Callable[[int], "QuerySet[Any]"]  # body id → the companies it nominated
_nominated_companies: list[NominatedCompanies] = []


def register_nominated_companies(fn: NominatedCompanies) -> None:
    """Called once by the app that knows nominations: `fn(body_id)` gives the companies it nominated."""
    if fn not in _nominated_companies:
        _nominated_companies.append(fn)


def _company_model() -> type[Model]:
    return User._meta.get_field("company").related_model  # type: ignore[return-value]


def _ministry_may_invite(user: User, company_id: int) -> bool:
    if user.body_id is None:
        return False
    return any(fn(user.body_id).filter(pk=company_id).exists() for fn in _nominated_companies)


def may_invite_representative(*, user: Any, company_id: int) -> bool:
    """The programme office for any company, a ministry officer for the companies its body nominated."""
    if has_role(user, OFFICE):
        return True
    return bool(has_role(user, {Role.MINISTRY_OFFICER}) and _ministry_may_invite(user, company_id))


def access_invitable_company(*, user: Any, pk: int) -> Any:
    """A registry company the user may invite a representative for; Http404 for missing and forbidden alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such company") from None
    if not may_invite_representative(user=user, company_id=pk):
        raise Http404("No such company")
    company = _company_model()._default_manager.filter(pk=pk).first()
    if company is None:
        raise Http404("No such company")
    return company


def company_by_brn(brn: str) -> Any:
    """A registry company by its business registration number (with or without dashes), or None."""
    digits = brn_compact(brn or "")
    if not digits:
        return None
    return _company_model()._default_manager.filter(brn=digits).first()


def bodies() -> QuerySet[Any]:
    """Ministries and agencies, for choosing an officer's binding."""
    return User._meta.get_field("body").related_model._default_manager.order_by("code")  # type: ignore[union-attr]


def institutions() -> QuerySet[Any]:
    """Policy finance institutions, for choosing an officer's binding."""
    model = User._meta.get_field("institution").related_model
    return model._default_manager.order_by("code")  # type: ignore[union-attr]


# --- users ---------------------------------------------------------------------------------------------------

USER_SORT = SortSpec(
    columns={
        "username": ("username",),
        "name": ("display_name", "username"),
        "role": ("role", "username"),
        "last_login": ("last_login",),
        "joined": ("date_joined",),
    },
    default="username",
)


def user_list(
    *, role: str = "", binding: str = "", active: bool | None = None, q: str = ""
) -> QuerySet[User]:
    """Every user (the programme office's list), filtered by role, binding (`body:<code>`,
    `institution:<code>`), active or not, and a search text (user name, name, e-mail, company name or BRN)."""
    qs = User.objects.select_related("body", "institution", "company")
    if role in Role.values:
        qs = qs.filter(role=role)
    kind, _sep, code = (binding or "").partition(":")
    if kind == "body" and code:
        qs = qs.filter(body__code=code)
    elif kind == "institution" and code:
        qs = qs.filter(institution__code=code)
    if active is not None:
        qs = qs.filter(is_active=active)
    q = (q or "").strip()
    if q:
        cond = (
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(email__icontains=q)
            | Q(company__name_ko__icontains=q)
            | Q(company__name_en__icontains=q)
        )
        digits = brn_compact(q)
        if digits.isdigit() and len(digits) == 10:
            cond |= Q(company__brn=digits)
        qs = qs.filter(cond)
    return qs


def access_user(*, pk: int) -> User:
    """One user for the programme office's pages (the view requires the office); Http404 when missing."""
    user = User.objects.select_related("body", "institution", "company").filter(pk=pk).first()
    if user is None:
        raise Http404("No such user")
    return user


def active_office_count() -> int:
    return User.objects.filter(role=Role.PROGRAM_OFFICE, is_active=True).count()


# --- invitations ----------------------------------------------------------------------------------------------


def open_invitations(*, now: datetime | None = None) -> QuerySet[Invitation]:
    now = now or timezone.now()
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


def invitations_for_office(*, limit: int = 200) -> list[Invitation]:
    """The open invitations (newest first) for the programme office's user page."""
    qs = open_invitations().select_related("body", "institution", "company", "invited_by")
    return list(qs.order_by("-created_at", "-id")[:limit])


def invitations_for_company(*, company_id: int) -> list[Invitation]:
    qs = open_invitations().filter(company_id=company_id).select_related("invited_by")
    return list(qs.order_by("-created_at", "-id"))


def representatives_of(*, company_id: int) -> list[User]:
    return list(User.objects.filter(role=Role.COMPANY, company_id=company_id).order_by("username"))


def access_invitation(*, user: Any, pk: int) -> Invitation:
    """An invitation the user may re-send or revoke: the office any, a ministry officer those for companies its
    body nominated. Http404 for missing and forbidden alike."""
    inv = Invitation.objects.select_related("body", "institution", "company").filter(pk=pk).first()
    if inv is None:
        raise Http404("No such invitation")
    if has_role(user, OFFICE):
        return inv
    if inv.company_id is not None and may_invite_representative(user=user, company_id=inv.company_id):
        return inv
    raise Http404("No such invitation")
