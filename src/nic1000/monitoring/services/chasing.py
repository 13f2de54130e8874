"""Chasing missing financial statements: the inspection asks the companies that have not filed."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.core.roles import Role
from nic1000.designations.selectors import active_memberships
from nic1000.registry.models import Company, FinancialStatement


def statements_chase(*, fiscal_year: int, acting_user: User | None = None) -> int:
    """Notify the representatives of active companies without statements for `fiscal_year` (in-app).
    Deduplicated per company and fiscal year: chasing again does not repeat the message. Returns companies.

    `acting_user` is who triggered the chase (the inspection's requester, or None for the schedule); the
    notifications themselves are not audited."""
    active = active_memberships().values_list("company_id", flat=True)
    have = FinancialStatement.objects.filter(fiscal_year=fiscal_year).values_list("company_id", flat=True)
    missing = list(Company.objects.filter(pk__in=active).exclude(pk__in=have).values_list("pk", flat=True))
    reps: dict[int, list[User]] = {}
    for user in User.objects.filter(role=Role.COMPANY, is_active=True, company_id__in=missing):
        reps.setdefault(int(user.company_id or 0), []).append(user)
    link = reverse("monitoring:statements")
    for company_id, users in reps.items():
        notify(
            recipients=users,
            kind="statement_missing",
            title=gettext_noop("Please submit your financial statements for fiscal year %(year)s"),
            body=gettext_noop(
                "Statement request: please submit your financial statements for fiscal year %(year)s."
            ),
            params={"year": fiscal_year},
            link=link,
            dedupe_key=f"statement-missing:{company_id}:{fiscal_year}",
        )
    return len(missing)
