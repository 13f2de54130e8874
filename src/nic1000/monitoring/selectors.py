"""Monitoring reads, scoped by role.

Who sees what:

* support group, programme office, auditor: every monitored company (the auditor read-only);
* ministry officer: the companies their body nominated (membership.body == user.body);
* company representative: their own surveys and statement submissions only. **Risk scores, levels and
  support cases are internal** to the group, the office, the auditor and the nominating ministry: the group
  inspects companies, and a score shown to the company would invite gaming the statements;
* institution officers and evaluators: nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.http import Http404

from nic1000.core.models import StateChange
from nic1000.core.roles import Role
from nic1000.designations.models import Membership
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.models import (
    CaseAction,
    DifficultySurvey,
    InspectionResult,
    InspectionRun,
    MonthlySurvey,
    Removal,
    SupportCase,
)
from nic1000.registry.models import Company, FinancialStatement
from nic1000.rounds.models import Round

PROGRAM_WIDE = (Role.SUPPORT_GROUP, Role.PROGRAM_OFFICE, Role.AUDITOR)
MONITORING_ROLES = (*PROGRAM_WIDE, Role.MINISTRY_OFFICER)


def monitored_company_ids(*, user: Any) -> QuerySet[Any, Any] | None:
    """None = every company; otherwise a queryset of company ids the user may see."""
    role = getattr(user, "role", None)
    if role in PROGRAM_WIDE:
        return None
    if role == Role.MINISTRY_OFFICER and user.body_id:
        return Membership.objects.filter(body_id=user.body_id).values_list("company_id", flat=True)
    return Membership.objects.none().values_list("company_id", flat=True)


def _scope(qs: QuerySet[Any], user: Any, field: str = "company_id") -> QuerySet[Any]:
    role = getattr(user, "role", None)
    if role not in MONITORING_ROLES:
        return qs.none()
    ids = monitored_company_ids(user=user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def latest_period() -> str | None:
    return InspectionRun.objects.filter(processed__gt=0).aggregate(p=Max("period"))["p"]


def result_list(
    *, user: Any, period: str | None = None, level: str = "", q: str = ""
) -> QuerySet[InspectionResult]:
    period = period or latest_period()
    qs = InspectionResult.objects.filter(period=period or "").select_related("company")
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(
            Q(company__name_ko__icontains=q) | Q(company__name_en__icontains=q) | Q(company__brn=q)
        )
    return _scope(qs, user).order_by("-probability", "company_id")


def run_list() -> QuerySet[InspectionRun]:
    return InspectionRun.objects.all()


def access_company_monitoring(*, user: Any, pk: int) -> Company:
    qs = _scope(Company.objects.filter(memberships__isnull=False).distinct(), user, "pk")
    company = qs.filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


@dataclass
class TrendPoint:
    period: str
    probability: float | None
    level: str


def risk_trend(*, company_id: int, limit: int = 24) -> list[TrendPoint]:
    rows = InspectionResult.objects.filter(company_id=company_id).order_by("-period")[:limit]
    return [TrendPoint(r.period, r.probability, r.level) for r in reversed(list(rows))]


def results_for_company(*, company_id: int) -> QuerySet[InspectionResult]:
    return InspectionResult.objects.filter(company_id=company_id).order_by("-period")


def explanation(*, result: InspectionResult, lang: str = "en") -> dict[str, Any]:
    """Words for a stored result: the rules that fired and the ratios that pushed the risk up or down."""
    factors = []
    stored = list(result.factors or [])
    if not stored and result.fiscal_year is not None:
        stored = _explain_now(result.company_id)
    for f in stored:
        if isinstance(f, dict):
            text = f.get(lang) or f.get("text") or f.get("en") or f.get("feature", "")
            factors.append({**f, "text": text})
    return {"rules": rules_mod.describe(list(result.rules or []), lang), "factors": factors}


def _explain_now(company_id: int) -> list[dict[str, Any]]:
    """Explanations are stored only for warning and above (they are costly for 100k companies); the others
    are computed when someone opens the company. Any failure just shows no factors."""
    from nic1000.monitoring import engine
    from nic1000.monitoring.services import model_in_use

    try:
        return engine.explain_company(company_id=company_id, model=model_in_use())
    except Exception:
        return []


def exposure(*, company_id: int) -> list[Any]:
    """Exposure across institutions (finance); empty when finance has nothing to say."""
    try:
        from nic1000.finance.selectors import exposure_for_company
    except ImportError:  # pragma: no cover - finance not installed
        return []
    try:
        return list(exposure_for_company(company_id=company_id))
    except Exception:  # pragma: no cover - finance tables not ready
        return []


# ---------------------------------------------------------------- cases


def case_list(*, user: Any, state: str = "") -> QuerySet[SupportCase]:
    qs = SupportCase.objects.select_related("company", "owner")
    if state:
        qs = qs.filter(state=state)
    return _scope(qs, user)


def access_case(*, user: Any, pk: int) -> SupportCase:
    case = case_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_history(*, case: SupportCase) -> list[dict[str, Any]]:
    """State changes and actions in time order."""
    items: list[dict[str, Any]] = []
    for sc in StateChange.objects.filter(
        object_type="monitoring.supportcase", object_id=str(case.pk)
    ).select_related("actor"):
        items.append(
            {
                "at": sc.at,
                "kind": "state",
                "text": f"{sc.from_state} → {sc.to_state}",
                "note": sc.reason,
                "by": sc.actor,
            }
        )
    for a in CaseAction.objects.filter(case=case).select_related("by", "institution"):
        items.append(
            {
                "at": a.at,
                "kind": a.kind,
                "text": a.get_kind_display(),
                "note": a.note,
                "by": a.by,
                "institution": a.institution,
            }
        )
    items.sort(key=lambda x: x["at"])
    return items


# ---------------------------------------------------------------- surveys


def survey_lists(*, user: Any) -> dict[str, QuerySet[Any]]:
    monthly = MonthlySurvey.objects.select_related("company")
    difficulty = DifficultySurvey.objects.select_related("company")
    if getattr(user, "role", None) == Role.COMPANY:
        return {
            "monthly": monthly.filter(company_id=user.company_id),
            "difficulty": difficulty.filter(company_id=user.company_id),
        }
    return {"monthly": _scope(monthly, user), "difficulty": _scope(difficulty, user)}


def access_survey(*, user: Any, kind: str, pk: int) -> MonthlySurvey | DifficultySurvey:
    lists = survey_lists(user=user)
    if kind not in lists:
        raise Http404
    obj = lists[kind].filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# ---------------------------------------------------------------- statements (company side)


def statements_for_company(*, company_id: int) -> QuerySet[FinancialStatement]:
    return FinancialStatement.objects.filter(company_id=company_id).order_by("-fiscal_year")


# ---------------------------------------------------------------- removals and vacancies


def _last_published_at() -> Any:
    return Round.objects.filter(published_at__isnull=False).aggregate(m=Max("published_at"))["m"]


def vacancies_for_next_round() -> int:
    """Companies removed since the last published round: places to refill in the next round's quota."""
    since = _last_published_at()
    qs = Removal.objects.all()
    if since is not None:
        qs = qs.filter(removed_at__gt=since)
    return qs.count()


def vacancies_by_body_for_next_round() -> dict[str, int]:
    """The same, per nominating body code (for per-ministry quotas)."""
    since = _last_published_at()
    qs = Removal.objects.all()
    if since is not None:
        qs = qs.filter(removed_at__gt=since)
    out: dict[str, int] = {}
    for code in qs.values_list("body__code", flat=True):
        out[code] = out.get(code, 0) + 1
    return out


def removal_list() -> QuerySet[Removal]:
    return Removal.objects.select_related("membership__company", "body", "removed_by")


def membership_list(*, user: Any) -> QuerySet[Membership]:
    from nic1000.designations.selectors import active_memberships

    return _scope(active_memberships(), user).order_by("company__name_ko")


def access_membership(*, user: Any, pk: int) -> Membership:
    m = membership_list(user=user).filter(pk=pk).first()
    if m is None:
        raise Http404
    return m
