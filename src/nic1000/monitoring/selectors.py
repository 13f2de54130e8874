"""Monitoring reads, scoped by role.

Who sees what:

* support group, programme office, auditor (`PROGRAMME_READERS`): every monitored company (the auditor
  read-only);
* ministry officer: the companies their body nominated (membership.body == user.body);
* company representative: their own surveys and statement submissions only. **Risk scores, levels and
  support cases are internal** to the group, the office, the auditor and the nominating ministry: the group
  inspects companies, and a score shown to the company would invite gaming the statements;
* institution officers and evaluators: nothing here.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.algorithms.early_warning import programme as programme_risk
from nic1000.core.access import has_role
from nic1000.core.identifiers import brn_compact
from nic1000.core.models import StateChange
from nic1000.core.roles import MONITORING_READERS, PROGRAMME_READERS, Role
from nic1000.designations.models import Membership
from nic1000.designations.selectors import active_memberships
from nic1000.finance.selectors import exposure_for_company
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.models import (
    CaseAction,
    DifficultySurvey,
    InspectionResult,
    InspectionRun,
    MonthlySurvey,
    Removal,
    RiskCalibration,
    SupportCase,
)
from nic1000.monitoring.workflows import ACTIVE_STATES, CASE_WORKFLOW
from nic1000.registry.models import Body, Company, FinancialStatement
from nic1000.rounds.models import Round

Viewer = User | AnonymousUser
M = TypeVar("M", bound=Model)


def monitored_company_ids(*, user: Viewer) -> QuerySet[Membership, int] | None:
    """None = every company; otherwise a queryset of the company ids the user may see."""
    if has_role(user, PROGRAMME_READERS):
        return None
    if isinstance(user, User) and has_role(user, {Role.MINISTRY_OFFICER}) and user.body_id:
        return Membership.objects.filter(body_id=user.body_id).values_list("company_id", flat=True)
    return Membership.objects.none().values_list("company_id", flat=True)


def _scope(qs: QuerySet[M], user: Viewer, field: str = "company_id") -> QuerySet[M]:
    if not has_role(user, MONITORING_READERS):
        return qs.none()
    ids = monitored_company_ids(user=user)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


# ---------------------------------------------------------------- inspections


def latest_period() -> str | None:
    period: str | None = InspectionRun.objects.filter(processed__gt=0).aggregate(p=Max("period"))["p"]
    return period


def result_list(
    *, user: Viewer, period: str | None = None, level: str = "", q: str = ""
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


def level_counts(*, user: Viewer, period: str) -> dict[str, int]:
    """Companies per alert level in one period, every level listed (one query)."""
    rows = (
        _scope(InspectionResult.objects.filter(period=period), user)
        .order_by()
        .values_list("level")
        .annotate(n=Count("id"))
    )
    got = dict(rows)
    return {lv: int(got.get(lv, 0)) for lv in rules_mod.LEVELS}


def run_list() -> QuerySet[InspectionRun]:
    return InspectionRun.objects.all()


def access_company_monitoring(*, user: Viewer, pk: int) -> Company:
    qs = _scope(Company.objects.filter(memberships__isnull=False).distinct(), user, "pk")
    company = qs.filter(pk=pk).first()
    if company is None:
        raise Http404
    return company


def memberships_of(*, company: Company) -> QuerySet[Membership]:
    return company.memberships.select_related("round", "body")


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


def _lang() -> str:
    return "ko" if (get_language() or "ko").startswith("ko") else "en"


def explanation(*, result: InspectionResult) -> dict[str, Any]:
    """Words for a stored result in the active language: the rules that fired and the ratios that pushed the
    risk up or down."""
    lang = _lang()
    factors = []
    stored = list(result.factors or [])
    if not stored and result.fiscal_year is not None:
        stored = _explain_now(result.company_id)
    for f in stored:
        if isinstance(f, dict):
            factors.append({**f, "text": _factor_text(f, lang)})
    return {"rules": rules_mod.describe(list(result.rules or [])), "factors": factors}


def _factor_text(f: dict[str, Any], lang: str) -> str:
    """One ratio's push on the risk, worded through gettext from what the engine stored (feature, value,
    direction); the stored bilingual sentence is only a fallback for entries without a feature."""
    from nic1000.algorithms.early_warning import feature_label  # the model's package loads only when needed

    feature = str(f.get("feature") or "")
    if not feature or f.get("direction") not in ("up", "down"):
        return str(f.get(lang) or f.get("text") or f.get("en") or feature)
    value = f.get("value")
    if isinstance(value, int | float):
        shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    else:
        shown = "–"
    params = {"ratio": feature_label(feature, lang), "value": shown}
    if f["direction"] == "up":
        return _("%(ratio)s = %(value)s raises the risk") % params
    return _("%(ratio)s = %(value)s lowers the risk") % params


def _explain_now(company_id: int) -> list[dict[str, Any]]:
    """Explanations are stored only for warning and above (they are costly for 100k companies); the others
    are computed when someone opens the company. Any failure just shows no factors."""
    from nic1000.monitoring import engine
    from nic1000.monitoring.services.early_warning import model_in_use

    try:
        return engine.explain_company(company_id=company_id, model=model_in_use())
    except Exception:
        return []


def exposure(*, company_id: int) -> list[Any]:
    """The company's policy-finance exposure across institutions (monitoring sits above finance and reads it)."""
    return list(exposure_for_company(company_id=company_id))


# ---------------------------------------------------------------- cases


def case_list(*, user: Viewer, state: str = "", q: str = "") -> QuerySet[SupportCase]:
    qs = SupportCase.objects.select_related("company", "owner")
    if state:
        qs = qs.filter(state=state)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(company__name_ko__icontains=q)
            | Q(company__name_en__icontains=q)
            | Q(company__brn=brn_compact(q))
        )
    return _scope(qs, user)


def access_case(*, user: Viewer, pk: int) -> SupportCase:
    case = case_list(user=user).filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_history(*, case: SupportCase) -> list[dict[str, Any]]:
    """State changes and actions in time order."""
    items: list[dict[str, Any]] = []
    changes = StateChange.objects.filter(object_type=SupportCase._meta.label_lower, object_id=str(case.pk))
    for sc in changes.select_related("actor"):
        items.append(
            {
                "at": sc.at,
                "kind": "state",
                "text": f"{CASE_WORKFLOW.states.get(sc.from_state, sc.from_state)} → "
                f"{CASE_WORKFLOW.states.get(sc.to_state, sc.to_state)}",
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


@dataclass
class SurveyLists:
    monthly: QuerySet[MonthlySurvey]
    difficulty: QuerySet[DifficultySurvey]


def survey_lists(*, user: Viewer) -> SurveyLists:
    monthly = MonthlySurvey.objects.select_related("company")
    difficulty = DifficultySurvey.objects.select_related("company")
    if isinstance(user, User) and has_role(user, {Role.COMPANY}):
        own = Q(company_id=user.company_id) if user.company_id else Q(pk__in=[])
        return SurveyLists(monthly.filter(own), difficulty.filter(own))
    return SurveyLists(_scope(monthly, user), _scope(difficulty, user))


def access_survey(*, user: Viewer, kind: str, pk: int) -> MonthlySurvey | DifficultySurvey:
    lists = survey_lists(user=user)
    obj: MonthlySurvey | DifficultySurvey | None
    if kind == "monthly":
        obj = lists.monthly.filter(pk=pk).first()
    elif kind == "difficulty":
        obj = lists.difficulty.filter(pk=pk).first()
    else:
        obj = None
    if obj is None:
        raise Http404
    return obj


# ---------------------------------------------------------------- survey follow-up


def month_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a YYYY-MM month (the period is validated by the caller's form)."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def survey_expected(*, period: str) -> QuerySet[Membership]:
    """The designations in the programme during the month: each of their companies owes that month's survey."""
    first, last = month_bounds(period)
    return Membership.objects.filter(selected_on__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first)
    )


def survey_non_responders(
    *, user: Viewer | None, period: str, body: str = "", q: str = "", active_only: bool = False
) -> QuerySet[Membership]:
    """The designations whose company has not answered the month's survey, scoped to `user` (None: every one,
    for the reminder jobs); `active_only` keeps the companies still in the programme (those who are told)."""
    answered = MonthlySurvey.objects.filter(period=period).values_list("company_id", flat=True)
    qs = survey_expected(period=period).exclude(company_id__in=answered).select_related("company", "body")
    if active_only:
        qs = qs.filter(status=Membership.Status.ACTIVE)
    if body:
        qs = qs.filter(body__code=body)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(company__name_ko__icontains=q)
            | Q(company__name_en__icontains=q)
            | Q(company__brn=brn_compact(q))
        )
    if user is not None:
        qs = _scope(qs, user)
    return qs.order_by("company__name_ko", "pk")


@dataclass(frozen=True)
class ResponseRate:
    period: str
    expected: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.expected if self.expected else None


def survey_response_rates(*, user: Viewer, periods: list[str]) -> list[ResponseRate]:
    """Per month: companies that owed the survey and those that answered (two queries a month)."""
    out = []
    for period in periods:
        expected = _scope(survey_expected(period=period), user).values_list("company_id", flat=True)
        answered = MonthlySurvey.objects.filter(period=period, company_id__in=expected)
        out.append(ResponseRate(period, expected.distinct().count(), answered.count()))
    return out


def body_choices(*, user: Viewer) -> list[tuple[str, str]]:
    """The nominating bodies a user may filter by (a ministry officer: their own)."""
    qs = Body.objects.order_by("code")
    if not has_role(user, PROGRAMME_READERS):
        qs = qs.filter(pk=getattr(user, "body_id", None) or 0)
    return [(b.code, str(b)) for b in qs]


def company_by_brn(*, brn: str) -> Company | None:
    """The registry company with this registration number (any spelling with dashes or spaces)."""
    return Company.objects.filter(brn=brn_compact(brn)).first()


# ---------------------------------------------------------------- statements (company side)


def statements_for_company(*, company_id: int) -> QuerySet[FinancialStatement]:
    return FinancialStatement.objects.filter(company_id=company_id).order_by("-fiscal_year")


# ---------------------------------------------------------------- removals and vacancies


def _last_published_at() -> dt.datetime | None:
    """When the last round was published: the vacancies counted are those since (the rounds' own data)."""
    published: dt.datetime | None = Round.objects.filter(published_at__isnull=False).aggregate(
        m=Max("published_at")
    )["m"]
    return published


def _removals_since_publication() -> QuerySet[Removal]:
    since = _last_published_at()
    # A designation reinstated on appeal (appeals) leaves no vacancy.
    qs = Removal.objects.filter(membership__status=Membership.Status.REMOVED)
    return qs if since is None else qs.filter(removed_at__gt=since)


def vacancies_for_next_round() -> int:
    """Companies removed since the last published round: places to refill in the next round's quota."""
    return _removals_since_publication().count()


def vacancies_by_body_for_next_round() -> dict[str, int]:
    """The same, per nominating body code (for per-ministry quotas)."""
    rows = (
        _removals_since_publication()
        .order_by("membership__body__code")
        .values_list("membership__body__code")
        .annotate(n=Count("id"))
    )
    return {str(code): int(n) for code, n in rows}


@dataclass(frozen=True)
class RemovalConsequences:
    """What a removal would do, for the confirmation page (the people told, the vacancies, an open case)."""

    representatives: int
    officers: int
    vacancies_after: int
    open_case: SupportCase | None


def removal_consequences(*, membership: Membership) -> RemovalConsequences:
    users = User.objects.filter(is_active=True)
    return RemovalConsequences(
        representatives=users.filter(role=Role.COMPANY, company_id=membership.company_id).count(),
        officers=users.filter(role=Role.MINISTRY_OFFICER, body_id=membership.body_id).count(),
        vacancies_after=vacancies_for_next_round() + 1,
        open_case=SupportCase.objects.filter(
            company_id=membership.company_id, state__in=ACTIVE_STATES
        ).first(),
    )


def removal_list() -> QuerySet[Removal]:
    return Removal.objects.select_related("membership__company", "membership__body", "removed_by")


def membership_list(*, user: Viewer) -> QuerySet[Membership]:
    return _scope(active_memberships(), user).order_by("company__name_ko")


def access_membership(*, user: Viewer, pk: int) -> Membership:
    m = membership_list(user=user).filter(pk=pk).first()
    if m is None:
        raise Http404
    return m


# ---------------------------------------------------------------- risk calibrated to the programme


@dataclass(frozen=True)
class RiskView:
    probability: float  # the model's, at its training sample's base rate
    programme: float  # calibrated to the programme
    grade: int  # 1 (lowest risk) … 10


@dataclass(frozen=True)
class ProgrammeRisk:
    """The calibration in force (None: the probabilities stay at the sample's base rate)."""

    current: RiskCalibration | None
    sample_rate: float | None  # None: the model does not record it

    def programme(self, p: Any) -> Any:
        """Programme-calibrated probabilities (array in, array out)."""
        cur = self.current
        if cur is None:
            return np.asarray(p, dtype="float64")
        if cur.a is not None and cur.b is not None:
            return programme_risk.apply_refit(p, cur.a, cur.b)
        assert cur.base_rate is not None
        return programme_risk.prior_correction(p, cur.sample_rate, cur.base_rate)

    def view(self, p: float | None) -> RiskView | None:
        if p is None:
            return None
        q = float(self.programme([p])[0])
        return RiskView(float(p), q, programme_risk.grade_of(q))


def model_sample_rate() -> float | None:
    """The base rate of the sample the model in use was trained on (its metadata), None if not recorded."""
    from nic1000.monitoring.services.early_warning import model_in_use

    meta = model_in_use().model.metadata
    rows, positives = int(meta.get("rows", 0)), int(meta.get("positives", 0))
    return positives / rows if rows > 0 and 0 < positives < rows else None


def programme_risk_in_force() -> ProgrammeRisk:
    current = RiskCalibration.objects.select_related("created_by").first()
    return ProgrammeRisk(current=current, sample_rate=current.sample_rate if current else model_sample_rate())


def with_programme_risk(rows: Any, risk: ProgrammeRisk | None = None) -> ProgrammeRisk:
    """Set `.risk` (a RiskView or None) on each inspection result of `rows` (a page or a list)."""
    risk = risk or programme_risk_in_force()
    items = list(rows)
    calibrated = risk.programme([r.probability if r.probability is not None else 0.0 for r in items])
    for r, q in zip(items, calibrated, strict=True):
        r.risk = (
            None
            if r.probability is None
            else RiskView(float(r.probability), float(q), programme_risk.grade_of(float(q)))
        )
    return risk


def risk_calibration_history(limit: int = 20) -> list[RiskCalibration]:
    return list(RiskCalibration.objects.select_related("created_by")[:limit])


def grade_table() -> tuple[programme_risk.Grade, ...]:
    return programme_risk.GRADES
