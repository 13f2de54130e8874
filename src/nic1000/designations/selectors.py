"""Reads of designations: who is in the programme now, and who was removed when."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.core.roles import Role
from nic1000.designations.models import LIVE_STATES, Membership, Reevaluation, ReevaluationPeriod


def live_memberships() -> QuerySet[Membership]:
    """Designated now, also while under re-evaluation (by state; the daily job expires past-end ones)."""
    return Membership.objects.filter(status__in=LIVE_STATES)


def active_memberships() -> QuerySet[Membership]:
    return live_memberships().select_related("company", "round", "body")


def membership_active_for(*, company_id: int, on: dt.date | None = None) -> Membership | None:
    """The company's designation in force on `on` (today): designated or under re-evaluation, and not past its
    end date even before the daily job has marked it expired. Removed or expired: None (no finance)."""
    day = on or timezone.localdate()
    return (
        live_memberships()
        .filter(company_id=company_id)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .select_related("round")
        .first()
    )


def removals_between(*, after: dt.date | None, until: dt.date) -> QuerySet[Membership]:
    """Designations removed after `after` (exclusive; None: from the start) up to `until` (inclusive)."""
    qs = Membership.objects.filter(status=Membership.Status.REMOVED, ended_on__lte=until)
    return qs if after is None else qs.filter(ended_on__gt=after)


# --- re-evaluations ----------------------------------------------------------------------------------------------

# Who reads re-evaluations: the programme's readers all, a ministry officer those of its own body.
_ALL_READERS = (Role.PROGRAM_OFFICE, Role.AUDITOR, Role.SUPPORT_GROUP)


def current_period() -> ReevaluationPeriod | None:
    return ReevaluationPeriod.objects.order_by("-half").first()


def reevaluations_visible(*, user: User) -> QuerySet[Reevaluation]:
    qs = Reevaluation.objects.select_related("membership__company", "body", "period", "filed_by")
    if user.role in _ALL_READERS:
        return qs
    if user.role == Role.MINISTRY_OFFICER and user.body_id:
        return qs.filter(body_id=user.body_id)
    return qs.none()


def access_reevaluation(*, user: User, pk: int) -> Reevaluation:
    r = reevaluations_visible(user=user).filter(pk=pk).first()
    if r is None:
        raise Http404
    return r


def due_memberships(*, period: ReevaluationPeriod, body_id: int) -> QuerySet[Membership]:
    """The body's designated companies not yet re-evaluated for the period."""
    done = Reevaluation.objects.filter(period=period).values("membership_id")
    return (
        Membership.objects.filter(body_id=body_id, status=Membership.Status.ACTIVE)
        .exclude(pk__in=done)
        .select_related("company", "round")
        .order_by("company__name_ko", "id")
    )


def access_due_membership(*, user: User, period: ReevaluationPeriod, pk: int) -> Membership:
    """One of the officer's body's designated companies still due for the period; Http404 otherwise."""
    if user.role != Role.MINISTRY_OFFICER or not user.body_id:
        raise Http404
    m = due_memberships(period=period, body_id=user.body_id).filter(pk=pk).first()
    if m is None:
        raise Http404
    return m
