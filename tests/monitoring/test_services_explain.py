"""The inspection's explanation phase: stored for warning and above after the levels are committed, audited per
chunk, resumable after a kill, never repeated, never stored for figures that changed since."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nic1000.audit.models import AuditEntry
from nic1000.monitoring import engine
from nic1000.monitoring.models import InspectionResult, InspectionRun
from nic1000.monitoring.services.early_warning import model_in_use
from nic1000.monitoring.services.explanations import inspection_explain
from nic1000.monitoring.services.inspections import inspection_run
from nic1000.registry.models import FinancialStatement
from tests.monitoring.test_services_inspection import PERIOD, portfolio  # noqa: F401 - fixture

WARNED = ["warning", "critical"]


def _explained() -> dict[int, list]:
    return dict(
        InspectionResult.objects.filter(period=PERIOD, level__in=WARNED, fiscal_year__isnull=False)
        .order_by("company_id")
        .values_list("company_id", "factors")
    )


class Crash(Exception):
    pass


@pytest.mark.django_db
def test_levels_first_explanations_after(portfolio) -> None:  # noqa: F811
    run = inspection_run(period=PERIOD, acting_user=None, chunk_size=4, explain=False)
    assert run.status == "done" and run.explained_at is None
    assert InspectionResult.objects.filter(period=PERIOD).exclude(factors=[]).count() == 0
    n = inspection_explain(period=PERIOD, acting_user=None, chunk_size=2)
    stored = _explained()
    assert n == len(stored) > 0 and all(stored.values())
    run.refresh_from_db()
    assert run.explained_at is not None and not run.claimed_by
    # Audited per chunk with the results changed, then once when finished.
    ids = [
        i
        for e in AuditEntry.objects.filter(action="inspection.explain")
        for i in e.changes["results_explained"]
    ]
    assert sorted(ids) == sorted(
        InspectionResult.objects.filter(period=PERIOD).exclude(factors=[]).values_list("id", flat=True)
    )
    assert AuditEntry.objects.filter(action="inspection.explained").count() == 1
    # Never repeated.
    audit = AuditEntry.objects.count()
    assert inspection_explain(period=PERIOD, acting_user=None) == 0
    assert inspection_run(period=PERIOD, acting_user=None).explained_at == run.explained_at
    assert AuditEntry.objects.count() == audit


@pytest.mark.django_db
def test_a_killed_explanation_phase_resumes_without_repeating(portfolio) -> None:  # noqa: F811
    inspection_run(period=PERIOD, acting_user=None, explain=False)

    def boom(k: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        inspection_explain(period=PERIOD, acting_user=None, chunk_size=1, after_chunk=boom)
    run = InspectionRun.objects.get(period=PERIOD)
    assert run.explained_at is None and not run.claimed_by and "Crash" in run.error
    first = InspectionResult.objects.filter(period=PERIOD).exclude(factors=[]).count()
    assert first == 1
    # The scheduler's task (or any call) resumes with the rest; the first one is not computed again.
    inspection_run(period=PERIOD, acting_user=None)
    ids = [
        i
        for e in AuditEntry.objects.filter(action="inspection.explain")
        for i in e.changes["results_explained"]
    ]
    assert len(ids) == len(set(ids)) == len(_explained())
    assert all(_explained().values())
    assert InspectionRun.objects.get(period=PERIOD).explained_at is not None


@pytest.mark.django_db
def test_figures_changed_since_the_inspection_are_left_to_the_page(portfolio) -> None:  # noqa: F811
    inspection_run(period=PERIOD, acting_user=None, explain=False)
    company = portfolio["tech_weak"]
    result = InspectionResult.objects.get(company=company, period=PERIOD)
    assert result.level in WARNED
    FinancialStatement.objects.filter(company=company, fiscal_year=2025).update(net_profit=10**9, cash=10**10)
    inspection_explain(period=PERIOD, acting_user=None)
    result.refresh_from_db()
    assert result.factors == []  # not the explanation of other figures
    assert InspectionResult.objects.get(company=portfolio["negative_equity"], period=PERIOD).factors


@pytest.mark.django_db
def test_a_live_explanation_claim_is_respected(portfolio) -> None:  # noqa: F811
    from django.utils import timezone

    from nic1000.core.errors import Conflict

    inspection_run(period=PERIOD, acting_user=None, explain=False)
    InspectionRun.objects.filter(period=PERIOD).update(claimed_by="other", heartbeat_at=timezone.now())
    with pytest.raises(Conflict):
        inspection_explain(period=PERIOD, acting_user=None)
    assert InspectionResult.objects.filter(period=PERIOD).exclude(factors=[]).count() == 0


@pytest.mark.django_db
def test_queries_per_chunk_do_not_grow_with_companies(portfolio) -> None:  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import CompanyFactory
    from tests.monitoring.factories import distressed, member, statements

    def queries(period: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            inspection_run(period=period, acting_user=None, chunk_size=100, explain=False)
        return len(ctx.captured_queries)

    nine = queries("2026-05")
    for _ in range(6):  # six more companies, three of them opening cases
        c = CompanyFactory()
        member(c)
        statements(c, {2024: {}, 2025: distressed()} if _ % 2 else [2024, 2025])
    assert queries("2026-06") == nine


@pytest.mark.django_db
def test_duplicate_feature_rows_are_scored_and_explained_once_with_the_same_answer() -> None:
    model = model_in_use()
    rng = np.random.default_rng(3)
    base = pd.DataFrame(rng.normal(size=(6, len(model.features))), columns=model.features)
    base.iloc[1, 0] = np.nan
    base.iloc[2, 1] = np.inf  # treated as missing, like NaN
    frame = pd.concat([base, base.iloc[[1, 0, 1]]], ignore_index=True)
    frame.iloc[6, 2] = -0.0 if frame.iloc[6, 2] == 0 else frame.iloc[6, 2]
    probs = engine.score(model, frame)
    one_by_one = np.array([engine.score(model, frame.iloc[[i]])[0] for i in range(len(frame))])
    assert np.array_equal(probs, one_by_one)
    words = engine.explain(model, frame)
    assert words[6] == words[1] and words[7] == words[0] and words[8] == words[1]
    assert words[0] != words[1]
    assert all(f["en"] and f["ko"] and f["direction"] in ("up", "down") for row in words for f in row)


@pytest.mark.django_db
def test_the_inspection_list_says_while_explanations_are_pending(portfolio, personas) -> None:  # noqa: F811
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(personas.support)
    inspection_run(period=PERIOD, acting_user=None, explain=False)
    assert 'data-testid="explaining"' in client.get(reverse("monitoring:run_list")).content.decode()
    inspection_explain(period=PERIOD, acting_user=None)
    assert 'data-testid="explaining"' not in client.get(reverse("monitoring:run_list")).content.decode()
