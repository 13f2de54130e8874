"""Reads of the company registry, scoped by role.

The programme office, auditors, the support group and ministry officers (who nominate from the registry) see
every company; a company representative sees only their own company; evaluators, institution officers and
the public see no registry company here (they see companies through their assignments/applications).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.models import AuditEntry
from nic1000.core.access import has_role
from nic1000.core.identifiers import brn_compact
from nic1000.core.roles import REGISTRY_READERS, Role
from nic1000.registry.models import Company, CoreTechnology, Patent

_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_LATIN = re.compile("[A-Za-z]")

Reader = User | AnonymousUser | None
_COMPANY_ROLE = frozenset({Role.COMPANY})

# Size bands by employees (filter `size`, labelled by the filter form): value → (min, max or None).
SIZE_BANDS: dict[str, tuple[int, int | None]] = {
    "micro": (0, 9),
    "small": (10, 49),
    "medium": (50, 299),
    "large": (300, None),
}


def registry_sees_all(user: Reader) -> bool:
    """Whether the user sees every registry company."""
    return has_role(user, REGISTRY_READERS)


def companies_visible(*, user: Reader) -> QuerySet[Company]:
    """Every company the user may see in the registry (no filters, no joins)."""
    if registry_sees_all(user):
        return Company.objects.all()
    if isinstance(user, User) and has_role(user, _COMPANY_ROLE) and user.company_id:
        return Company.objects.filter(pk=user.company_id)
    return Company.objects.none()


def company_list(
    *,
    user: Reader,
    q: str = "",
    ksic_section: str = "",
    region: str = "",
    size: str = "",
    sme: bool | None = None,
) -> QuerySet[Company]:
    """The registry list: visible companies filtered by a search text (name or BRN prefix), KSIC section, region,
    size band (SIZE_BANDS) and SME status. Ordered by name; KSIC joined."""
    qs = companies_visible(user=user).select_related("ksic")
    q = (q or "").strip()
    if q:
        qs = qs.filter(_search_condition(q))
    if ksic_section:
        qs = qs.filter(ksic_section=ksic_section.strip().upper()[:1])
    if region:
        qs = qs.filter(region=region)
    band = SIZE_BANDS.get(size or "")
    if band is not None:
        low, high = band
        qs = qs.filter(employees__gte=low)
        if high is not None:
            qs = qs.filter(employees__lte=high)
    if sme is not None:
        qs = qs.filter(is_sme=sme)
    return qs.order_by("name_ko", "id")


def _search_condition(q: str) -> Q:
    """The search box, answered from an index wherever the text allows.

    Digits and dashes only (at least three digits): a business registration number prefix, as a range
    (10081 ≤ brn < 10082) because SQLite cannot answer LIKE from an index. Hangul without Latin letters: the
    Korean name only, case-sensitively (Hangul has no case and English names hold none, so the result is the
    same without UPPER() on every row). Anything else: either name, ignoring case."""
    digits = brn_compact(q)
    if digits.isdigit() and len(digits) >= 3:
        cond = Q(brn__gte=digits)
        if digits.strip("9"):
            cond &= Q(brn__lt=str(int(digits) + 1).zfill(len(digits)))
        return cond
    if _HANGUL.search(q) and not _LATIN.search(q):
        return Q(name_ko__contains=q)
    return Q(name_ko__icontains=q) | Q(name_en__icontains=q)


def access_company(*, user: Reader, pk: int) -> Company:
    """One company the user may see; Http404 for missing and forbidden alike."""
    try:
        return companies_visible(user=user).select_related("ksic").get(pk=pk)
    except (Company.DoesNotExist, ValueError, TypeError):
        raise Http404("No such company") from None


HISTORY_LIMIT = 30
_HISTORY_MODELS: dict[str, type[models.Model]] = {
    "registry.company": Company,
    "registry.patent": Patent,
    "registry.coretechnology": CoreTechnology,
}
_HISTORY_HIDDEN = frozenset({"id", "company_id", "ksic_section"})  # keys and derived values, not the record


@dataclass(frozen=True)
class HistoryChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    """One change of a company's record as people read it: field labels, choice labels, never codes."""

    at: dt.datetime
    actor: str
    action: str
    what: str
    changes: list[HistoryChange]


def _shown(field: models.Field[Any, Any] | None, value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _history_row(entry: AuditEntry) -> HistoryRow:
    model = _HISTORY_MODELS.get(entry.object_type)
    changes = []
    for name, change in sorted((entry.changes or {}).items()):
        if name in _HISTORY_HIDDEN or not isinstance(change, dict):
            continue
        field: models.Field[Any, Any] | None = None
        if model is not None:
            try:
                found = model._meta.get_field(name)
            except FieldDoesNotExist:
                found = None
            field = found if isinstance(found, models.Field) else None
        label = str(field.verbose_name) if field is not None else name
        changes.append(
            HistoryChange(label, _shown(field, change.get("before")), _shown(field, change.get("after")))
        )
    return HistoryRow(entry.at, entry.actor_label, entry.action, entry.object_repr, changes)


def company_history(*, company: Company, limit: int = HISTORY_LIMIT) -> list[HistoryRow]:
    """The newest audit entries of a company's record: the company itself and its patents and technologies,
    current ones and removed ones (found by the company id their removal recorded). Four queries."""
    removed = AuditEntry.objects.filter(
        action__in=("patent.remove", "technology.remove"), changes__company_id__before=company.pk
    ).values_list("object_type", "object_id")[:1000]
    ids: dict[str, set[str]] = {"registry.patent": set(), "registry.coretechnology": set()}
    for object_type, object_id in removed:
        ids.setdefault(object_type, set()).add(object_id)
    ids["registry.patent"].update(str(i) for i in company.patents.values_list("pk", flat=True)[:1000])
    ids["registry.coretechnology"].update(
        str(i) for i in company.technologies.values_list("pk", flat=True)[:1000]
    )
    condition = Q(object_type="registry.company", object_id=str(company.pk))
    for object_type, object_ids in ids.items():
        if object_ids:
            condition |= Q(object_type=object_type, object_id__in=sorted(object_ids))
    return [_history_row(e) for e in AuditEntry.objects.filter(condition).order_by("-seq")[:limit]]
