"""Inspections: every designated company's ratios, early-warning probability and alert level for one month.

Idempotent and resumable:

* results are upserted by (company, period), so running a period again never duplicates a row, and a run
  that is already done is returned unchanged (re-running changes nothing);
* companies are processed in chunks ordered by id; each chunk commits its results, the cases it opens and the
  run's progress marker (`last_company_id`) in one transaction, so a worker killed in the middle loses at most
  the chunk it was working on, and the next run for the period resumes after the last committed chunk;
* the run is claimed (`monitoring.claims`) so two workers never process it at once; a claim whose heartbeat
  is older than NIC1000_INSPECTION_STALE_SECONDS is taken over.

Audit: the inspection run is the audited write. Each chunk writes ONE audit entry (`inspection.chunk`, with the
companies covered and counts per level) rather than one per company, and the finished run writes
`inspection.complete` with the totals per level. This summary auditing is used only for the inspection results
(derived, recomputable data); support cases opened by the run get one audit entry each (appended with the
chunk's entry). The explanations are a later phase (`services.explanations`).

Statements per chunk, whatever its size: three reads (statements, technology, patents), then in one
transaction the claim check, one results upsert, one case insert, the progress marker and one audit append.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import F, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from nic1000.accounts.models import User
from nic1000.activity.services import notify
from nic1000.audit.services import AuditItem, audit_record, audit_record_many, created
from nic1000.core import bulk
from nic1000.core.errors import Conflict
from nic1000.designations.selectors import active_memberships
from nic1000.monitoring import claims, engine
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.models import InspectionResult, InspectionRun, SupportCase
from nic1000.monitoring.periods import expected_fiscal_year, period_validate
from nic1000.monitoring.services import notices
from nic1000.monitoring.services.cases import active_cases, cases_open_for_results, tell_company_case_opened
from nic1000.monitoring.services.chasing import statements_ask_for_period
from nic1000.monitoring.services.early_warning import model_for_inspection
from nic1000.monitoring.services.explanations import inspection_explain

DEFAULT_CHUNK_SIZE = 5000

# (company id, membership id) of the companies of one chunk.
Part = list[tuple[int, int]]
Scoring = Future[tuple[np.ndarray, float]]


@transaction.atomic
def inspection_run_request(
    *, period: str, acting_user: User | None, trigger: str = InspectionRun.Trigger.ON_DEMAND
) -> InspectionRun:
    """Create (or find) the inspection row of a period, before a task is enqueued for it."""
    period_validate(period)
    run, was_created = InspectionRun.objects.get_or_create(
        period=period,
        defaults={
            "trigger": trigger,
            "created_at": timezone.now(),
            "requested_by": acting_user,
            "expected_fiscal_year": expected_fiscal_year(period),
        },
    )
    if was_created:
        audit_record(
            actor=acting_user,
            action="inspection.request",
            obj=run,
            changes=created({"period": period, "trigger": trigger}),
        )
    return run


def inspection_task_set(*, run: InspectionRun, task_id: str) -> None:
    """Remember which queued task will process the run (queue bookkeeping, not audited)."""
    InspectionRun.objects.filter(pk=run.pk).update(task_id=task_id)
    run.task_id = task_id


def inspection_run(
    *,
    period: str,
    acting_user: User | None = None,
    trigger: str = InspectionRun.Trigger.ON_DEMAND,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    timing: engine.Timing | None = None,
    after_chunk: Callable[[int], None] | None = None,
    explain: bool = True,
) -> InspectionRun:
    """Inspect every active designated company for `period` (YYYY-MM), then (unless `explain` is false) store
    the explanations of the companies at the explanation level (`inspection_explain`). See the module's
    docstring for how it resumes and what it audits. `after_chunk(k)` is called after chunk k committed (tests
    use it to simulate a crash)."""
    period_validate(period)
    timing = timing or engine.Timing()
    run = inspection_run_request(period=period, acting_user=acting_user, trigger=trigger)
    if run.status != InspectionRun.Status.DONE:
        token = claims.claim(
            run,
            where=~Q(status=InspectionRun.Status.DONE),
            status=InspectionRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=Coalesce(F("started_at"), Value(timezone.now())),
        )
        run.refresh_from_db()
        if token is None:
            if run.status == InspectionRun.Status.DONE:
                return run  # another worker just finished it
            raise Conflict(
                _("The inspection of %(period)s is already running.") % {"period": period},
                code="inspection_running",
            )
        try:
            _inspect(
                run=run,
                token=token,
                chunk_size=chunk_size,
                acting_user=acting_user,
                timing=timing,
                after_chunk=after_chunk,
            )
        except BaseException as exc:
            claims.release(
                run, token, error=f"{type(exc).__name__}: {exc}", status=InspectionRun.Status.FAILED
            )
            raise
    if explain and run.explained_at is None:
        inspection_explain(period=period, acting_user=acting_user, timing=timing)
    run.refresh_from_db()
    return run


def _inspect(
    *,
    run: InspectionRun,
    token: str,
    chunk_size: int,
    acting_user: User | None,
    timing: engine.Timing,
    after_chunk: Callable[[int], None] | None,
) -> None:
    """The claimed run, from the company after its progress marker to the end, then finished."""
    model = model_for_inspection()
    cfg = rules_mod.current_config()
    expected = run.expected_fiscal_year or expected_fiscal_year(run.period, cfg)
    members: Part = list(
        active_memberships()
        .filter(company_id__gt=run.last_company_id)
        .order_by("company_id")
        .values_list("company_id", "id")
    )
    InspectionRun.objects.filter(pk=run.pk).update(model_sha256=model.sha256)
    chunks = [members[i : i + chunk_size] for i in range(0, len(members), chunk_size)]
    k = run.chunks_done
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspection-score") as pool:
        for part, prepared, scoring in _scored_ahead(chunks, pool=pool, model=model, timing=timing):
            res = _chunk_levels(prepared=prepared, scoring=scoring, expected=expected, cfg=cfg, timing=timing)
            _chunk_write(
                run=run, token=token, part=part, res=res, cfg=cfg, acting_user=acting_user, timing=timing
            )
            k += 1
            if after_chunk is not None:
                after_chunk(k)
    _inspection_finish(run=run, token=token, acting_user=acting_user)


def _scored_ahead(
    chunks: Sequence[Part], *, pool: ThreadPoolExecutor, model: engine.LoadedModel, timing: engine.Timing
) -> Iterator[tuple[Part, engine.Prepared, Scoring]]:
    """Each chunk with its ratios and its scores (computed in `pool`). Chunk k+1 is read, its ratios computed
    and its scoring started (the model's cost, no database access) before chunk k is handed out to be
    written, so scoring overlaps the writes; the writes stay in order, one transaction per chunk."""
    ahead: tuple[Part, engine.Prepared, Scoring] | None = None
    for part in [*chunks, None]:
        following = None
        if part is not None:
            prepared = _chunk_prepare(part=part, model=model, timing=timing)
            following = (part, prepared, pool.submit(engine.score_prepared, model, prepared))
        if ahead is not None:
            yield ahead
        ahead = following


def _chunk_prepare(*, part: Part, model: engine.LoadedModel, timing: engine.Timing) -> engine.Prepared:
    company_ids = [c for c, _m in part]
    t0 = time.perf_counter()
    data = engine.read_chunk(company_ids)
    timing.read += time.perf_counter() - t0
    return engine.prepare_chunk(company_ids=company_ids, data=data, model=model, timing=timing)


def _chunk_levels(
    *,
    prepared: engine.Prepared,
    scoring: Scoring,
    expected: int,
    cfg: rules_mod.RuleConfig,
    timing: engine.Timing,
) -> engine.ChunkResult:
    """The chunk's rules, once its scores are in."""
    t0 = time.perf_counter()
    probabilities, seconds = scoring.result()
    timing.score += seconds
    timing.extra["score_wait"] = timing.extra.get("score_wait", 0.0) + time.perf_counter() - t0
    return engine.finish_chunk(
        prepared=prepared, probabilities=probabilities, expected_fiscal_year=expected, cfg=cfg, timing=timing
    )


def _chunk_write(
    *,
    run: InspectionRun,
    token: str,
    part: Part,
    res: engine.ChunkResult,
    cfg: rules_mod.RuleConfig,
    acting_user: User | None,
    timing: engine.Timing,
) -> None:
    """One transaction: results, cases, progress marker and the chunk's audit entries."""
    t0 = time.perf_counter()
    lo, hi = part[0][0], part[-1][0]
    rows = _result_rows(run=run, frame=res.frame, res=res, membership_of=dict(part))
    counts = Counter(res.frame["level"].tolist())
    with transaction.atomic():
        locked = claims.hold(run, token)  # a stalled worker whose claim was taken over stops here
        bulk.upsert_rows(InspectionResult, _RESULT_COLUMNS, rows, unique=("company_id", "period"))
        opened = cases_open_for_results(run=run, lo=lo, hi=hi, cfg=cfg)
        total = Counter(locked.counts or {})
        total.update(counts)
        InspectionRun.objects.filter(pk=run.pk).update(
            last_company_id=hi,
            processed=locked.processed + len(rows),
            chunks_done=locked.chunks_done + 1,
            counts=dict(total),
            heartbeat_at=timezone.now(),
        )
        summary = AuditItem(
            action="inspection.chunk",
            object_type=InspectionRun._meta.label_lower,
            object_id=str(run.pk),
            object_repr=f"inspection {run.period}",
            changes={
                "chunk": locked.chunks_done + 1,
                "companies": len(rows),
                "first_company_id": lo,
                "last_company_id": hi,
                "levels": dict(counts),
                "cases_opened": len(opened),
            },
        )
        # One append to the trail per chunk: an entry per case opened, then the chunk's summary.
        audit_record_many(actor=acting_user, items=[*opened, summary])
    timing.write += time.perf_counter() - t0


# Columns of an inspection result row, in the order of `_result_rows`' tuples.
_RESULT_COLUMNS = (
    "run_id", "period", "company_id", "membership_id", "fiscal_year", "probability", "model_level", "level",
    "z_score", "runway_months", "debt_ratio", "factors", "rules", "reasons",
)  # fmt: skip


def _result_rows(
    *, run: InspectionRun, frame: pd.DataFrame, res: engine.ChunkResult, membership_of: Mapping[int, int]
) -> list[tuple[Any, ...]]:
    """One parameter tuple per company (`_RESULT_COLUMNS`); NaN and infinities become NULL. Explanations are
    cleared (the explanation phase stores them for the new figures)."""
    n = len(frame)

    def floats(name: str) -> list[float | None]:
        if name not in frame:
            return [None] * n
        v = frame[name].to_numpy(dtype="float64", na_value=np.nan)
        v = np.where(np.isfinite(v), v, np.nan)
        return [None if x != x else x for x in v.tolist()]  # x != x: NaN

    fiscal = [None if x is None else int(x) for x in floats("fiscal_year")]
    probability, z_score = floats("probability"), floats("altman_z2")
    runway, debt = floats("cash_runway_months"), floats("debt_ratio")
    model_level, level = frame["model_level"].tolist(), frame["level"].tolist()
    # Few distinct rule combinations: each is encoded once.
    fired_json: dict[tuple[str, ...], str] = {}
    for codes in res.fired:
        key = tuple(codes)
        if key not in fired_json:
            fired_json[key] = json.dumps(codes)
    return [
        (
            run.pk, run.period, cid, membership_of.get(cid), fiscal[i], probability[i], model_level[i], level[i],
            z_score[i], runway[i], debt[i], "[]", fired_json[tuple(res.fired[i])],
            json.dumps(res.reasons[i]) if res.reasons[i] else "{}",
        )
        for i, cid in enumerate(frame["company_id"].tolist())
    ]  # fmt: skip


def _inspection_finish(*, run: InspectionRun, token: str, acting_user: User | None) -> None:
    """Mark the run done (releasing the claim), audit the totals, tell the group, chase missing statements."""
    with transaction.atomic():
        locked = claims.hold(run, token)
        before = {"status": locked.status}
        locked.status, locked.finished_at = InspectionRun.Status.DONE, timezone.now()
        claims.release(run, token, status=locked.status, finished_at=locked.finished_at)
        audit_record(
            actor=acting_user,
            action="inspection.complete",
            obj=locked,
            changes={
                "status": {"before": before["status"], "after": locked.status},
                "processed": {"before": None, "after": locked.processed},
                "counts": {"before": None, "after": locked.counts},
            },
        )
        _tell_the_group(locked)
    # The reminder comes first: from the due month on, companies without last year's statements are asked (once
    # per company and year), before the missing year counts as a signal.
    statements_ask_for_period(period=locked.period, acting_user=acting_user)


def _tell_the_group(run: InspectionRun) -> None:
    """One summary of the run for the support group (`inspection`); one notice of the companies newly at
    warning or above, with how many of them have no support case, linking to the filtered list
    (`monitoring.warning`); and the representatives of each company a case was opened for (once per case)."""
    counts = run.counts or {}
    warned = int(counts.get("warning", 0)) + int(counts.get("critical", 0))
    group = notices.support_group()
    if group and warned:
        notify(
            recipients=group,
            kind="inspection",
            title=gettext_noop("Inspection %(period)s: %(n)s companies at warning or above"),
            params={"period": run.period, "n": warned},
            link=reverse("monitoring:dashboard"),
            dedupe_key=f"inspection:{run.period}",
        )
    new, uncased = _new_warnings(run)
    if group and new:
        notify(
            recipients=group,
            kind="monitoring.warning",
            title=gettext_noop(
                "Inspection %(period)s: %(n)s companies newly at warning or above, %(uncased)s without a"
                " support case"
            ),
            params={"period": run.period, "n": new, "uncased": uncased},
            link=reverse("monitoring:dashboard") + f"?period={run.period}&level=warning",
            dedupe_key=f"warning:{run.period}",
        )
    opened = dict(SupportCase.objects.filter(opened_from__run=run).values_list("company_id", "pk"))
    for company_id, users in notices.reps_by_company(opened).items():
        tell_company_case_opened(company_id=company_id, case_id=opened[company_id], recipients=users)


def _new_warnings(run: InspectionRun) -> tuple[int, int]:
    """(companies at warning or above in this run that were not in the previous inspection, how many of them
    have no active support case)."""
    high = [lv for lv, rank in rules_mod.LEVEL_RANK.items() if rank >= rules_mod.LEVEL_RANK["warning"]]
    now_ids = set(
        InspectionResult.objects.filter(period=run.period, level__in=high).values_list(
            "company_id", flat=True
        )
    )
    previous = (
        InspectionRun.objects.filter(period__lt=run.period, processed__gt=0)
        .order_by("-period")
        .values("period")[:1]
    )
    before = set(
        InspectionResult.objects.filter(period=Subquery(previous), level__in=high).values_list(
            "company_id", flat=True
        )
    )
    new = now_ids - before
    cased = set(active_cases().values_list("company_id", flat=True))
    return len(new), len(new - cased)
