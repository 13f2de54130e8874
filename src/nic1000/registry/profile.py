"""A company keeps its own record: its profile, patents and core technologies, edited by its representative.

Every write reads the values with the registry's field rules (`registry.fields`, as imports and the office's
services do), is audited with before/after (the company's history is read back from the trail:
`registry.selectors.company_history`) and tells the officers of the body that nominated the company
(`registry.profile_changed`; the body of its designation, or of its nominations). The BRN is the company's key
and stays fixed; a name change is real and allowed.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.audit.services import audit_record, created, diff, snapshot
from nic1000.core.access import has_role
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.roles import Role
from nic1000.registry.fields import PATENT_FIELDS, TECHNOLOGY_FIELDS, FieldContext, values_convert
from nic1000.registry.models import Body, Company, CoreTechnology, Patent
from nic1000.registry.services import COMPANY_REP_FIELDS, company_update

_COMPANY_ROLE = frozenset({Role.COMPANY})
PATENT_NAMES = tuple(f.name for f in PATENT_FIELDS if f.name != "brn")
TECHNOLOGY_NAMES = tuple(f.name for f in TECHNOLOGY_FIELDS if f.name != "brn")
PROFILE_NAMES = tuple(sorted(COMPANY_REP_FIELDS))
_PATENT_AUDIT = ["company_id", *PATENT_NAMES]
_TECH_AUDIT = ["company_id", *TECHNOLOGY_NAMES]
_PROFILE_AUDIT = [("ksic_id" if n == "ksic" else n) for n in PROFILE_NAMES]


def _own_company(acting_user: User, company: Company) -> None:
    """Only the company's own representative edits its record here (another company's is not found)."""
    if not has_role(acting_user, _COMPANY_ROLE):
        raise Forbidden(_("Only the company's representative edits its record here."), code="forbidden_role")
    if acting_user.company_id != company.pk:
        raise NotFound(_("Company not found."), code="not_found")


def nominating_bodies(*, company: Company) -> list[Body]:
    """The bodies that nominated the company: of its active designation, else of its nominations (read through
    the relations the later apps declare, without importing them)."""
    designated = list(
        Body.objects.filter(memberships__company=company, memberships__status="active").distinct()
    )
    if designated:
        return designated
    return list(Body.objects.filter(nominations__candidacy__company=company).distinct())


# What changed, as the officers read it (msgids worded in each reader's language).
_CHANGED = {
    "profile": gettext_noop("%(company)s changed its profile. The company's page shows its history."),
    "patents": gettext_noop("%(company)s changed its patents. The company's page shows its history."),
    "technologies": gettext_noop(
        "%(company)s changed its core technologies. The company's page shows its history."
    ),
}


def _tell_nominating_officers(company: Company, what: str) -> None:
    bodies = nominating_bodies(company=company)
    if not bodies:
        return
    officers = User.objects.filter(role=Role.MINISTRY_OFFICER, is_active=True, body__in=bodies)
    day = timezone.localdate().isoformat()
    notify(
        recipients=list(officers),
        kind="registry.profile_changed",
        title=gettext_noop("%(company)s updated its company record"),
        body=_CHANGED[what],
        params={"company": company.name_ko},
        link=reverse("registry:company_detail", kwargs={"pk": company.pk}),
        dedupe_key=f"registry.profile_changed:{company.pk}:{what}:{day}",
    )


@transaction.atomic
def company_profile_update(*, company: Company, acting_user: User, **fields: Any) -> Company:
    """The representative changes its company's profile (not its BRN, SME or listing status). Values are read
    by the registry's field rules (`company_update`, audited); the nominating body's officers are told when
    anything changed."""
    _own_company(acting_user, company)
    before = snapshot(Company.objects.get(pk=company.pk), _PROFILE_AUDIT)
    updated = company_update(company=company, acting_user=acting_user, **fields)
    if diff(before, snapshot(updated, _PROFILE_AUDIT)):
        _tell_nominating_officers(updated, "profile")
    return updated


def _read(values: dict[str, Any], fields: Any, *, message: str) -> dict[str, Any]:
    converted, problems = values_convert(values, fields, FieldContext(), require=True)
    if problems:
        raise ValidationFailed(message, details=problems)
    return converted


def _model_values(model: type[Patent] | type[CoreTechnology], converted: dict[str, Any]) -> dict[str, Any]:
    """Converted values with an emptied optional field taking the model's default."""
    out: dict[str, Any] = {}
    for name, value in converted.items():
        if value is None:
            f = model._meta.get_field(name)
            assert isinstance(f, models.Field)  # the record's fields are concrete
            value = None if f.null else (f.get_default() if f.has_default() else "")
        out[name] = value
    return out


def _patent_problems(values: dict[str, Any]) -> list[ErrorDetail]:
    granted, filed = values.get("granted_on"), values.get("filed_on")
    if granted and filed and granted < filed:
        return [
            ErrorDetail(
                message=_("the grant date is before the filing date"), field="granted_on", code="invalid"
            )
        ]
    return []


@transaction.atomic
def patent_save(
    *, company: Company, acting_user: User, values: dict[str, Any], patent: Patent | None = None
) -> Patent:
    """Add a patent to the company's record, or change one of its patents."""
    _own_company(acting_user, company)
    if patent is not None and patent.company_id != company.pk:
        raise NotFound(_("Patent not found."), code="not_found")
    converted = _model_values(
        Patent,
        _read(
            {k: values.get(k) for k in PATENT_NAMES}, PATENT_FIELDS[1:], message=_("The patent has problems.")
        ),
    )
    if converted.get("status") in (None, ""):
        converted["status"] = Patent.Status.REGISTERED if converted.get("granted_on") else Patent.Status.FILED
    problems = _patent_problems(converted)
    taken = Patent.objects.filter(application_number=converted["application_number"])
    if patent is not None:
        taken = taken.exclude(pk=patent.pk)
    if taken.exists():
        problems.append(
            ErrorDetail(
                message=_("a patent with this application number is already registered"),
                field="application_number",
                code="duplicate",
            )
        )
    if problems:
        raise ValidationFailed(_("The patent has problems."), details=problems)
    if patent is None:
        row = Patent(company=company, **converted)
        before: dict[str, Any] = {}
    else:
        row = Patent.objects.select_for_update().get(pk=patent.pk)
        before = snapshot(row, _PATENT_AUDIT)
        for name, value in converted.items():
            setattr(row, name, value)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise Conflict(_("The patent could not be saved."), code="patent_conflict") from exc
    after = snapshot(row, _PATENT_AUDIT)
    changes = created(after) if patent is None else diff(before, after)
    if changes:
        audit_record(
            actor=acting_user, action="patent.create" if patent is None else "patent.update", obj=row,
            changes=changes,
        )  # fmt: skip
        _tell_nominating_officers(company, "patents")
    return row


@transaction.atomic
def patent_remove(*, company: Company, acting_user: User, patent: Patent) -> None:
    _own_company(acting_user, company)
    row = Patent.objects.select_for_update().filter(pk=patent.pk, company=company).first()
    if row is None:
        raise NotFound(_("Patent not found."), code="not_found")
    before = snapshot(row, _PATENT_AUDIT)
    audit_record(
        actor=acting_user, action="patent.remove", obj=row, changes=diff(before, dict.fromkeys(before))
    )
    row.delete()
    _tell_nominating_officers(company, "patents")


@transaction.atomic
def technology_save(
    *, company: Company, acting_user: User, values: dict[str, Any], technology: CoreTechnology | None = None
) -> CoreTechnology:
    """Add a core technology to the company's record, or change one of its technologies."""
    _own_company(acting_user, company)
    if technology is not None and technology.company_id != company.pk:
        raise NotFound(_("Technology not found."), code="not_found")
    converted = _model_values(
        CoreTechnology,
        _read(
            {k: values.get(k) for k in TECHNOLOGY_NAMES},
            TECHNOLOGY_FIELDS[1:],
            message=_("The technology has problems."),
        ),
    )
    same_name = CoreTechnology.objects.filter(company=company, name=converted["name"])
    if technology is not None:
        same_name = same_name.exclude(pk=technology.pk)
    if same_name.exists():
        raise ValidationFailed(
            _("The technology has problems."),
            details=[
                ErrorDetail(
                    message=_("the company already has a technology of this name"),
                    field="name",
                    code="duplicate",
                )
            ],
        )
    if technology is None:
        row = CoreTechnology(company=company, **converted)
        before: dict[str, Any] = {}
    else:
        row = CoreTechnology.objects.select_for_update().get(pk=technology.pk)
        before = snapshot(row, _TECH_AUDIT)
        for name, value in converted.items():
            setattr(row, name, value)
    row.save()
    after = snapshot(row, _TECH_AUDIT)
    changes = created(after) if technology is None else diff(before, after)
    if changes:
        action = "technology.create" if technology is None else "technology.update"
        audit_record(actor=acting_user, action=action, obj=row, changes=changes)
        _tell_nominating_officers(company, "technologies")
    return row


@transaction.atomic
def technology_remove(*, company: Company, acting_user: User, technology: CoreTechnology) -> None:
    _own_company(acting_user, company)
    row = CoreTechnology.objects.select_for_update().filter(pk=technology.pk, company=company).first()
    if row is None:
        raise NotFound(_("Technology not found."), code="not_found")
    before = snapshot(row, _TECH_AUDIT)
    audit_record(
        actor=acting_user, action="technology.remove", obj=row, changes=diff(before, dict.fromkeys(before))
    )
    row.delete()
    _tell_nominating_officers(company, "technologies")
