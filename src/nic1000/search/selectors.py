"""The staff's global search: one text → companies (name or BRN, with or without dashes), finance applications
(number F-00123, 123, or the company), support cases (#12, 12, or the company) and candidacies (the company).

Each kind is read through its own app's scoping, so a user finds only what the pages would show them: the
registry's `company_list` (registry readers), finance's `application_list` (programme readers all, an institution
its own), monitoring's `case_list` (monitoring readers; a ministry its body's companies) and rounds'
`candidacies_visible` (the office and auditors all, a ministry what its body nominated, an evaluator what is
assigned to them). Bounded: at most `limit` rows per kind, no counts; a company's BRN prefix and name are answered
from the registry's indexes (`registry.selectors.company_list`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from nic1000.accounts.models import User
from nic1000.core.access import has_role
from nic1000.core.identifiers import brn_compact
from nic1000.core.roles import REGISTRY_READERS, STAFF_ROLES
from nic1000.finance.selectors import application_list
from nic1000.monitoring.selectors import case_list
from nic1000.registry.selectors import company_list
from nic1000.rounds.selectors import candidacies_visible

LIMIT = 10
MIN_LENGTH = 2
MAX_LENGTH = 100
# "F-00123", "f123", "#12", "12": a number, with the application's F- or a case's # in front.
_NUMBER = re.compile(r"^(?:f-?|#)?\s*0*(\d{1,12})$", re.IGNORECASE)
# With the F- or # in front it is only a number: no company is named so, and scanning 100,000 names costs.
_MARKED = re.compile(r"^(?:f-?|#)\s*\d", re.IGNORECASE)


@dataclass
class SearchResults:
    query: str
    companies: list[Any] = field(default_factory=list)
    applications: list[Any] = field(default_factory=list)
    cases: list[Any] = field(default_factory=list)
    candidacies: list[Any] = field(default_factory=list)
    too_short: bool = False

    @property
    def total(self) -> int:
        return len(self.companies) + len(self.applications) + len(self.cases) + len(self.candidacies)


def may_search(user: Any) -> bool:
    """Staff roles search; companies and the public do not."""
    return has_role(user, STAFF_ROLES)


def normalise(raw: object) -> str:
    return " ".join(str(raw or "").split())[:MAX_LENGTH]


def _number(q: str) -> int | None:
    m = _NUMBER.match(q)
    return int(m.group(1)) if m else None


def _company_q(q: str, prefix: str) -> Q:
    cond = Q(**{f"{prefix}name_ko__icontains": q}) | Q(**{f"{prefix}name_en__icontains": q})
    digits = brn_compact(q)
    if digits.isdigit() and len(digits) >= 3:
        cond |= Q(**{f"{prefix}brn__startswith": digits})
    return cond


def global_search(*, user: User, q: str, limit: int = LIMIT) -> SearchResults:
    """At most `limit` of each kind the user may see; nothing for a text under MIN_LENGTH characters (a number
    of any length is looked up)."""
    q = normalise(q)
    out = SearchResults(query=q)
    if not may_search(user):
        return out
    number = _number(q)
    if len(q) < MIN_LENGTH and number is None:  # "7" is a number worth looking up; "a" is not
        out.too_short = bool(q)
        return out
    if number is not None and _MARKED.match(q):
        out.applications = list(application_list(user=user).filter(pk=number)[:limit])
        out.cases = list(case_list(user=user).filter(pk=number)[:limit])
        return out
    if has_role(user, REGISTRY_READERS):
        out.companies = list(company_list(user=user, q=q)[:limit])
    match = _company_q(q, "company__")
    if number is not None:
        match |= Q(pk=number)
    out.applications = list(application_list(user=user).filter(match).order_by("-pk")[:limit])
    out.cases = list(case_list(user=user).filter(match).order_by("-opened_at", "-pk")[:limit])
    out.candidacies = list(
        candidacies_visible(user=user)
        .filter(_company_q(q, "company__"))
        .select_related("company", "round")
        .order_by("-round__number", "company__name_ko", "pk")[:limit]
    )
    return out
