"""The explanation phase of a finished inspection: the ratios pushing each warned company's risk up or down.

A separate phase because SHAP contributions cost far more than scoring (trees × rows × depth): the levels, cases
and audit of the inspection are committed first, and the company page explains a result on demand until its
explanation is stored. Like the inspection it is claimed (`monitoring.claims`, one worker at a time), committed
per chunk with one audit entry naming the results changed, and resumable.

Statements per chunk: the chunk's results and statements (two reads), a heartbeat per slice of SHAP work, then
in one transaction the claim check, one UPDATE run for every result explained, one audit append and the
heartbeat.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nic1000.accounts.models import User
from nic1000.audit.services import audit_record
from nic1000.core import bulk
from nic1000.core.errors import Conflict
from nic1000.monitoring import claims, engine
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.models import InspectionResult, InspectionRun
from nic1000.monitoring.services.early_warning import model_for_inspection

EXPLAIN_CHUNK_SIZE = 1000
# SHAP contributions are computed in slices of about this many seconds, renewing the claim between slices, so
# a large model never makes a live worker look stale.
EXPLAIN_SLICE_SECONDS = 10.0
EXPLAIN_SLICE_FIRST = 20

# (result id, company id, fiscal year, probability) of the results of one chunk.
Part = list[tuple[int, int, int | None, float | None]]
# company id -> (fiscal year, probability, explanation) computed now from the company's statements.
Found = dict[int, tuple[int, float, list[dict[str, Any]]]]


def inspection_explain(
    *,
    period: str,
    acting_user: User | None = None,
    chunk_size: int = EXPLAIN_CHUNK_SIZE,
    timing: engine.Timing | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> int:
    """Store the explanation of each result of a finished inspection at `explain_level` or above; returns the
    results explained. The next call continues with the results still lacking an explanation; a finished
    phase (`explained_at`) is never repeated. A result whose figures changed since the inspection (different
    probability now, or another model) is left to the page."""
    timing = timing or engine.Timing()
    run = InspectionRun.objects.filter(period=period).first()
    if run is None or run.status != InspectionRun.Status.DONE or run.explained_at is not None:
        return 0
    token = claims.claim(run, where=Q(status=InspectionRun.Status.DONE, explained_at__isnull=True))
    if token is None:
        run.refresh_from_db()
        if run.explained_at is not None:
            return 0
        raise Conflict(
            _("The inspection of %(period)s is being explained already.") % {"period": period},
            code="inspection_running",
        )
    try:
        done = _explain_all(
            run=run,
            token=token,
            chunk_size=chunk_size,
            acting_user=acting_user,
            timing=timing,
            after_chunk=after_chunk,
        )
        _explain_finish(run=run, token=token, done=done, acting_user=acting_user)
    except BaseException as exc:
        claims.release(run, token, error=f"{type(exc).__name__}: {exc}")
        raise
    return done


def _todo(run: InspectionRun, model: engine.LoadedModel) -> QuerySet[InspectionResult]:
    """Results of the run at the explanation level still without an explanation."""
    cfg = rules_mod.current_config()
    levels = [
        lv for lv in rules_mod.LEVELS if rules_mod.LEVEL_RANK[lv] >= rules_mod.LEVEL_RANK[cfg.explain_level]
    ]
    todo = InspectionResult.objects.filter(
        period=run.period, level__in=levels, fiscal_year__isnull=False, factors=[]
    )
    if model.sha256 != run.model_sha256:
        return todo.none()  # scored with another model: explained on demand with the current one
    return todo


def _explain_all(
    *,
    run: InspectionRun,
    token: str,
    chunk_size: int,
    acting_user: User | None,
    timing: engine.Timing,
    after_chunk: Callable[[int], None] | None,
) -> int:
    model = model_for_inspection()
    todo = _todo(run, model)
    done = last = k = 0
    while True:
        t0 = time.perf_counter()
        part: Part = list(
            todo.filter(company_id__gt=last)
            .order_by("company_id")
            .values_list("id", "company_id", "fiscal_year", "probability")[:chunk_size]
        )
        timing.read += time.perf_counter() - t0
        if not part:
            return done
        last = part[-1][1]
        company_ids = [c for _r, c, _f, _p in part]
        found = _explain_chunk(run=run, token=token, company_ids=company_ids, model=model, timing=timing)
        updates = _still_true(part, found)
        done += _store(run=run, token=token, updates=updates, acting_user=acting_user, timing=timing)
        k += 1
        if after_chunk is not None:
            after_chunk(k)


def _explain_chunk(
    *,
    run: InspectionRun,
    token: str,
    company_ids: list[int],
    model: engine.LoadedModel,
    timing: engine.Timing,
) -> Found:
    """The explanations of the companies' latest statements now, in slices sized to take about
    EXPLAIN_SLICE_SECONDS at the rate just seen (the model's size and the machine's load decide it), renewing
    the claim after each so it stays well within NIC1000_INSPECTION_STALE_SECONDS."""
    t0 = time.perf_counter()
    statements = engine.read_statements(company_ids)
    timing.read += time.perf_counter() - t0
    t0 = time.perf_counter()
    found: Found = {}
    ids = sorted(set(company_ids))
    start, size = 0, EXPLAIN_SLICE_FIRST
    while start < len(ids):
        piece_ids = ids[start : start + size]
        started = time.perf_counter()
        found.update(_explain_slice(statements[statements["company_id"].isin(piece_ids)], model))
        rate = len(piece_ids) / max(time.perf_counter() - started, 1e-3)
        start += len(piece_ids)
        size = int(min(max(rate * EXPLAIN_SLICE_SECONDS, 10), 2000))
        claims.heartbeat(run, token)
    timing.explain += time.perf_counter() - t0
    return found


def _explain_slice(statements: pd.DataFrame, model: engine.LoadedModel) -> Found:
    now, words = engine.explain_latest(statements=statements, model=model)
    rows = zip(
        now["company_id"].tolist(),
        now["fiscal_year"].tolist(),
        now["probability"].tolist(),
        words,
        strict=True,
    )
    return {int(c): (int(fy), float(p), w) for c, fy, p, w in rows}


def _still_true(part: Part, found: Found) -> list[tuple[str, int]]:
    """(explanation as JSON, result id) for the results whose figures are still those explained now; a result
    whose statements were corrected since the inspection is explained on demand by the page."""
    updates: list[tuple[str, int]] = []
    for result_id, company_id, fiscal_year, probability in part:
        got = found.get(company_id)
        if got is None or not got[2] or probability is None:
            continue
        fy, p, words = got
        if fy != fiscal_year or not np.isfinite(p) or abs(p - probability) > 1e-9:
            continue
        updates.append((json.dumps(words), result_id))
    return updates


def _store(
    *,
    run: InspectionRun,
    token: str,
    updates: list[tuple[str, int]],
    acting_user: User | None,
    timing: engine.Timing,
) -> int:
    """One transaction per chunk: the explanations and one audit entry naming the results changed."""
    t0 = time.perf_counter()
    with transaction.atomic():
        claims.hold(run, token)
        if updates:
            bulk.update_by_pk(InspectionResult, "factors", updates)
            audit_record(
                actor=acting_user,
                action="inspection.explain",
                obj=run,
                changes={"results_explained": [rid for _w, rid in updates]},
            )
        claims.heartbeat(run, token)
    timing.write += time.perf_counter() - t0
    return len(updates)


def _explain_finish(*, run: InspectionRun, token: str, done: int, acting_user: User | None) -> None:
    with transaction.atomic():
        locked = claims.hold(run, token)
        locked.explained_at = timezone.now()
        claims.release(run, token, explained_at=locked.explained_at)
        audit_record(
            actor=acting_user,
            action="inspection.explained",
            obj=locked,
            changes={"explained_at": {"before": None, "after": locked.explained_at}, "results": done},
        )
