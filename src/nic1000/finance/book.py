"""The institution's own book: what it approved, paid out, got back, what is outstanding and when it falls due.

Reads only. `institution_book` gives the officer's own institution's approved applications (no other
institution's row, whatever the query string says), filtered and annotated with the balance; `book_totals`
adds them up in one query; `book_xlsx` writes every filtered row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.identifiers import brn_format
from nic1000.core.listing import local_naive, rows_of, xlsx_response
from nic1000.core.roles import Role
from nic1000.core.sorting import DESC, SortSpec
from nic1000.finance.models import Application
from nic1000.finance.workflows import APPLICATION, APPROVED_STATES

DUE_SOON_DAYS = 30  # the "due" total: outstanding balances falling due within this many days (or overdue)

BOOK_SORT = SortSpec(
    columns={
        "number": ("pk",),
        "company": ("company__name_ko",),
        "approved": ("approved_amount",),
        "disbursed": ("disbursed_total",),
        "repaid": ("repaid_total",),
        "outstanding": ("balance",),
        "due": ("maturity_on",),
    },
    default="number",
    default_dir=DESC,
)

# The "due" filter's choices.
DUE_CHOICES = [
    ("", "—"),
    ("outstanding", gettext_lazy("Any balance outstanding")),
    ("overdue", gettext_lazy("Past due")),
    ("7", gettext_lazy("Due within 7 days")),
    ("30", gettext_lazy("Due within 30 days")),
]


@dataclass(frozen=True)
class BookFilters:
    state: str = ""
    product_id: int | None = None
    due: str = ""
    q: str = ""


def institution_book(*, user: User, filters: BookFilters | None = None) -> QuerySet[Application]:
    """The officer's institution's approved applications, each with its `balance` (outstanding)."""
    if not has_role(user, {Role.INSTITUTION_OFFICER}) or not user.institution_id:
        raise Http404(_("No institution is bound to your account."))
    f = filters or BookFilters()
    qs = (
        Application.objects.filter(institution_id=user.institution_id, state__in=APPROVED_STATES)
        .select_related("company", "product")
        .annotate(balance=F("disbursed_total") - F("repaid_total"))
    )
    if f.state in APPROVED_STATES:
        qs = qs.filter(state=f.state)
    if f.product_id:
        qs = qs.filter(product_id=f.product_id)
    if f.q:
        qs = qs.filter(Q(company__name_ko__icontains=f.q) | Q(company__brn=f.q.replace("-", "")))
    today = timezone.localdate()
    if f.due == "outstanding":
        qs = qs.filter(balance__gt=0)
    elif f.due == "overdue":
        qs = qs.filter(balance__gt=0, maturity_on__lt=today)
    elif f.due in ("7", "30"):
        qs = qs.filter(balance__gt=0, maturity_on__lte=today + dt.timedelta(days=int(f.due)))
    return qs


def book_totals(qs: QuerySet[Application]) -> dict[str, int]:
    """The filtered book added up (one query): cases, approved, disbursed, repaid, outstanding, and the
    outstanding balances falling due within DUE_SOON_DAYS (overdue ones included) and already overdue."""
    today = timezone.localdate()
    owed = Q(balance__gt=0, maturity_on__isnull=False)
    agg = qs.order_by().aggregate(
        cases=Count("id"),
        approved=Sum("approved_amount"),
        disbursed=Sum("disbursed_total"),
        repaid=Sum("repaid_total"),
        due=Sum("balance", filter=owed & Q(maturity_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))),
        overdue=Sum("balance", filter=owed & Q(maturity_on__lt=today)),
    )
    out = {k: int(v or 0) for k, v in agg.items()}
    out["outstanding"] = out["disbursed"] - out["repaid"]
    return out


BOOK_HEADER = [
    pgettext_lazy("finance application", "Application number"),
    gettext_lazy("Company"),
    gettext_lazy("Business registration number"),
    gettext_lazy("Product"),
    gettext_lazy("State"),
    gettext_lazy("Approved amount (KRW)"),
    gettext_lazy("Interest rate (%)"),
    gettext_lazy("Maturity (months)"),
    gettext_lazy("Decided at"),
    gettext_lazy("Disbursed (KRW)"),
    gettext_lazy("Repaid (KRW)"),
    gettext_lazy("Outstanding (KRW)"),
    gettext_lazy("Due on"),
]


def book_xlsx(qs: QuerySet[Application]) -> HttpResponse:
    """Every row of the filtered book, full amounts in whole KRW."""
    states = APPLICATION.states

    def row(a: Any) -> Sequence[object]:
        return [
            str(a),
            a.company.name_ko,
            brn_format(a.company.brn),
            a.product.name_ko,
            str(states.get(a.state, a.state)),
            a.approved_amount,
            float(a.approved_rate_pct) if a.approved_rate_pct is not None else None,
            a.approved_maturity_months,
            local_naive(a.decided_at),
            a.disbursed_total,
            a.repaid_total,
            a.balance,
            a.maturity_on,
        ]

    return xlsx_response(name="finance-book", header=BOOK_HEADER, rows=rows_of(qs, row))
