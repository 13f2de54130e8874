"""Reads on policy finance: terms a company gets, scoped application lists, time in state, exposure, totals."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.models import StateChange
from nic1000.core.roles import PROGRAMME_READERS, Role
from nic1000.core.workflow import Label
from nic1000.designations.models import Membership
from nic1000.designations.selectors import active_memberships, membership_active_for
from nic1000.finance import terms as T
from nic1000.finance.models import (
    REPORT_GROUP,
    ApiToken,
    Application,
    ApplicationDocument,
    Product,
    Purpose,
    RoutingRule,
)
from nic1000.finance.workflows import APPLICATION, APPROVED_STATES, DISBURSED_STATES, OPEN_STATES
from nic1000.registry.models import CoreTechnology, FinancialStatement, Patent

OBJECT_TYPE = "finance.application"


# ---------------------------------------------------------------- terms


def product_terms(product: Product) -> T.ProductTerms:
    return T.ProductTerms(
        code=product.code,
        kind=product.kind,
        limit_basis=product.limit_basis,
        base_limit_ratio=product.base_limit_ratio,
        pref_limit_ratio=product.pref_limit_ratio,
        limit_cap_krw=product.limit_cap_krw,
        base_rate_pct=product.base_rate_pct,
        pref_rate_cut_pp=product.pref_rate_cut_pp,
        base_guarantee_ratio_pct=product.base_guarantee_ratio_pct,
        pref_guarantee_ratio_pct=product.pref_guarantee_ratio_pct,
        base_fee_pct=product.base_fee_pct,
        pref_fee_cut_pp=product.pref_fee_cut_pp,
        max_maturity_months=product.max_maturity_months,
        eligibility=dict(product.eligibility or {}),
    )


def products_active() -> QuerySet[Product]:
    return Product.objects.filter(active=True).select_related("institution")


def latest_sales(*, company_id: int) -> int | None:
    st = FinancialStatement.objects.filter(company_id=company_id).order_by("-fiscal_year").first()
    return st.sales if st is not None else None


def is_technology_company(*, company_id: int) -> bool:
    return (
        CoreTechnology.objects.filter(company_id=company_id).exists()
        or Patent.objects.filter(company_id=company_id, status=Patent.Status.REGISTERED).exists()
    )


def company_figures(
    *, company_id: int, estimated_sales: int | None = None, export_performance: int | None = None
) -> T.CompanyFigures:
    """The company's figures for limits: its stated estimate of this year's sales (else last year's sales
    from its latest statement), its stated export performance, whether it is a technology company and
    whether it is selected and active in the programme."""
    return T.CompanyFigures(
        estimated_sales=estimated_sales if estimated_sales else latest_sales(company_id=company_id),
        export_performance=export_performance or None,
        technology_company=is_technology_company(company_id=company_id),
        selected=membership_active_for(company_id=company_id) is not None,
    )


_COMMITTED = {
    "open": Sum("amount_requested", filter=Q(state__in=OPEN_STATES)),
    "approved": Sum("approved_amount", filter=Q(state__in=APPROVED_STATES)),
    "repaid": Sum("repaid_total", filter=Q(state__in=APPROVED_STATES)),
}


def _committed(row: dict[str, Any]) -> int:
    return int(row["open"] or 0) + int(row["approved"] or 0) - int(row["repaid"] or 0)


def committed_on_product(*, company_id: int, product_id: int, exclude_pk: int | None = None) -> int:
    """What the company already uses of a product's limit: open requests plus approved, not yet repaid."""
    qs = Application.objects.filter(company_id=company_id, product_id=product_id)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return _committed(qs.aggregate(**_COMMITTED))


def committed_by_product(*, company_id: int) -> dict[int, int]:
    """`committed_on_product` for every product the company has applied for, in one query."""
    rows = (
        Application.objects.filter(company_id=company_id)
        .values("product_id")
        .annotate(**_COMMITTED)
        .order_by()
    )
    return {r["product_id"]: _committed(r) for r in rows}


@dataclass(frozen=True)
class TermsRow:
    product: Product
    quote: T.Quote
    available_krw: int

    @property
    def eligible(self) -> bool:
        return self.quote.eligible and self.available_krw > 0


def terms_for_company(
    *, company_id: int, estimated_sales: int | None = None, export_performance: int | None = None
) -> list[TermsRow]:
    """Every active product with the terms this company's own data gives it ("up to KRW X at about Y%")."""
    figures = company_figures(
        company_id=company_id, estimated_sales=estimated_sales, export_performance=export_performance
    )
    committed = committed_by_product(company_id=company_id)
    rows = []
    for product in products_active():
        q = T.quote(product_terms(product), figures)
        used = committed.get(product.pk, 0) if q.eligible else 0
        rows.append(TermsRow(product=product, quote=q, available_krw=max(0, q.limit_krw - used)))
    return rows


def routing_rules() -> list[T.Rule]:
    return [
        T.Rule(
            priority=r.priority,
            purpose=r.purpose,
            technology_company=r.technology_company,
            min_amount_krw=r.min_amount_krw,
            max_amount_krw=r.max_amount_krw,
            product_code=r.product.code,
            reason=f"{r.reason_ko} / {r.reason_en}",
        )
        for r in RoutingRule.objects.filter(active=True, product__active=True).select_related("product")
    ]


# ---------------------------------------------------------------- applications


def application_list(*, user: User) -> QuerySet[Application]:
    """Applications the user may see: institution officers those routed to their institution, company
    representatives their company's, the programme office, auditors and the support group all."""
    qs = Application.objects.select_related("company", "institution", "product").annotate(
        state_since=Coalesce(
            Subquery(
                StateChange.objects.filter(
                    object_type=OBJECT_TYPE, object_id=Cast(OuterRef("pk"), output_field=CharField())
                )
                .order_by("-at")
                .values("at")[:1]
            ),
            F("created_at"),
        )
    )
    if has_role(user, PROGRAMME_READERS):
        return qs
    if has_role(user, {Role.INSTITUTION_OFFICER}) and user.institution_id:
        return qs.filter(institution_id=user.institution_id)
    if has_role(user, {Role.COMPANY}) and user.company_id:
        return qs.filter(company_id=user.company_id)
    return qs.none()


def access_application(*, user: User, pk: int) -> Application:
    """One application, or Http404 for missing and forbidden alike."""
    app = application_list(user=user).filter(pk=pk).first()
    if app is None:
        raise Http404(_("Application not found."))
    return app


def applications_for_institution(
    *, institution_id: int, state: str | None = None, updated_since: dt.datetime | None = None
) -> QuerySet[Application]:
    qs = Application.objects.filter(institution_id=institution_id).select_related(
        "company", "institution", "product"
    )
    if state:
        qs = qs.filter(state=state)
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs.order_by("updated_at", "id")


@dataclass(frozen=True)
class HistoryRow:
    transition: str
    from_state: str
    to_state: str
    at: dt.datetime
    actor: str
    reason: str
    duration: dt.timedelta  # time spent in to_state (until the next change or now)

    @property
    def days(self) -> float:
        return round(self.duration.total_seconds() / 86400, 2)

    @property
    def transition_label(self) -> Label:
        if self.transition == "submit":
            return APPLICATION.states["submitted"]
        try:
            return APPLICATION.transition(self.transition).label
        except KeyError:
            return self.transition

    @property
    def from_label(self) -> Label:
        return APPLICATION.states.get(self.from_state, self.from_state)

    @property
    def to_label(self) -> Label:
        return APPLICATION.states.get(self.to_state, self.to_state)


def application_history(*, application: Application) -> list[HistoryRow]:
    """The submission and every state change, with the time spent in each resulting state."""
    changes = list(
        StateChange.objects.filter(object_type=OBJECT_TYPE, object_id=str(application.pk)).select_related(
            "actor"
        )
    )
    events = [("submit", "", APPLICATION.initial, application.created_at, application.submitted_by, "")]
    events += [(c.transition, c.from_state, c.to_state, c.at, c.actor, c.reason) for c in changes]
    now = timezone.now()
    rows = []
    for i, (transition, from_state, to_state, at, actor, reason) in enumerate(events):
        end = events[i + 1][3] if i + 1 < len(events) else now
        if to_state in APPLICATION.final_states and i + 1 == len(events):
            end = at
        rows.append(
            HistoryRow(
                transition=transition,
                from_state=from_state,
                to_state=to_state,
                at=at,
                actor=str(actor) if actor else "",
                reason=reason,
                duration=end - at,
            )
        )
    return rows


def time_in_state() -> list[dict[str, Any]]:
    """For each state: how many applications are in it now, how long they have sat there (mean and longest)
    and the mean completed stay, from the StateChange log."""
    apps = Application.objects.all()
    # Every application starts in the initial state when it is created; the log holds each change after.
    last: dict[str, tuple[str, dt.datetime]] = {
        str(pk): (APPLICATION.initial, created) for pk, created in apps.values_list("pk", "created_at")
    }
    changes = StateChange.objects.filter(object_type=OBJECT_TYPE).order_by("object_id", "at", "id")
    now = timezone.now()
    stays: dict[str, list[float]] = defaultdict(list)
    current: dict[str, list[float]] = defaultdict(list)
    for oid, to_state, at in changes.values_list("object_id", "to_state", "at"):
        if oid not in last:
            continue
        prev_state, prev_at = last[oid]
        stays[prev_state].append((at - prev_at).total_seconds())
        last[oid] = (to_state, at)
    for state, at in last.values():
        if state not in APPLICATION.final_states:
            current[state].append((now - at).total_seconds())
    out = []
    for state, label in APPLICATION.states.items():
        cur = current.get(state, [])
        done = stays.get(state, [])
        out.append(
            {
                "state": state,
                "label": label,
                "now": len(cur),
                "mean_days_now": round(sum(cur) / len(cur) / 86400, 1) if cur else None,
                "max_days_now": round(max(cur) / 86400, 1) if cur else None,
                "mean_days_completed": round(sum(done) / len(done) / 86400, 1) if done else None,
                "stays": len(done),
            }
        )
    return out


# ---------------------------------------------------------------- exposure and totals


@dataclass(frozen=True)
class ExposureRow:
    institution_code: str
    institution_name: str
    product_kind: str
    approved: int
    disbursed: int
    repaid: int
    outstanding: int
    product_code: str = ""

    @property
    def product_kind_label(self) -> Label:
        return Purpose(self.product_kind).label if self.product_kind in Purpose.values else self.product_kind


def _exposure(qs: QuerySet[Application], keys: list[str]) -> list[ExposureRow]:
    rows = (
        qs.filter(state__in=APPROVED_STATES)
        .values(*keys)
        .annotate(
            approved=Sum("approved_amount"),
            disbursed=Sum("disbursed_total"),
            repaid=Sum("repaid_total"),
        )
        .order_by(*keys)
    )
    out = []
    for r in rows:
        disbursed, repaid = int(r["disbursed"] or 0), int(r["repaid"] or 0)
        out.append(
            ExposureRow(
                institution_code=r.get("institution__code", ""),
                institution_name=r.get("institution__name_ko", ""),
                product_kind=r.get("product__kind", ""),
                approved=int(r["approved"] or 0),
                disbursed=disbursed,
                repaid=repaid,
                outstanding=disbursed - repaid,
                product_code=r.get("product__code", ""),
            )
        )
    return out


def exposure_for_company(*, company_id: int) -> list[ExposureRow]:
    """One company's exposure across institutions: one row per institution and product kind (KRW)."""
    return _exposure(
        Application.objects.filter(company_id=company_id),
        ["institution__code", "institution__name_ko", "product__kind"],
    )


def exposure_by_institution() -> list[ExposureRow]:
    return _exposure(Application.objects.all(), ["institution__code", "institution__name_ko"])


def exposure_by_product() -> list[ExposureRow]:
    return _exposure(
        Application.objects.all(),
        ["institution__code", "institution__name_ko", "product__kind", "product__code"],
    )


@dataclass(frozen=True)
class ProgramTotals:
    """As the programme reports it: cases, companies, KRW by loans, guarantees and investment (approved)."""

    cases: int
    companies: int
    loans_krw: int
    guarantees_krw: int
    investment_krw: int
    total_krw: int
    disbursed_krw: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def program_totals() -> ProgramTotals:
    qs = Application.objects.filter(state__in=APPROVED_STATES)
    agg = qs.aggregate(cases=Count("id"), companies=Count("company_id", distinct=True))
    groups = {"loans": 0, "guarantees": 0, "investment": 0}
    disbursed = 0
    for r in qs.values("product__kind").annotate(a=Sum("approved_amount"), d=Sum("disbursed_total")):
        groups[REPORT_GROUP[r["product__kind"]]] += int(r["a"] or 0)
        disbursed += int(r["d"] or 0)
    return ProgramTotals(
        cases=agg["cases"] or 0,
        companies=agg["companies"] or 0,
        loans_krw=groups["loans"],
        guarantees_krw=groups["guarantees"],
        investment_krw=groups["investment"],
        total_krw=sum(groups.values()),
        disbursed_krw=disbursed,
    )


def funnel() -> dict[str, int]:
    qs = Application.objects.all()
    agg = qs.aggregate(
        applied=Count("id"),
        approved=Count("id", filter=Q(state__in=APPROVED_STATES)),
        disbursed=Count("id", filter=Q(state__in=DISBURSED_STATES)),
        declined=Count("id", filter=Q(state="declined")),
    )
    return {k: int(v or 0) for k, v in agg.items()}


def approved_by_month() -> dict[str, Any]:
    """Approved KRW per month, by institution and by report group (loans/guarantees/investment), for charts."""
    rows = (
        Application.objects.filter(state__in=APPROVED_STATES, decided_at__isnull=False)
        .annotate(month=TruncMonth("decided_at"))
        .values("month", "institution__code", "product__kind")
        .annotate(a=Sum("approved_amount"))
        .order_by("month")
    )
    months: list[str] = []
    by_inst: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_group: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        m = r["month"].strftime("%Y-%m")
        if m not in months:
            months.append(m)
        by_inst[r["institution__code"]][m] += int(r["a"] or 0)
        by_group[REPORT_GROUP[r["product__kind"]]][m] += int(r["a"] or 0)
    return {
        "months": months,
        "by_institution": {k: [v.get(m, 0) for m in months] for k, v in sorted(by_inst.items())},
        "by_group": {k: [v.get(m, 0) for m in months] for k, v in sorted(by_group.items())},
    }


# ---------------------------------------------------------------- the institutions' API


def published_selected_companies() -> QuerySet[Membership]:
    """The published list of selected companies: active memberships, with round, body and sector."""
    return active_memberships().order_by("id")


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The live token whose hash matches, or None (unknown and revoked alike)."""
    if not secret:
        return None
    return (
        ApiToken.objects.select_related("institution")
        .filter(token_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )


def api_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("institution", "created_by")


# ---------------------------------------------------------------- documents


def access_document(*, user: User, pk: int) -> ApplicationDocument:
    """One attached document, for those who may see its application; Http404 for missing and forbidden."""
    doc = ApplicationDocument.objects.filter(pk=pk).first()
    if doc is None:
        raise Http404(_("Document not found."))
    doc.application = access_application(user=user, pk=doc.application_id)
    return doc
