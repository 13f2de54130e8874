"""Scheduled work of designations: the daily expiry (`core.schedule`, registered in `DesignationsConfig.ready`)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.core.roles import Role
from nic1000.designations.models import LIVE_STATES, Membership
from nic1000.designations.services import designation_expire

# Companies are told this many days before their designation's last day.
EXPIRY_NOTICE_DAYS = 30


def _reps(company_ids: set[int]) -> dict[int, list[User]]:
    out: dict[int, list[User]] = {}
    for u in User.objects.filter(role=Role.COMPANY, company_id__in=company_ids, is_active=True):
        assert u.company_id is not None
        out.setdefault(u.company_id, []).append(u)
    return out


def designations_expire_due(*, now: dt.datetime) -> int:
    """Expire the designations whose last day has passed and tell their companies; tell the companies whose
    designation ends within `EXPIRY_NOTICE_DAYS`. Idempotent: expired ones are no longer live, and each notice
    has a dedupe key per designation. Returns the number expired."""
    today = timezone.localdate(now)
    live = Membership.objects.filter(status__in=LIVE_STATES, ends_on__isnull=False)
    past = list(live.filter(ends_on__lt=today).select_related("company").order_by("id"))
    soon = list(
        live.filter(Q(ends_on__gte=today) & Q(ends_on__lte=today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)))
        .select_related("company")
        .order_by("id")
    )
    reps = _reps({m.company_id for m in past + soon})
    for m in past:
        designation_expire(membership=m)
        assert m.ends_on is not None
        notify(
            recipients=reps.get(m.company_id, []),
            kind="designation.expiring",
            title=gettext_noop("Your designation ended on %(day)s"),
            body=gettext_noop(
                "The designation period of %(company)s is over: the programme's policy finance is no longer open "
                "to it. A new nomination in a later round is possible."
            ),
            params={"day": m.ends_on.isoformat(), "company": m.company.name_ko},
            link="/",
            dedupe_key=f"designation-expired-{m.pk}",
        )
    for m in soon:
        assert m.ends_on is not None
        notify(
            recipients=reps.get(m.company_id, []),
            kind="designation.expiring",
            title=gettext_noop("Your designation ends on %(day)s"),
            body=gettext_noop(
                "The designation of %(company)s ends on %(day)s; apply for policy finance before then."
            ),
            params={"day": m.ends_on.isoformat(), "company": m.company.name_ko},
            link="/",
            dedupe_key=f"designation-expiring-{m.pk}",
        )
    return len(past)
