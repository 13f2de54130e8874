"""Reads of designations: who is in the programme now."""

from __future__ import annotations

from django.db.models import QuerySet

from nic1000.designations.models import Membership


def active_memberships() -> QuerySet[Membership]:
    return Membership.objects.filter(status=Membership.Status.ACTIVE).select_related(
        "company", "round", "body"
    )


def membership_active_for(*, company_id: int) -> Membership | None:
    return (
        Membership.objects.filter(company_id=company_id, status=Membership.Status.ACTIVE)
        .select_related("round")
        .first()
    )
