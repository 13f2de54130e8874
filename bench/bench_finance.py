"""Policy finance at programme scale (SQLite, a fresh temporary database).

1,000 selected companies (bulk-inserted with statements and memberships), then 1,500 applications through
`application_submit` (Center routing and limit checks), a third of them approved and disbursed through the
services. Measures: the terms quote (pure), submissions per second, the institutions' API list page
(median/p95 over 100 requests, token auth + rate-limit window + idempotency-free GET), one idempotent POST,
and the dashboard's selectors. Figures only; nothing is asserted.

    .venv/bin/python -m bench.bench_finance
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import statistics
import time

COMPANIES = int(os.environ.get("BENCH_FINANCE_COMPANIES", "1000"))
APPLICATIONS = int(os.environ.get("BENCH_FINANCE_APPLICATIONS", "1500"))


def _pure() -> None:
    from decimal import Decimal

    from nic1000.finance import terms as T

    terms = T.ProductTerms(
        code="KDB-OPER",
        kind="operating",
        limit_basis="estimated_sales",
        base_limit_ratio=Decimal("0.5"),
        pref_limit_ratio=Decimal("0.6"),
        limit_cap_krw=50_000_000_000,
        base_rate_pct=Decimal("4.5"),
        pref_rate_cut_pp=Decimal("1.0"),
        base_guarantee_ratio_pct=None,
        pref_guarantee_ratio_pct=None,
        base_fee_pct=None,
        pref_fee_cut_pp=Decimal(0),
        max_maturity_months=36,
    )
    figures = T.CompanyFigures(
        estimated_sales=12_345_678_901, export_performance=None, technology_company=True
    )
    n = 100_000
    t = time.perf_counter()
    for _ in range(n):
        T.quote(terms, figures)
    print(f"terms.quote: {n / (time.perf_counter() - t):,.0f} quotes/s")


def main() -> None:
    from bench._django import setup_database

    setup_database(None, name="finance")
    _pure()

    from django.test import Client
    from django.utils import timezone
    from tests.factories import statement_values

    from nic1000.accounts.models import User
    from nic1000.core.errors import ApplicationError
    from nic1000.designations.models import Membership
    from nic1000.finance import selectors as S
    from nic1000.finance import services, tokens
    from nic1000.finance.models import Application
    from nic1000.registry.models import Body, Company, FinancialStatement, Institution, KsicCode
    from nic1000.rounds.models import Program, Round

    ksic = KsicCode.objects.get(code="26112")
    companies = Company.objects.bulk_create(
        [
            Company(
                name_ko=f"벤치기업{i}",
                brn=f"{1000000000 + i}",
                ksic=ksic,
                ksic_section=ksic.section,
                region="11",
                founded_on=dt.date(2015, 1, 1),
            )
            for i in range(COMPANIES)
        ]
    )
    FinancialStatement.objects.bulk_create(
        [
            FinancialStatement(
                company=c, fiscal_year=2024, **statement_values(5_000_000_000 + 10_000_000 * i)
            )
            for i, c in enumerate(companies)
        ]
    )
    program = Program.objects.create(name_ko="p", name_en="p", starts_on=dt.date(2020, 7, 1))
    rnd = Round.objects.create(
        program=program, number=1, name="1차", state="published", published_at=timezone.now()
    )
    mss = Body.objects.get(code="MSS")
    Membership.objects.bulk_create(
        [Membership(company=c, round=rnd, body=mss, selected_on=dt.date(2021, 5, 1)) for c in companies]
    )
    po = User.objects.create(username="po", role="program_office", is_staff=True, is_superuser=True)
    officers = {
        i.pk: User.objects.create(username=f"o_{i.code}", role="institution_officer", institution=i)
        for i in Institution.objects.all()
    }
    purposes = ["operating", "facility", "guarantee", "investment"]
    t = time.perf_counter()
    apps = []
    for n in range(APPLICATIONS):
        c = companies[n % len(companies)]
        with contextlib.suppress(ApplicationError):  # a limit used up
            apps.append(
                services.application_submit(
                    company=c,
                    acting_user=po,
                    purpose=purposes[n % 4],
                    amount=100_000_000 + (n % 7) * 50_000_000,
                    channel="center",
                )
            )
    took = time.perf_counter() - t
    print(f"application_submit (Center routing): {len(apps)} in {took:.1f}s = {len(apps) / took:,.0f}/s")
    t = time.perf_counter()
    for a in apps[::3]:
        services.application_approve(
            application=a,
            acting_user=officers[a.institution_id],
            amount=a.amount_requested,
            rate_pct=a.quoted_rate_pct if a.purpose in ("operating", "facility") else None,
            guarantee_ratio_pct=a.product.pref_guarantee_ratio_pct if a.purpose == "guarantee" else None,
            maturity_months=12,
        )
        services.disbursement_record(
            application=a,
            acting_user=officers[a.institution_id],
            amount=a.amount_requested,
            on=dt.date(2021, 6, 1),
        )
    print(f"approve + disburse: {len(apps[::3])} in {time.perf_counter() - t:.1f}s")

    _token, secret = tokens.api_token_create(
        institution=Institution.objects.get(code="IBK"), name="b", acting_user=po
    )
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    times = []
    from django.test import override_settings

    with override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000):
        for i in range(100):
            t = time.perf_counter()
            r = client.get("/api/v1/finance/applications", {"page": 1 + i % 5, "page_size": 50})
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        times.sort()
        print(
            f"API GET applications (50/page, {Application.objects.filter(institution__code='IBK').count()} IBK rows): "
            f"median {statistics.median(times):.1f} ms, p95 {times[94]:.1f} ms"
        )
        kdb_app = Application.objects.filter(institution__code="IBK", state="submitted").first()
        if kdb_app:
            t = time.perf_counter()
            client.post(
                f"/api/v1/finance/applications/{kdb_app.pk}/decisions",
                data={"decision": "start_review"},
                content_type="application/json",
                headers={"Idempotency-Key": "bench-1"},
            )
            print(f"API POST decision (idempotent): {(time.perf_counter() - t) * 1000:.1f} ms")
    for name in (
        "program_totals",
        "funnel",
        "exposure_by_institution",
        "exposure_by_product",
        "time_in_state",
    ):
        t = time.perf_counter()
        getattr(S, name)()
        print(f"selectors.{name}: {(time.perf_counter() - t) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
