"""The demo's logins: a short table to print (one login per role and what to try with it, and the selected
companies) and the full list written to a file (every demo user, role, binding, password, authenticator secret).

Everything is read from the database, so `nic1000 demo --serve` on a database loaded earlier prints the same.
"""

from __future__ import annotations

import base64
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from nic1000.accounts.models import User
from nic1000.core.roles import Role
from nic1000.demo.context import DEMO_PASSWORD
from nic1000.demo.stages.people import DEMO_DOMAIN
from nic1000.designations.models import Membership
from nic1000.finance.models import Application
from nic1000.finance.workflows import OPEN_STATES
from nic1000.monitoring.models import SupportCase
from nic1000.rounds.models import Review

ROLE_ORDER = (
    Role.PROGRAM_OFFICE,
    Role.MINISTRY_OFFICER,
    Role.EVALUATOR,
    Role.INSTITUTION_OFFICER,
    Role.COMPANY,
    Role.SUPPORT_GROUP,
    Role.AUDITOR,
)
LOGINS_FILE_NAME = "demo-logins.csv"


@dataclass(frozen=True)
class LoginRow:
    username: str
    role: str
    binding: str
    password: str
    totp_secret: str  # base32, for an authenticator app ("" when the user has none)


@dataclass(frozen=True)
class Highlight:
    role: str
    username: str
    try_this: str


def demo_users() -> list[User]:
    order = {role: i for i, role in enumerate(ROLE_ORDER)}
    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").select_related(
        "body", "institution", "company"
    )
    return sorted(users, key=lambda u: (order.get(Role(u.role), 99), u.username))


def _binding(u: User) -> str:
    return (
        (u.body and u.body.code)
        or (u.institution and u.institution.code)
        or (u.company and u.company.name_ko)
        or ""
    )


def _secrets() -> dict[int, str]:
    """Each demo user's confirmed authenticator secret, base32 as authenticator apps take it."""
    rows = TOTPDevice.objects.filter(confirmed=True, user__email__endswith=f"@{DEMO_DOMAIN}")
    return {d.user_id: base64.b32encode(bytes.fromhex(d.key)).decode() for d in rows}


def login_rows() -> list[LoginRow]:
    secrets = _secrets()
    return [
        LoginRow(
            username=u.username,
            role=u.role,
            binding=_binding(u),
            password=DEMO_PASSWORD,
            totp_secret=secrets.get(u.pk, ""),
        )
        for u in demo_users()
    ]


def write_logins_file(path: Path, rows: list[LoginRow]) -> Path:
    """Every demo login as CSV (UTF-8 with a byte order mark, so spreadsheet programs read the Korean)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["username", "role", "binding", "password", "totp_secret"])
        for r in rows:
            w.writerow([r.username, r.role, r.binding, r.password, r.totp_secret])
    return path


# --- what to try with each role ----------------------------------------------------------------------------


def _first(role: str) -> User | None:
    return next((u for u in demo_users() if u.role == role), None)


def _office() -> Highlight | None:
    u = _first(Role.PROGRAM_OFFICE)
    return (
        None
        if u is None
        else Highlight(
            u.role, u.username, "everything: Users (invite, deactivate, change roles), rounds, audit trail"
        )
    )


def _ministry() -> Highlight | None:
    top = (
        User.objects.filter(role=Role.MINISTRY_OFFICER, email__endswith=f"@{DEMO_DOMAIN}")
        .annotate(n=Count("body__memberships", distinct=True))
        .order_by("-n", "username")
        .first()
    )
    if top is None:
        return None
    return Highlight(
        top.role,
        top.username,
        f"{top.n} companies its body nominated were selected; nominations, results, inviting representatives",
    )


def _evaluator() -> Highlight | None:
    rows = (
        Review.objects.filter(assignment__evaluator__user__email__endswith=f"@{DEMO_DOMAIN}")
        .values("assignment__evaluator__user__username")
        .annotate(n=Count("id"), rounds=Count("assignment__candidacy__round", distinct=True))
        .order_by("-n", "assignment__evaluator__user__username")
    )
    top = rows.first()
    if top is None:
        u = _first(Role.EVALUATOR)
        return None if u is None else Highlight(u.role, u.username, "My evaluations, evaluator profile")
    return Highlight(
        Role.EVALUATOR,
        top["assignment__evaluator__user__username"],
        f"{top['n']} reviews written in {top['rounds']} rounds (My evaluations)",
    )


def _institution() -> Highlight | None:
    top = (
        User.objects.filter(role=Role.INSTITUTION_OFFICER, email__endswith=f"@{DEMO_DOMAIN}")
        .annotate(
            n=Count(
                "institution__finance_applications",
                filter=Q(institution__finance_applications__state__in=OPEN_STATES),
                distinct=True,
            )
        )
        .order_by("-n", "username")
        .first()
    )
    if top is None:
        return None
    return Highlight(top.role, top.username, f"{top.n} open policy finance applications to decide")


def _company() -> Highlight | None:
    """A representative of an active member, one without an authenticator first (easiest to try)."""
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    reps = User.objects.filter(
        role=Role.COMPANY, email__endswith=f"@{DEMO_DOMAIN}", company__memberships__in=active
    ).select_related("company")
    secrets = _secrets()
    candidates = sorted(reps.distinct(), key=lambda u: (u.pk in secrets, u.username))
    if not candidates:
        u = _first(Role.COMPANY)
        return (
            None if u is None else Highlight(u.role, u.username, "its company's registry page and statements")
        )
    u = candidates[0]
    apps = Application.objects.filter(company=u.company).count()
    note = " (sign-in asks for a code: nic1000 demo --totp " + u.username + ")" if u.pk in secrets else ""
    name = u.company.name_ko if u.company else ""
    return Highlight(
        u.role, u.username, f"{name}, a selected company: {apps} finance applications, surveys, appeals{note}"
    )


def _support() -> Highlight | None:
    u = _first(Role.SUPPORT_GROUP)
    if u is None:
        return None
    n = SupportCase.objects.exclude(state__in=("resolved", "closed")).count()
    return Highlight(u.role, u.username, f"{n} open support cases, inspections, early warnings")


def _auditor() -> Highlight | None:
    u = _first(Role.AUDITOR)
    return (
        None
        if u is None
        else Highlight(u.role, u.username, "reads every round, decision and the audit trail; changes nothing")
    )


def highlights() -> list[Highlight]:
    makers: list[Callable[[], Highlight | None]] = [
        _office,
        _ministry,
        _evaluator,
        _institution,
        _company,
        _support,
        _auditor,
    ]
    return [h for h in (make() for make in makers) if h is not None]


def selected_companies(limit: int = 5) -> tuple[int, list[tuple[str, str]]]:
    """How many companies were ever selected, and the first few with the user name of their representative."""
    ids = list(Membership.objects.order_by("selected_on", "company_id").values_list("company_id", flat=True))
    distinct = list(dict.fromkeys(ids))
    first = distinct[:limit]
    reps = dict(
        User.objects.filter(role=Role.COMPANY, company_id__in=first)
        .order_by("-username")  # the first user name of a company wins
        .values_list("company_id", "username")
    )
    names = dict(
        Membership.objects.filter(company_id__in=first).values_list("company_id", "company__name_ko")
    )
    return len(distinct), [(names[c], reps.get(c, "")) for c in first]
