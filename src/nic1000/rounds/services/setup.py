"""Programme, rounds and their configuration: settings, criteria, bonus items, eligibility rules, quotas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.activity.services import workflow_transition
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import require_role
from nic1000.core.errors import ErrorDetail, ValidationFailed
from nic1000.core.roles import OFFICE
from nic1000.core.text import text_check
from nic1000.registry.models import Body
from nic1000.rounds.models import (
    DEFAULT_CRITERIA,
    ROUND_SETTINGS_FIELDS,
    BonusItem,
    Criterion,
    EligibilityRule,
    Program,
    Quota,
    Round,
    RoundSettings,
)
from nic1000.rounds.refills import vacancies_for
from nic1000.rounds.services import notices
from nic1000.rounds.workflows import PAGE_TRANSITIONS, ROUND, RoundAction, require_round_allows

DEFAULT_RUBRIC = {
    "1": "매우 미흡: 근거 없음",
    "2": "미흡: 근거 부족, 중대한 의문",
    "3": "보통: 일부 근거, 일부 의문",
    "4": "우수: 명확한 근거, 경미한 의문",
    "5": "탁월: 설득력 있는 근거, 세계적 수준",
}


@dataclass
class CriterionInput:
    key: str
    name_ko: str
    weight: int
    name_en: str = ""
    rubric: dict[str, str] = field(default_factory=dict)


@dataclass
class QuotaInput:
    family: str
    key: str = ""
    min_count: int | None = None
    max_count: int | None = None
    refill: int = 0  # a body's places to refill, at most its vacancies (`rounds.refills.vacancies_for`)


@transaction.atomic
def program_create(
    *,
    name_ko: str,
    name_en: str,
    starts_on: dt.date,
    acting_user: User,
    target_companies: int = 1000,
    bodies: Sequence[Body] = (),
    ends_on: dt.date | None = None,
    designation_years: int = 3,
) -> Program:
    require_role(acting_user, OFFICE)
    program = Program(
        name_ko=name_ko,
        name_en=name_en,
        starts_on=starts_on,
        ends_on=ends_on,
        target_companies=target_companies,
        designation_years=designation_years,
    )
    program.full_clean()
    program.save()
    program.bodies.set(bodies)
    audit_record(
        actor=acting_user,
        action="program.create",
        obj=program,
        changes=created({**snapshot(program), "bodies": [b.code for b in bodies]}),
    )
    return program


@transaction.atomic
def round_create(
    *,
    program: Program,
    number: int,
    name: str,
    acting_user: User,
    nominations_close_at: dt.datetime | None = None,
    scoring_deadline: dt.datetime | None = None,
    reviews_per_candidacy: int = 3,
    load_min: int = 0,
    load_max: int = 15,
) -> Round:
    """A draft round with the announced five criteria (20 each), a 1–5 rubric and both eligibility rules."""
    require_role(acting_user, OFFICE)
    if Round.objects.filter(program=program, number=number).exists():
        raise ValidationFailed(
            _("Round %(n)d already exists in this programme.") % {"n": number},
            [ErrorDetail(message=_("Already exists"), field="number", value=number)],
        )
    rnd = Round(
        program=program,
        number=number,
        name=name,
        nominations_close_at=nominations_close_at,
        scoring_deadline=scoring_deadline,
        state=ROUND.initial,
    )
    rnd.full_clean()
    rnd.save()
    settings = RoundSettings(
        round=rnd, reviews_per_candidacy=reviews_per_candidacy, load_min=load_min, load_max=load_max
    )
    _validate_settings(settings)
    settings.save()
    Criterion.objects.bulk_create(
        Criterion(round=rnd, key=key, name_ko=ko, name_en=en, weight=20, rubric=dict(DEFAULT_RUBRIC), order=i)
        for i, (key, ko, en) in enumerate(DEFAULT_CRITERIA)
    )
    EligibilityRule.objects.bulk_create(
        EligibilityRule(round=rnd, kind=k) for k in EligibilityRule.Kind.values
    )
    audit_record(
        actor=acting_user,
        action="round.create",
        obj=rnd,
        changes=created(
            {
                **snapshot(rnd, ["program_id", "number", "name", "nominations_close_at", "scoring_deadline"]),
                "reviews_per_candidacy": reviews_per_candidacy,
                "load": [load_min, load_max],
                "criteria": [c[0] for c in DEFAULT_CRITERIA],
            }
        ),
    )
    return rnd


def _validate_settings(s: RoundSettings) -> None:
    details = []
    if s.reviews_per_candidacy < 1:
        details.append(ErrorDetail(message=_("At least one evaluator"), field="reviews_per_candidacy"))
    if s.load_max < s.load_min:
        details.append(ErrorDetail(message=_("Maximum below minimum"), field="load_max", value=s.load_max))
    if s.score_max <= s.score_min:
        details.append(ErrorDetail(message=_("Highest score must be above the lowest"), field="score_max"))
    if not 0.01 <= s.probability_cap <= 1:
        details.append(
            ErrorDetail(message=_("Between 0.01 and 1"), field="probability_cap", value=s.probability_cap)
        )
    if details:
        raise ValidationFailed(_("The round's settings are not valid."), details)


class _Unchanged:
    """A deadline not given: it stays as it is (None clears it)."""


UNCHANGED = _Unchanged()


@transaction.atomic
def round_settings_update(
    *,
    round: Round,
    acting_user: User,
    scoring_deadline: dt.datetime | _Unchanged | None = UNCHANGED,
    nominations_close_at: dt.datetime | _Unchanged | None = UNCHANGED,
    rules: Mapping[str, bool] | None = None,
    **fields: Any,
) -> RoundSettings:
    """Save the round's settings and, in the same transaction, its own eligibility rules (kind → on/off;
    unchanged rules write nothing), so a refused rule leaves the settings unsaved too."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    settings = RoundSettings.objects.get(round=rnd)
    before = {
        **snapshot(settings, ROUND_SETTINGS_FIELDS),
        **snapshot(rnd, ["scoring_deadline", "nominations_close_at"]),
    }
    structural = {"reviews_per_candidacy", "score_min", "score_max"}
    if structural & set(fields) and any(fields[k] != getattr(settings, k) for k in structural & set(fields)):
        require_round_allows(rnd, RoundAction.CONFIGURE)
    for key, value in fields.items():
        if key not in ROUND_SETTINGS_FIELDS:
            raise ValidationFailed(_("Unknown setting %(key)s.") % {"key": key})
        setattr(settings, key, value)
    _validate_settings(settings)
    settings.full_clean(exclude=["round"])
    settings.save()
    if not isinstance(scoring_deadline, _Unchanged):
        rnd.scoring_deadline = scoring_deadline
    if not isinstance(nominations_close_at, _Unchanged):
        rnd.nominations_close_at = nominations_close_at
    rnd.save(update_fields=["scoring_deadline", "nominations_close_at"])
    after = {
        **snapshot(settings, ROUND_SETTINGS_FIELDS),
        **snapshot(rnd, ["scoring_deadline", "nominations_close_at"]),
    }
    audit_record(actor=acting_user, action="round.settings_update", obj=rnd, changes=diff(before, after))
    for kind, active in (rules or {}).items():
        eligibility_rule_set(round=rnd, kind=kind, active=active, acting_user=acting_user)
    round.scoring_deadline, round.nominations_close_at = rnd.scoring_deadline, rnd.nominations_close_at
    return settings


def _criteria_problems(items: Sequence[CriterionInput], settings: RoundSettings) -> list[ErrorDetail]:
    details: list[ErrorDetail] = []
    total = sum(int(i.weight) for i in items)
    if not items:
        details.append(ErrorDetail(message=_("At least one criterion"), field="criteria"))
    if total != 100:
        details.append(
            ErrorDetail(
                message=_("Weights must sum to 100 (they sum to %(total)d)") % {"total": total},
                field="weight",
                value=total,
                code="weights_sum",
            )
        )
    seen: set[str] = set()
    levels = {str(v) for v in range(settings.score_min, settings.score_max + 1)}
    for row, item in enumerate(items):
        if not item.key or item.key in seen:
            details.append(ErrorDetail(message=_("Keys must be present and unique"), row=row, field="key"))
        seen.add(item.key)
        if item.weight < 0:
            details.append(ErrorDetail(message=_("Weight cannot be negative"), row=row, field="weight"))
        if not item.name_ko.strip():
            details.append(ErrorDetail(message=_("A name is required"), row=row, field="name_ko"))
        stray = set(item.rubric) - levels
        if stray:
            details.append(
                ErrorDetail(
                    message=_("Rubric levels outside the scale: %(levels)s")
                    % {"levels": ", ".join(sorted(stray))},
                    row=row,
                    field="rubric",
                )
            )
    return details


def _criteria_replace(rnd: Round, body: Body | None, items: Sequence[CriterionInput]) -> list[Criterion]:
    """Update the criteria kept (by key), create the new ones, delete the dropped ones."""
    by_key = {c.key: c for c in Criterion.objects.filter(round=rnd, body=body)}
    keep: list[Criterion] = []
    for order, item in enumerate(items):
        c = by_key.pop(item.key, None) or Criterion(round=rnd, body=body, key=item.key)
        c.name_ko, c.name_en, c.weight, c.order = item.name_ko, item.name_en, int(item.weight), order
        c.rubric = {str(k): v for k, v in item.rubric.items()} if item.rubric else dict(DEFAULT_RUBRIC)
        c.save()
        keep.append(c)
    Criterion.objects.filter(pk__in=[c.pk for c in by_key.values()]).delete()
    return keep


def _criteria_summary(criteria: Iterable[Criterion]) -> list[dict[str, Any]]:
    return [{"key": c.key, "weight": c.weight, "name_ko": c.name_ko} for c in criteria]


@transaction.atomic
def criteria_set(
    *, round: Round, items: Sequence[CriterionInput], acting_user: User, body: Body | None = None
) -> list[Criterion]:
    """Replace the criteria of the round's default set (body None) or of one body's set.
    Weights must sum to 100; each rubric level must lie on the round's scale."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.CONFIGURE)
    details = _criteria_problems(items, RoundSettings.objects.get(round=rnd))
    if details:
        raise ValidationFailed(_("The criteria are not valid."), details, code="criteria_invalid")
    before = _criteria_summary(Criterion.objects.filter(round=rnd, body=body))
    keep = _criteria_replace(rnd, body, items)
    audit_record(
        actor=acting_user,
        action="round.criteria_set",
        obj=rnd,
        changes={
            "criteria": {"before": before, "after": _criteria_summary(keep)},
            "body": {"before": None, "after": getattr(body, "code", None)},
        },
    )
    return keep


@transaction.atomic
def bonus_item_add(
    *, round: Round, name: str, points: int, acting_user: User, body: Body | None = None
) -> BonusItem:
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.CONFIGURE)
    if not name.strip() or points <= 0 or points > 20:
        raise ValidationFailed(
            _("A bonus item needs a name and 1 to 20 points."),
            [ErrorDetail(message=_("1 to 20 points"), field="points", value=points)],
        )
    item = BonusItem.objects.create(round=rnd, body=body, name=name.strip(), points=points)
    audit_record(actor=acting_user, action="round.bonus_item_add", obj=item, changes=created(snapshot(item)))
    return item


@transaction.atomic
def eligibility_rule_set(
    *, round: Round, kind: str, active: bool | None, acting_user: User, body: Body | None = None
) -> EligibilityRule | None:
    """Turn a rule of the round on or off; with `body`, that body's own rule, which replaces the round's
    rule of the same kind for the companies it nominates (`active=None` removes it: the round's rule applies)."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    if kind not in EligibilityRule.Kind.values:
        raise ValidationFailed(
            _("Unknown eligibility rule."), [ErrorDetail(message="", field="kind", value=kind)]
        )
    if active is None and body is None:
        raise ValidationFailed(
            _("A round's own rule is either on or off."), [ErrorDetail(message="", field="active")]
        )
    rule = EligibilityRule.objects.filter(round=rnd, body=body, kind=kind).first()
    before = None if rule is None else rule.active
    if before == active:  # unchanged: nothing to write, whatever the state
        return rule
    require_round_allows(rnd, RoundAction.CONFIGURE)
    if active is None:
        assert rule is not None
        rule.delete()
        rule = None
    else:
        if rule is None:
            rule = EligibilityRule(round=rnd, body=body, kind=kind)
        rule.active = active
        rule.save()
    audit_record(
        actor=acting_user,
        action="round.eligibility_rule_set",
        obj=rnd,
        changes={f"rule.{kind}" + (f".{body.code}" if body else ""): {"before": before, "after": active}},
    )
    return rule


@transaction.atomic
def eligibility_body_rules_set(
    *, round: Round, rules: Sequence[tuple[Body, str, bool | None]], acting_user: User
) -> int:
    """Several bodies' own rules at once (the settings page), all or nothing; returns how many changed."""
    require_role(acting_user, OFFICE)
    changed = 0
    for body, kind, active in rules:
        current = (
            EligibilityRule.objects.filter(round=round, body=body, kind=kind)
            .values_list("active", flat=True)
            .first()
        )
        if current != active:
            eligibility_rule_set(round=round, kind=kind, active=active, body=body, acting_user=acting_user)
            changed += 1
    return changed


def _quota_row_problems(
    row: int, q: QuotaInput, seen: set[tuple[str, str]], body_codes: set[str] | None
) -> list[ErrorDetail]:
    """What is wrong with one quota on its own (and whether it repeats an earlier one)."""
    name = f"{q.family}:{q.key}" if q.key else q.family
    if q.family not in Quota.Family.values:
        return [ErrorDetail(message=_("Unknown quota family"), row=row, field="family", value=q.family)]
    details: list[ErrorDetail] = []
    if (q.family, q.key) in seen:
        details.append(ErrorDetail(message=_("Quota %(name)s is given twice") % {"name": name}, row=row))
    seen.add((q.family, q.key))
    if q.family != Quota.Family.TOTAL and not q.key:
        details.append(ErrorDetail(message=_("Quota needs a key"), row=row, field="key"))
    if q.family == Quota.Family.BODY and body_codes is not None and q.key and q.key not in body_codes:
        details.append(
            ErrorDetail(message=_("Unknown body %(code)s") % {"code": q.key}, row=row, field="key")
        )
    for attr in ("min_count", "max_count"):
        v = getattr(q, attr)
        if v is not None and v < 0:
            details.append(ErrorDetail(message=_("Cannot be negative"), row=row, field=attr, value=v))
    if q.min_count is not None and q.max_count is not None and q.min_count > q.max_count:
        details.append(
            ErrorDetail(
                message=_("Quota %(name)s: minimum %(min)d is above its maximum %(max)d")
                % {"name": name, "min": q.min_count, "max": q.max_count},
                row=row,
                field="min_count",
                value=q.min_count,
                code="quota_min_above_max",
            )
        )
    return details


def _quota_total_problems(
    rows: Sequence[QuotaInput], total: QuotaInput, body_codes: set[str] | None
) -> list[ErrorDetail]:
    """Group quotas that the total quota rules out: minimums above its maximum, maximums below its minimum."""
    details: list[ErrorDetail] = []
    if total.max_count is not None:
        cap = total.max_count + sum(q.refill for q in rows)  # places to refill add to the total
        for family, message in (
            (
                Quota.Family.BODY,
                _("The per-body minimums add up to %(mins)d, above the total maximum %(max)d"),
            ),
            (
                Quota.Family.SECTOR,
                _("The per-sector minimums add up to %(mins)d, above the total maximum %(max)d"),
            ),
        ):
            mins = sum(q.min_count or 0 for q in rows if q.family == family)
            if mins > cap:
                details.append(
                    ErrorDetail(
                        message=message % {"mins": mins, "max": cap},
                        field="min_count",
                        code="quota_mins_exceed_total",
                    )
                )
    if total.min_count is not None and body_codes:
        fam = [q for q in rows if q.family == Quota.Family.BODY]
        covers_all = {q.key for q in fam} >= body_codes
        maxes = sum((q.max_count or 0) + q.refill for q in fam)
        if fam and covers_all and all(q.max_count is not None for q in fam) and maxes < total.min_count:
            details.append(
                ErrorDetail(
                    message=_("The maximums per body add up to %(maxes)d, below the total minimum %(min)d")
                    % {"maxes": maxes, "min": total.min_count},
                    field="max_count",
                    code="quota_maxes_below_total",
                )
            )
    return details


def quota_problems(rows: Sequence[QuotaInput], *, body_codes: set[str] | None = None) -> list[ErrorDetail]:
    """Quotas that cannot all hold, found without the candidates (the optimiser finds the rest)."""
    seen: set[tuple[str, str]] = set()
    details = [d for i, q in enumerate(rows) for d in _quota_row_problems(i, q, seen, body_codes)]
    total = next((q for q in rows if q.family == Quota.Family.TOTAL), None)
    if total is not None:
        details += _quota_total_problems(rows, total, body_codes)
    return details


def refill_problems(rows: Sequence[QuotaInput], *, vacancies: Mapping[str, int]) -> list[ErrorDetail]:
    """Refills only on a body's quota, never below zero, never beyond the vacancies the body's removals left."""
    details: list[ErrorDetail] = []
    for row, q in enumerate(rows):
        if not q.refill:
            continue
        if q.family != Quota.Family.BODY or q.refill < 0:
            details.append(
                ErrorDetail(
                    message=_("Only a body's quota refills places."), row=row, field="refill", value=q.refill
                )
            )
        elif q.refill > vacancies.get(q.key, 0):
            details.append(
                ErrorDetail(
                    message=_("%(body)s: %(refill)d places to refill, but only %(vacancies)d vacancies")
                    % {"body": q.key, "refill": q.refill, "vacancies": vacancies.get(q.key, 0)},
                    row=row,
                    field="refill",
                    value=q.refill,
                    code="refill_beyond_vacancies",
                )
            )
    return details


@transaction.atomic
def quotas_set(*, round: Round, rows: Sequence[QuotaInput], acting_user: User) -> list[Quota]:
    """Replace the round's quotas. Quotas that plainly cannot all hold are refused, nothing changes."""
    require_role(acting_user, OFFICE)
    rnd = Round.objects.select_for_update().get(pk=round.pk)
    require_round_allows(rnd, RoundAction.SET_QUOTAS)
    codes = set(rnd.program.bodies.values_list("code", flat=True)) or set(
        Body.objects.values_list("code", flat=True)
    )
    refill_details = refill_problems(rows, vacancies=vacancies_for(round=rnd))
    if refill_details:
        raise ValidationFailed(
            _("A body cannot refill more places than its vacancies."),
            refill_details,
            code="refill_beyond_vacancies",
        )
    details = quota_problems(rows, body_codes=codes)
    if details:
        raise ValidationFailed(_("These quotas cannot all hold."), details, code="quotas_infeasible")
    before = [[q.family, q.key, q.min_count, q.max_count, q.refill] for q in Quota.objects.filter(round=rnd)]
    Quota.objects.filter(round=rnd).delete()
    quotas = Quota.objects.bulk_create(
        Quota(
            round=rnd,
            family=q.family,
            key=q.key,
            min_count=q.min_count,
            max_count=q.max_count,
            refill=q.refill,
        )
        for q in rows
    )
    after = [[q.family, q.key, q.min_count, q.max_count, q.refill] for q in quotas]
    audit_record(
        actor=acting_user,
        action="round.quotas_set",
        obj=rnd,
        changes={"quotas": {"before": before, "after": after}},
    )
    return quotas


@transaction.atomic
def program_update(
    *, program: Program, target_companies: int, designation_years: int, acting_user: User
) -> Program:
    """The programme's target of designated companies and the designation period (later designations end
    `designation_years` after their publication; those made already keep their end date)."""
    require_role(acting_user, OFFICE)
    locked = Program.objects.select_for_update().get(pk=program.pk)
    fields = ["target_companies", "designation_years"]
    before = snapshot(locked, fields)
    locked.target_companies, locked.designation_years = target_companies, designation_years
    try:
        locked.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("The programme's settings are not valid."),
            [ErrorDetail(message=str(m), field=f) for f, ms in exc.message_dict.items() for m in ms],
            code="program_invalid",
        ) from None
    locked.save(update_fields=fields)
    audit_record(
        actor=acting_user, action="program.update", obj=locked, changes=diff(before, snapshot(locked, fields))
    )
    program.target_companies, program.designation_years = target_companies, designation_years
    return locked


def round_transition(*, round: Round, transition: str, acting_user: User, reason: str = "") -> Round:
    """Fire one of the round page's transitions (publication goes through `publication.round_publish`).
    Who may fire it and what it requires are declared in `rounds.workflows.ROUND`. Opening nominations tells
    the officers of every participating body."""
    text_check(reason=reason)
    if transition not in PAGE_TRANSITIONS:
        raise ValidationFailed(_("Unknown transition."), code="unknown_transition")
    workflow_transition(
        obj=round, workflow=ROUND, transition=transition, acting_user=acting_user, reason=reason
    )
    if transition == "open_nominations":
        notices.tell_nominations_open(round)
    return round
