"""The demo generator: deterministic, internally consistent, every role can log in, summary JSON last."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from nic1000.demo.context import DEMO_PASSWORD, DemoContext
from nic1000.demo.registry_data import (
    LATEST_FISCAL_YEAR,
    REFERENCE_DATE,
    _years_since_2026,
    generate_registry,
)
from nic1000.registry.statement_items import statement_problems

N = 40


def _summary(stdout: str) -> dict[str, int]:
    return json.loads(stdout.strip().splitlines()[-1])


def _logins_file(stdout: str) -> list[dict[str, str]]:
    """The logins file the output names ("... listed in PATH")."""
    match = re.search(r"are listed in (\S+\.csv)", stdout)
    assert match, stdout[-2000:]
    with open(match.group(1), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_generator_is_deterministic() -> None:
    a = generate_registry(DemoContext(seed=7, companies=N).rng, N)
    b = generate_registry(DemoContext(seed=7, companies=N).rng, N)
    c = generate_registry(DemoContext(seed=8, companies=N).rng, N)
    assert [x.company["brn"] for x in a] == [x.company["brn"] for x in b]
    assert [x.statements for x in a] == [x.statements for x in b]
    assert [x.company["brn"] for x in a] != [x.company["brn"] for x in c]


def test_demo_years_move_with_the_calendar() -> None:
    # Within 2026 the demo is what it always was; later it moves on by whole years, so its latest statements
    # stay current for eligibility (not more than two fiscal years old).
    assert _years_since_2026(dt.date(2026, 12, 31)) == 0
    assert _years_since_2026(dt.date(2029, 1, 1)) == 3
    this_year = dt.datetime.now(dt.UTC).year
    assert this_year - 1 == LATEST_FISCAL_YEAR
    assert this_year == REFERENCE_DATE.year
    data = generate_registry(np.random.default_rng(3), 20)
    assert max(s["fiscal_year"] for c in data for s in c.statements) == LATEST_FISCAL_YEAR


def test_generated_registry_is_realistic_and_consistent() -> None:
    data = generate_registry(np.random.default_rng(1000), 600)
    statements = [s for c in data for s in c.statements]
    assert statements
    assert all(not statement_problems(s) for s in statements)
    brns = [c.company["brn"] for c in data]
    assert len(set(brns)) == len(brns)
    applications = [p["application_number"] for c in data for p in c.patents]
    assert len(set(applications)) == len(applications)
    assert sum(c.company["is_sme"] for c in data) / len(data) > 0.9
    young = sum((REFERENCE_DATE - c.company["founded_on"]).days < 7 * 365.25 for c in data)
    assert 0.38 < young / len(data) < 0.55
    seoul_gyeonggi = sum(c.company["region"] in ("11", "41") for c in data)
    assert seoul_gyeonggi / len(data) > 0.5
    # Health varies: some negative equity in the latest year, some delinquency, many profitable growers.
    latest = [c.statements[-1] for c in data if c.statements]
    assert any(s["equity"] < 0 for s in latest)
    assert any(s["credit_delinquency"] for s in latest)
    assert sum(s["net_profit"] > 0 for s in latest) > len(latest) * 0.4
    cites = np.array([p["forward_citations"] for c in data for p in c.patents])
    assert np.median(cites) < cites.mean() < cites.max()  # heavy tail

    def median_lag(sector: str) -> float:
        lags = [(p["granted_on"] - p["filed_on"]).days for c in data if c.sector == sector
                for p in c.patents if p["granted_on"]]  # fmt: skip
        return float(np.median(lags))

    assert median_lag("biohealth") > median_lag("ict_software")  # examination takes longer in biotech
    for c in data:
        assert 1 <= len(c.technologies) <= 4
        assert all(1 <= t["trl"] <= 9 for t in c.technologies)
        for p in c.patents:
            assert p["granted_on"] is None or p["granted_on"] >= p["filed_on"]


@pytest.mark.django_db
def test_demo_command_loads_through_the_services(reference_data: None) -> None:
    from nic1000.accounts.models import User
    from nic1000.audit.models import AuditEntry
    from nic1000.core.roles import Role
    from nic1000.registry.models import Company, FinancialStatement

    out = io.StringIO()
    call_command(
        "demo",
        "--no-serve",
        "--companies",
        str(N),
        "--fast",
        "--seed",
        "11",
        "--stages",
        "registry",
        stdout=out,
    )
    summary = _summary(out.getvalue())
    assert summary["companies"] == N == Company.objects.count()
    assert summary["statements"] == FinancialStatement.objects.count() > 0
    assert summary["users"] == User.objects.count()
    assert {"patents", "statements", "users"} <= set(summary)
    # Same seed, same registry: the BRNs in the database are the generator's.
    expected = generate_registry(DemoContext(seed=11, companies=N).rng, N)
    assert sorted(c.company["brn"] for c in expected) == sorted(Company.objects.values_list("brn", flat=True))
    assert summary["patents"] == sum(len(c.patents) for c in expected)
    assert AuditEntry.objects.filter(action__startswith="user.").exists()
    for s in FinancialStatement.objects.all()[:200]:
        assert not statement_problems(s.items())
    # Every role has a demo user who can log in with the printed password; the printed table names one login
    # per role, the logins file every one.
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    logins = _logins_file(text)
    assert {r["username"] for r in logins} == set(
        User.objects.filter(email__endswith="@demo.nic1000.kr").values_list("username", flat=True)
    )
    table = text.split("what to try", 1)[1]
    for role in Role.values:
        user: Any = User.objects.filter(role=role, email__endswith="@demo.nic1000.kr").first()
        assert user is not None, role
        assert f"  {role} " in table, role
        assert Client().login(username=user.username, password=DEMO_PASSWORD), role
    # A second run refuses rather than loading over the data.
    with pytest.raises(CommandError, match="already holds"):
        call_command("demo", "--no-serve", "--companies", "5", "--stages", "registry", stdout=io.StringIO())
    # A registry too small for a round is refused before anything is loaded.
    with pytest.raises(CommandError, match="at least 100 companies"):
        call_command("demo", "--no-serve", "--companies", "99", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_the_whole_demo_runs_on_the_smallest_registry(reference_data: None) -> None:
    """Five rounds scaled to the registry (100 companies: 24 places), finance and monitoring over the years.
    200 companies: tests/demo/test_stage_rounds.py."""
    from django.utils import timezone

    from nic1000.demo import history
    from nic1000.demo.stages.monitoring import _half_years, _periods
    from nic1000.designations.models import Membership
    from nic1000.monitoring.models import InspectionRun
    from nic1000.rounds.models import Candidacy, Round
    from tests.finance.factories import ensure_products

    ensure_products()  # a transactional test may follow another that flushed them
    out = io.StringIO()
    call_command("demo", "--no-serve", "--companies", "100", stdout=out)
    summary = _summary(out.getvalue())
    assert list(summary)[:6] == ["companies", "patents", "statements", "users", "rounds", "designated"]
    assert summary["companies"] == 100
    assert summary["rounds"] == 5 == Round.objects.count()
    assert list(Round.objects.order_by("number").values_list("state", flat=True)) == ["closed"] * 4 + [
        "published"
    ]
    scale = history.scale_for(companies=100, fast=False)
    places = sum(sum(history.scaled_targets(p, scale).values()) for p in history.PLANS)
    assert summary["selected"] == places == summary["designated"] == Membership.objects.count()
    assert summary["candidacies"] == Candidacy.objects.count() > places
    assert summary["applications"] > 0 and summary["approved"] > 0
    # Every selected company has a representative, most invited by the ministry that nominated it; the invited
    # ones sign in with the demo password and the code `nic1000 demo --totp` prints.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from nic1000.accounts.models import Invitation, User

    selected = set(Membership.objects.values_list("company_id", flat=True))
    represented = set(User.objects.filter(role="company").values_list("company_id", flat=True))
    assert selected <= represented
    assert summary["company_users"] == User.objects.filter(role="company").count() >= len(selected)
    invited = Invitation.objects.filter(accepted_user__isnull=False).select_related(
        "accepted_user", "invited_by"
    )
    assert summary["invitations"] == invited.count() > 0
    assert all(i.invited_by.role == "ministry_officer" for i in invited)
    rep = invited.first().accepted_user  # type: ignore[union-attr]
    assert TOTPDevice.objects.filter(user=rep, confirmed=True).exists()
    logins = {r["username"]: r for r in _logins_file(out.getvalue())}
    assert logins[rep.username]["totp_secret"] and logins[rep.username]["role"] == "company"
    code = io.StringIO()
    call_command("demo", "--totp", rep.username, stdout=code)
    c = Client()
    r = c.post("/accounts/login/", {"username": rep.username, "password": DEMO_PASSWORD})
    assert r.status_code == 302 and r["Location"].endswith("/accounts/login/otp/")
    assert c.post("/accounts/login/otp/", {"token": code.getvalue().strip()}).status_code == 302
    assert int(c.session["_auth_user_id"]) == rep.pk
    assert "Selected companies: " in out.getvalue()
    # Half-yearly inspections from three years back (June 2023 when run in 2026), then the last four months.
    recent = _periods(4)
    expected = _half_years(before=recent[0]) + recent
    assert expected[0] == f"{timezone.localdate().year - 3}-06"
    assert summary["inspections"] == len(expected)
    assert sorted(InspectionRun.objects.values_list("period", flat=True)) == expected


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_demo(reference_data: None) -> None:
    from nic1000.designations.models import Membership
    from tests.finance.factories import ensure_products

    ensure_products()

    def load(*extra: str) -> tuple[dict[str, int], list[tuple[int, str]]]:
        out = io.StringIO()
        call_command("demo", "--no-serve", "--fast", "--companies", "100", "--seed", "5", *extra, stdout=out)
        designated = sorted(Membership.objects.values_list("round__number", "company__brn"))
        return _summary(out.getvalue()), designated

    first, designated = load()
    assert first["rounds"] == 5 and first["designated"] == len(designated) > 0
    again, designated_again = load("--reset")  # ids differ after the flush; nothing may depend on them
    assert {k: v for k, v in again.items() if v != first.get(k)} == {}
    assert designated_again == designated
