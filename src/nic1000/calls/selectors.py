"""Reads of calls and applications, each scoped to who is asking (one 404 for missing and forbidden)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.calls.models import Call, CallApplication, CallDocument
from nic1000.calls.workflows import WITHDRAWN
from nic1000.core.access import has_role
from nic1000.core.roles import OFFICE_AND_AUDIT, Role


def _visible_calls(user: User | None) -> QuerySet[Call]:
    qs = Call.objects.select_related("round", "body")
    if user is not None and has_role(user, OFFICE_AND_AUDIT):
        return qs
    if user is not None and has_role(user, {Role.MINISTRY_OFFICER}):
        return qs.filter(Q(body_id=user.body_id or 0) | Q(opens_at__lte=timezone.now()))
    return qs.filter(opens_at__lte=timezone.now())  # the public sees a call once it has opened


def call_list(*, user: User | None, scope: str = "") -> QuerySet[Call]:
    """Calls the user may see; scope "open" keeps those taking applications now, "mine" a body's own."""
    qs = _visible_calls(user).annotate(
        n_applications=Count("applications", filter=~Q(applications__state=WITHDRAWN))
    )
    now = timezone.now()
    if scope == "open":
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    elif scope == "mine" and user is not None:
        qs = qs.filter(body_id=user.body_id or 0)
    return qs.order_by("-opens_at", "-id")


def access_call(*, user: User | None, pk: int) -> Call:
    call = _visible_calls(user).filter(pk=pk).first()
    if call is None:
        raise Http404
    return call


def may_screen(*, user: User, call: Call) -> bool:
    return has_role(user, {Role.MINISTRY_OFFICER}) and call.body_id == user.body_id


def _visible_applications(user: User) -> QuerySet[CallApplication]:
    qs = CallApplication.objects.select_related("call", "call__body", "call__round", "company")
    if has_role(user, OFFICE_AND_AUDIT):
        return qs
    if has_role(user, {Role.MINISTRY_OFFICER}):
        return qs.filter(call__body_id=user.body_id or 0)
    if has_role(user, {Role.COMPANY}):
        return qs.filter(company_id=user.company_id or 0)
    return qs.none()


def applications_for_call(*, user: User, call: Call, state: str = "") -> QuerySet[CallApplication]:
    qs = _visible_applications(user).filter(call=call).annotate(n_documents=Count("documents"))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("submitted_at", "id")


def my_applications(*, user: User) -> QuerySet[CallApplication]:
    return (
        _visible_applications(user).filter(company_id=user.company_id or 0).order_by("-submitted_at", "-id")
    )


def access_application(*, user: User, pk: int) -> CallApplication:
    application = _visible_applications(user).filter(pk=pk).first()
    if application is None:
        raise Http404
    return application


def my_application_for(*, user: User, call: Call) -> CallApplication | None:
    if not has_role(user, {Role.COMPANY}):
        return None
    return CallApplication.objects.filter(call=call, company_id=user.company_id or 0).first()


def access_document(*, user: User, pk: int) -> CallDocument:
    document = CallDocument.objects.select_related("application").filter(pk=pk).first()
    if document is None:
        raise Http404
    access_application(user=user, pk=document.application_id)
    return document
