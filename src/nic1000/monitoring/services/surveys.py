"""Surveys: a company fills in its monthly status and six-monthly difficulty surveys (correcting them until
reviewed); the support group reviews them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import AuditItem, audit_record, audit_record_many, created, diff, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, ValidationFailed
from nic1000.core.roles import MONITORING_ACTORS, Role
from nic1000.core.text import text_check
from nic1000.monitoring.models import Difficulty, DifficultySurvey, MonthlySurvey
from nic1000.monitoring.periods import period_validate
from nic1000.monitoring.services.reminders import survey_tell
from nic1000.registry.models import Company

Survey = TypeVar("Survey", MonthlySurvey, DifficultySurvey)

_MONTHLY_FIELDS = ["support_status", "financing_need", "financing_plan", "needs_help"]
_DIFFICULTY_FIELDS = ["satisfaction", "difficulties", "improvements"]
_REVIEW_FIELDS = ["reviewed_at", "review_note"]


def _require_own(user: User, company: Company) -> None:
    require_role(user, Role.COMPANY, message=_("A company fills in its own surveys only."))
    if user.company_id != company.pk:
        raise Forbidden(_("A company fills in its own surveys only."), code="forbidden_role")


def _open_for_correction(model: type[Survey], reviewed: str, **key: Any) -> Survey | None:
    """The survey already submitted for this company and period, locked; refused once reviewed."""
    survey = model.objects.select_for_update().filter(**key).first()
    if survey is not None and survey.reviewed_at is not None:
        raise Conflict(reviewed, code="survey_reviewed")
    return survey


def _monthly_problems(values: Mapping[str, Any]) -> None:
    if values.get("support_status") not in MonthlySurvey.SupportStatus.values:
        raise ValidationFailed(
            _("Choose a support status."),
            [ErrorDetail(message=_("This field is required."), field="support_status")],
        )
    if int(values.get("financing_need") or 0) < 0:
        raise ValidationFailed(
            _("The amount cannot be negative."),
            [ErrorDetail(message=_("The amount cannot be negative."), field="financing_need")],
        )


@transaction.atomic
def monthly_survey_submit(
    *, company: Company, period: str, values: Mapping[str, Any], acting_user: User
) -> MonthlySurvey:
    """Submit (or correct, until reviewed) the monthly status survey of the user's own company."""
    text_check(**{k: v for k, v in values.items() if isinstance(v, str)})
    _require_own(acting_user, company)
    period_validate(period)
    _monthly_problems(values)
    survey = _open_for_correction(
        MonthlySurvey, _("This month's survey was already reviewed."), company=company, period=period
    )
    before = snapshot(survey, _MONTHLY_FIELDS) if survey else {}
    if survey is None:
        survey = MonthlySurvey(company=company, period=period)
    survey.support_status = values["support_status"]
    survey.financing_need = int(values.get("financing_need") or 0)
    survey.financing_plan = str(values.get("financing_plan") or "")
    survey.needs_help = bool(values.get("needs_help"))
    survey.submitted_by = acting_user
    survey.submitted_at = timezone.now()
    survey.full_clean()
    survey.save()
    audit_record(
        actor=acting_user,
        action="monthly_survey.submit",
        obj=survey,
        changes=diff(before, snapshot(survey, _MONTHLY_FIELDS)),
    )
    return survey


def _difficulty_values(values: Mapping[str, Any]) -> tuple[int, list[str]]:
    """(satisfaction 1-5, difficulty codes, sorted and distinct), or the problems."""
    problems = []
    try:
        satisfaction = int(values.get("satisfaction") or 0)
    except (TypeError, ValueError):
        satisfaction = 0
    if not 1 <= satisfaction <= 5:
        problems.append(ErrorDetail(message=_("Choose 1 to 5."), field="satisfaction"))
    chosen = list(values.get("difficulties") or [])
    if any(d not in Difficulty.values for d in chosen):
        problems.append(ErrorDetail(message=_("Unknown difficulty."), field="difficulties"))
    if problems:
        raise ValidationFailed(_("The survey has problems."), problems)
    return satisfaction, sorted(set(chosen))


@transaction.atomic
def difficulty_survey_submit(
    *, company: Company, half: str, values: Mapping[str, Any], acting_user: User
) -> DifficultySurvey:
    """Submit (or correct, until reviewed) the six-monthly difficulty survey of the user's own company."""
    text_check(**{k: v for k, v in values.items() if isinstance(v, str)})
    _require_own(acting_user, company)
    satisfaction, difficulties = _difficulty_values(values)
    survey = _open_for_correction(
        DifficultySurvey, _("This half-year's survey was already reviewed."), company=company, half=half
    )
    before = snapshot(survey, _DIFFICULTY_FIELDS) if survey else {}
    if survey is None:
        survey = DifficultySurvey(company=company, half=half)
    survey.satisfaction = satisfaction
    survey.difficulties = difficulties
    survey.improvements = str(values.get("improvements") or "")
    survey.submitted_by = acting_user
    survey.submitted_at = timezone.now()
    survey.save()
    audit_record(
        actor=acting_user,
        action="difficulty_survey.submit",
        obj=survey,
        changes=diff(before, snapshot(survey, _DIFFICULTY_FIELDS)),
    )
    return survey


@transaction.atomic
def survey_review(
    *, survey: MonthlySurvey | DifficultySurvey, note: str, acting_user: User
) -> MonthlySurvey | DifficultySurvey:
    """The support group marks a survey reviewed, with a note."""
    text_check(note=note)
    require_role(
        acting_user,
        MONITORING_ACTORS,
        message=_("Only the support group and the programme office review surveys."),
    )
    before = snapshot(survey, _REVIEW_FIELDS)
    survey.reviewed_by = acting_user
    survey.reviewed_at = timezone.now()
    survey.review_note = note
    survey.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        actor=acting_user,
        action=f"{survey._meta.model_name}.review",
        obj=survey,
        changes=diff(before, snapshot(survey, _REVIEW_FIELDS)),
    )
    return survey


@transaction.atomic
def survey_remind_all(*, period: str, acting_user: User) -> tuple[int, int]:
    """The support group reminds every active company that has not answered `period`'s monthly survey: a
    reminder while the month runs, an overdue notice after it. At most once a day per company (a second click
    the same day tells nobody again). Returns (companies without an answer, representatives newly told); audited
    with the counts."""
    require_role(
        acting_user,
        MONITORING_ACTORS,
        message=_("Only the support group and the programme office send survey reminders."),
    )
    period_validate(period)
    today = timezone.localdate()
    current = f"{today:%Y-%m}"
    if period > current:
        raise ValidationFailed(
            _("The survey for %(period)s is not open yet.") % {"period": period},
            [ErrorDetail(message=_("Choose this month or an earlier one."), field="period", value=period)],
            code="survey_not_open",
        )
    overdue = period < current
    companies, told = survey_tell(period=period, overdue=overdue, key_prefix=f"survey-remind-{today:%Y%m%d}")
    audit_record_many(
        actor=acting_user,
        items=[
            AuditItem(
                action="monthly_survey.remind",
                object_type=MonthlySurvey._meta.label_lower,
                object_repr=period,
                changes=created({"period": period, "companies": companies, "told": told, "overdue": overdue}),
            )
        ],
    )
    return companies, told
