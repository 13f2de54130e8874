"""Monitoring writes: inspections, the early-warning model in use, support cases, surveys, removals, chasing.

Every function is keyword-only, runs in one transaction (the inspection: one per chunk) and writes audit rows.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from nic1000.activity.services import notify, workflow_transition
from nic1000.audit.services import AuditItem, audit_record, audit_record_many, created, diff, snapshot
from nic1000.core.errors import Conflict, ErrorDetail, Forbidden, NotFound, ValidationFailed
from nic1000.core.roles import Role
from nic1000.designations.models import Membership
from nic1000.designations.services import designation_remove
from nic1000.monitoring import engine
from nic1000.monitoring import rules as rules_mod
from nic1000.monitoring.models import (
    LEVEL_ORDER,
    CaseAction,
    DifficultySurvey,
    EarlyWarningModel,
    InspectionResult,
    InspectionRun,
    MonthlySurvey,
    Removal,
    SupportCase,
)
from nic1000.monitoring.workflows import ACTIVE_STATES, CASE_WORKFLOW
from nic1000.registry.models import Company, FinancialStatement, Institution

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 5000


# ---------------------------------------------------------------- periods


def period_of(when: dt.datetime | None = None) -> str:
    now = timezone.localtime(when or timezone.now())
    return f"{now.year:04d}-{now.month:02d}"


def period_validate(period: str) -> tuple[int, int]:
    try:
        year, month = (int(x) for x in period.split("-"))
        dt.date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            f"The period must look like YYYY-MM, got {period!r}",
            [ErrorDetail(message="YYYY-MM", field="period", value=period)],
            code="bad_period",
        ) from exc
    if len(period) != 7:
        raise ValidationFailed(f"The period must look like YYYY-MM, got {period!r}", code="bad_period")
    return year, month


def expected_fiscal_year(period: str, cfg: rules_mod.RuleConfig | None = None) -> int:
    """The last fiscal year whose statements must be in by this period (due by the configured month)."""
    cfg = cfg or rules_mod.current_config()
    year, month = period_validate(period)
    return year - 1 if month >= cfg.statement_due_month else year - 2


# ---------------------------------------------------------------- the early-warning model


def _model_error(exc: Exception, path: str) -> ValidationFailed:
    return ValidationFailed(
        f"The model file {path} was refused: {exc}. The previous model stays in use.",
        [ErrorDetail(message=str(exc), field="path", value=path)],
        code="model_refused",
    )


def model_in_use() -> engine.LoadedModel:
    """The active model (the last one accepted), or the shipped default when none was activated."""
    from nic1000.algorithms import early_warning

    row = EarlyWarningModel.objects.filter(active=True).first()
    if row is not None:
        try:
            return engine.load_checked(row.path)
        except Exception as exc:  # the file changed on disk since it was accepted
            log.error("active early-warning model %s no longer loads (%s); using the default", row.path, exc)
    return engine.load_checked(early_warning.default_model_path())


@transaction.atomic
def model_activate(*, path: str | Path, acting_user: Any, note: str = "") -> EarlyWarningModel:
    """Make the model at `path` the one inspections use. A corrupt file or one trained on other columns is
    refused with a clear `ValidationFailed` (code model_refused) and the previous model stays active."""
    path = str(Path(path).resolve())
    try:
        loaded = engine.load_checked(path)
    except Exception as exc:
        raise _model_error(exc, path) from exc
    before = EarlyWarningModel.objects.select_for_update().filter(active=True).first()
    if before is not None and before.sha256 == loaded.sha256 and before.path == path:
        return before
    EarlyWarningModel.objects.filter(active=True).update(active=False)
    row = EarlyWarningModel.objects.create(
        path=path,
        sha256=loaded.sha256,
        features=loaded.features,
        active=True,
        activated_at=timezone.now(),
        activated_by=acting_user if getattr(acting_user, "pk", None) else None,
        note=note[:300],
    )
    audit_record(
        actor=acting_user,
        action="ews_model.activate",
        obj=row,
        changes={
            "path": {"before": before.path if before else None, "after": path},
            "sha256": {"before": before.sha256 if before else None, "after": loaded.sha256},
        },
        reason=note,
    )
    return row


# ---------------------------------------------------------------- inspections


def _stale_seconds() -> int:
    return int(settings.NIC1000_INSPECTION_STALE_SECONDS)


@transaction.atomic
def inspection_run_request(
    *, period: str, acting_user: Any, trigger: str = InspectionRun.Trigger.ON_DEMAND
) -> InspectionRun:
    """Create (or find) the inspection row of a period, before a task is enqueued for it."""
    period_validate(period)
    run, was_created = InspectionRun.objects.get_or_create(
        period=period,
        defaults={
            "trigger": trigger,
            "created_at": timezone.now(),
            "requested_by": acting_user if getattr(acting_user, "pk", None) else None,
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


def _claim(run: InspectionRun, token: str) -> bool:
    now = timezone.now()
    stale = now - dt.timedelta(seconds=_stale_seconds())
    with transaction.atomic():
        n = (
            InspectionRun.objects.filter(pk=run.pk)
            .exclude(status=InspectionRun.Status.DONE)
            .filter(Q(claimed_by="") | Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
            .update(claimed_by=token, heartbeat_at=now, status=InspectionRun.Status.RUNNING, error="")
        )
        if n:
            InspectionRun.objects.filter(pk=run.pk, started_at__isnull=True).update(started_at=now)
            run.refresh_from_db()
            run.attempts += 1
            InspectionRun.objects.filter(pk=run.pk).update(attempts=run.attempts)
    return bool(n)


def _release(run: InspectionRun, token: str, error: str) -> None:
    with transaction.atomic():
        InspectionRun.objects.filter(pk=run.pk, claimed_by=token).update(
            claimed_by="", status=InspectionRun.Status.FAILED, error=error[:2000], heartbeat_at=timezone.now()
        )


def inspection_run(
    *,
    period: str,
    acting_user: Any = None,
    trigger: str = InspectionRun.Trigger.ON_DEMAND,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    timing: engine.Timing | None = None,
    after_chunk: Callable[[int], None] | None = None,
    explain: bool = True,
) -> InspectionRun:
    """Inspect every active selected company for `period` (YYYY-MM), then (unless `explain` is false) store the
    explanations of the companies at the explanation level (`inspection_explain`).

    Idempotent and resumable:

    * results are upserted by (company, period), so running a period again never duplicates a row, and a run
      that is already done is returned unchanged (re-running changes nothing);
    * companies are processed in chunks ordered by id; each chunk commits its results, the cases it opens and
      the run's progress marker (`last_company_id`) in one transaction, so a worker killed in the middle loses
      at most the chunk it was working on, and the next run for the period resumes after the last committed
      chunk;
    * the run is claimed (`claimed_by`, renewed at each chunk) so two workers never process it at once; a claim
      whose heartbeat is older than `NIC1000_INSPECTION_STALE_SECONDS` is taken over.

    Audit: the inspection run is the audited write. Each chunk writes ONE audit entry
    (`inspection.chunk`, with the companies covered and counts per level) rather than one per company, and the
    finished run writes `inspection.complete` with the totals per level. This summary auditing is used only for
    the inspection results (derived, recomputable data); support cases opened by the run get one audit entry
    each (appended with the chunk's entry). The explanation phase writes one `inspection.explain` entry per
    chunk naming the results explained, and `inspection.explained` when finished.

    `after_chunk(k)` is called after chunk k committed (tests use it to simulate a crash).
    """
    period_validate(period)
    timing = timing or engine.Timing()
    run = inspection_run_request(period=period, acting_user=acting_user, trigger=trigger)
    if run.status == InspectionRun.Status.DONE:
        if explain and run.explained_at is None:
            inspection_explain(period=period, acting_user=acting_user, timing=timing)
            run.refresh_from_db()
        return run
    token = uuid.uuid4().hex
    if not _claim(run, token):
        run.refresh_from_db()
        if run.status == InspectionRun.Status.DONE:
            return run
        raise Conflict(f"The inspection of {period} is already running", code="inspection_running")
    try:
        try:
            model = model_in_use()
        except Exception as exc:
            raise Conflict(f"No usable early-warning model: {exc}", code="no_model") from exc
        cfg = rules_mod.current_config()
        expected = run.expected_fiscal_year or expected_fiscal_year(period, cfg)
        from nic1000.designations.selectors import active_memberships

        members = list(
            active_memberships()
            .filter(company_id__gt=run.last_company_id)
            .order_by("company_id")
            .values_list("company_id", "id")
        )
        InspectionRun.objects.filter(pk=run.pk).update(model_sha256=model.sha256)
        k = run.chunks_done
        # Chunk k+1 is read and its ratios computed, then scored in a thread (the model's cost, no database
        # access) while chunk k is written; the writes stay in order, one transaction per chunk.
        chunks = [members[i : i + chunk_size] for i in range(0, len(members), chunk_size)]
        Ahead = tuple[list[tuple[int, int]], engine.Prepared, Future[tuple[np.ndarray, float]]]
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inspection-score") as pool:
            ahead: Ahead | None = None
            for part in [*chunks, None]:
                following: Ahead | None = None
                if part is not None:
                    prepared = _inspection_prepare(part=part, model=model, timing=timing)
                    following = (part, prepared, pool.submit(engine.score_prepared, model, prepared))
                if ahead is not None:
                    _inspection_chunk(
                        run=run,
                        token=token,
                        part=ahead[0],
                        prepared=ahead[1],
                        scoring=ahead[2],
                        expected=expected,
                        cfg=cfg,
                        acting_user=acting_user,
                        timing=timing,
                    )
                    k += 1
                    if after_chunk is not None:
                        after_chunk(k)
                ahead = following
        _inspection_finish(run=run, token=token, acting_user=acting_user)
    except BaseException as exc:
        _release(run, token, f"{type(exc).__name__}: {exc}")
        raise
    if explain:
        inspection_explain(period=period, acting_user=acting_user, timing=timing)
    run.refresh_from_db()
    return run


def _inspection_prepare(
    *, part: list[tuple[int, int]], model: engine.LoadedModel, timing: engine.Timing
) -> engine.Prepared:
    company_ids = [c for c, _m in part]
    t0 = time.perf_counter()
    data = engine.read_chunk(company_ids)
    timing.read += time.perf_counter() - t0
    return engine.prepare_chunk(company_ids=company_ids, data=data, model=model, timing=timing)


def _inspection_chunk(
    *,
    run: InspectionRun,
    token: str,
    part: list[tuple[int, int]],
    prepared: engine.Prepared,
    scoring: Future[tuple[np.ndarray, float]],
    expected: int,
    cfg: rules_mod.RuleConfig,
    acting_user: Any,
    timing: engine.Timing,
) -> None:
    company_ids = [c for c, _m in part]
    membership_of = dict(part)
    t0 = time.perf_counter()
    probabilities, seconds = scoring.result()
    timing.score += seconds
    timing.extra["score_wait"] = timing.extra.get("score_wait", 0.0) + time.perf_counter() - t0
    res = engine.finish_chunk(
        prepared=prepared, probabilities=probabilities, expected_fiscal_year=expected, cfg=cfg, timing=timing
    )
    t0 = time.perf_counter()
    f = res.frame
    rows = _result_rows(run=run, frame=f, res=res, membership_of=membership_of)
    counts = Counter(f["level"].tolist())
    with transaction.atomic():
        # The claim must still be ours (a stalled worker whose claim was taken over stops here).
        alive = (
            InspectionRun.objects.select_for_update()
            .filter(pk=run.pk, claimed_by=token)
            .values_list("counts", "processed", "chunks_done")
            .first()
        )
        if alive is None:
            raise Conflict("The inspection was taken over by another worker", code="claim_lost")
        old_counts, processed, chunks_done = alive
        _results_upsert(rows)
        opened = _cases_open_for(run=run, lo=min(company_ids), hi=max(company_ids), cfg=cfg)
        new_counts = Counter(old_counts or {})
        new_counts.update(counts)
        InspectionRun.objects.filter(pk=run.pk).update(
            last_company_id=max(company_ids),
            processed=processed + len(rows),
            chunks_done=chunks_done + 1,
            counts=dict(new_counts),
            heartbeat_at=timezone.now(),
        )
        # One append to the trail per chunk: an entry per case opened, then the chunk's summary.
        audit_record_many(
            actor=acting_user,
            items=[
                *opened,
                AuditItem(
                    action="inspection.chunk",
                    object_type="monitoring.inspectionrun",
                    object_id=str(run.pk),
                    object_repr=f"inspection {run.period}",
                    changes={
                        "chunk": chunks_done + 1,
                        "companies": len(rows),
                        "first_company_id": min(company_ids),
                        "last_company_id": max(company_ids),
                        "levels": dict(counts),
                        "cases_opened": len(opened),
                    },
                ),
            ],
        )
    timing.write += time.perf_counter() - t0


# Columns of an inspection result row, in the order of `_result_rows`' tuples.
_RESULT_COLUMNS = (
    "run_id", "period", "company_id", "membership_id", "fiscal_year", "probability", "model_level", "level",
    "z_score", "runway_months", "debt_ratio", "factors", "rules", "reasons",
)  # fmt: skip
_RESULT_JSON = frozenset({"factors", "rules", "reasons"})


def _result_rows(
    *, run: InspectionRun, frame: pd.DataFrame, res: engine.ChunkResult, membership_of: Mapping[int, int]
) -> list[tuple[Any, ...]]:
    """One parameter tuple per company (`_RESULT_COLUMNS`); NaN and infinities become NULL."""
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


# PostgreSQL types of `_RESULT_COLUMNS`, for the one-statement upsert from arrays.
_RESULT_PG_TYPES = (
    "bigint", "varchar", "bigint", "bigint", "smallint", "float8", "varchar", "varchar", "float8", "float8",
    "float8", "jsonb", "jsonb", "jsonb",
)  # fmt: skip


def _results_upsert(rows: list[tuple[Any, ...]]) -> None:
    """Insert or update results by (company, period), without the ORM (its bulk_create spends most of its
    time compiling values): on PostgreSQL one INSERT … SELECT FROM unnest(arrays) per chunk, elsewhere one
    prepared INSERT run for every row. Explanations are cleared (`inspection_explain` stores them for the
    new figures)."""
    if not rows:
        return
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in _RESULT_COLUMNS)
    keep = ("company_id", "period")
    updates = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in _RESULT_COLUMNS if c not in keep)
    conflict = f"ON CONFLICT ({qn('company_id')}, {qn('period')}) DO UPDATE SET {updates}"
    table = qn(InspectionResult._meta.db_table)
    if connection.vendor == "postgresql":
        import psycopg

        # One array per column, sent in binary (%b) through a server-binding cursor on the same
        # connection: Django's client-side cursor would quote every element as text. JSON travels as text
        # and is cast per element.
        arrays = ", ".join(f"%b::{'text' if t == 'jsonb' else t}[]" for t in _RESULT_PG_TYPES)
        names = ", ".join(f"c{i}" for i in range(len(_RESULT_COLUMNS)))
        select = ", ".join(
            f"c{i}::jsonb" if t == "jsonb" else f"c{i}" for i, t in enumerate(_RESULT_PG_TYPES)
        )
        sql = f"INSERT INTO {table} ({cols}) SELECT {select} FROM unnest({arrays}) AS r({names}) {conflict}"
        with psycopg.Cursor(connection.connection) as raw:
            for start in range(0, len(rows), 10_000):
                raw.execute(sql, [list(col) for col in zip(*rows[start : start + 10_000], strict=True)])
    else:
        values = ", ".join("%s" for _c in _RESULT_COLUMNS)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({values}) {conflict}"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                cursor.executemany(sql, rows[start : start + 5000])


def _cases_open_for(*, run: InspectionRun, lo: int, hi: int, cfg: rules_mod.RuleConfig) -> list[AuditItem]:
    """Open a support case for each company of the chunk (company ids lo..hi, results just upserted) at the
    case level that has no active case: one INSERT … SELECT from the results, so a case points at its result
    and the check for an active case is made by the same statement. Returns the audit entries of the cases
    opened (the caller appends them with the chunk's own)."""
    levels = [lv for lv, rank in LEVEL_ORDER.items() if rank >= LEVEL_ORDER[cfg.case_level]]
    connection = transaction.get_connection()
    qn, ops = connection.ops.quote_name, connection.ops
    cases, results = qn(SupportCase._meta.db_table), qn(InspectionResult._meta.db_table)
    now = timezone.now()
    due = timezone.localdate() + dt.timedelta(days=cfg.case_due_days)
    state = CASE_WORKFLOW.initial
    in_levels = ", ".join("%s" for _lv in levels)
    in_active = ", ".join("%s" for _st in ACTIVE_STATES)
    sql = (
        f"INSERT INTO {cases} "
        "(company_id, membership_id, opened_from_id, level, state, due_on, summary, opened_at) "
        f"SELECT r.company_id, r.membership_id, r.id, r.level, %s, %s, %s || r.level, %s FROM {results} r "
        f"WHERE r.run_id = %s AND r.period = %s AND r.company_id >= %s AND r.company_id <= %s "
        f"AND r.level IN ({in_levels}) AND NOT EXISTS (SELECT 1 FROM {cases} c "
        f"WHERE c.company_id = r.company_id AND c.state IN ({in_active})) "
        f"RETURNING id, company_id, level"
    )
    params = [
        state, ops.adapt_datefield_value(due), f"inspection {run.period}: ", ops.adapt_datetimefield_value(now),
        run.pk, run.period, lo, hi, *levels, *ACTIVE_STATES,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        made = sorted(cursor.fetchall())
    reason = f"inspection {run.period}"
    return [
        AuditItem(
            action="support_case.open",
            object_type="monitoring.supportcase",
            object_id=str(case_id),
            object_repr=f"case for company {company_id}",
            changes=created({"company_id": company_id, "level": level, "state": state, "due_on": due}),
            reason=reason,
        )
        for case_id, company_id, level in made
    ]


def _inspection_finish(*, run: InspectionRun, token: str, acting_user: Any) -> None:
    with transaction.atomic():
        locked = InspectionRun.objects.select_for_update().get(pk=run.pk)
        if locked.claimed_by != token:
            raise Conflict("The inspection was taken over by another worker", code="claim_lost")
        before = {"status": locked.status}
        locked.status = InspectionRun.Status.DONE
        locked.finished_at = timezone.now()
        locked.claimed_by = ""
        locked.error = ""
        locked.save(update_fields=["status", "finished_at", "claimed_by", "error"])
        audit_record(
            actor=acting_user,
            action="inspection.complete",
            obj=locked,
            changes={
                **diff(before, {"status": locked.status}),
                "processed": {"before": None, "after": locked.processed},
                "counts": {"before": None, "after": locked.counts},
            },
        )
        group = list(_support_group_users())
        warn = int((locked.counts or {}).get("warning", 0)) + int((locked.counts or {}).get("critical", 0))
        if group and warn:
            notify(
                recipients=group,
                kind="inspection",
                title=f"Inspection {locked.period}: {warn} companies at warning or above",
                link="/monitoring/",
                dedupe_key=f"inspection:{locked.period}",
            )
    expected = locked.expected_fiscal_year
    if expected:
        statements_chase(fiscal_year=expected, acting_user=acting_user)


# ---------------------------------------------------------------- explanations of a finished inspection

EXPLAIN_CHUNK_SIZE = 1000
# SHAP contributions are computed in slices of about this many seconds, renewing the claim between slices, so
# a large model never makes a live worker look stale.
EXPLAIN_SLICE_SECONDS = 10.0
EXPLAIN_SLICE_FIRST = 20


def _claim_explain(run: InspectionRun, token: str) -> bool:
    now = timezone.now()
    stale = now - dt.timedelta(seconds=_stale_seconds())
    n = (
        InspectionRun.objects.filter(pk=run.pk, status=InspectionRun.Status.DONE, explained_at__isnull=True)
        .filter(Q(claimed_by="") | Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
        .update(claimed_by=token, heartbeat_at=now, error="")
    )
    return bool(n)


def _heartbeat(run: InspectionRun, token: str) -> None:
    InspectionRun.objects.filter(pk=run.pk, claimed_by=token).update(heartbeat_at=timezone.now())


def inspection_explain(
    *,
    period: str,
    acting_user: Any = None,
    chunk_size: int = EXPLAIN_CHUNK_SIZE,
    timing: engine.Timing | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> int:
    """Store the explanation (the ratios pushing the risk up or down most) of each result of a finished
    inspection at `explain_level` or above. Returns the results explained.

    A separate phase because SHAP contributions cost far more than scoring (trees × rows × depth): the levels,
    cases and audit of the inspection are committed first, and the company page explains a result on demand
    until its explanation is stored. Like the inspection it is claimed (one worker at a time), committed per
    chunk with one audit entry naming the results changed, and resumable: the next call continues with the
    results still lacking an explanation; a finished phase (`explained_at`) is never repeated. A result whose
    figures changed since the inspection (different probability now, or another model) is left to the page.
    """
    timing = timing or engine.Timing()
    run = InspectionRun.objects.filter(period=period).first()
    if run is None or run.status != InspectionRun.Status.DONE or run.explained_at is not None:
        return 0
    token = uuid.uuid4().hex
    if not _claim_explain(run, token):
        run.refresh_from_db()
        if run.explained_at is not None:
            return 0
        raise Conflict(f"The inspection of {period} is being explained already", code="inspection_running")
    done = 0
    try:
        cfg = rules_mod.current_config()
        try:
            model = model_in_use()
        except Exception as exc:
            raise Conflict(f"No usable early-warning model: {exc}", code="no_model") from exc
        levels = [
            lv
            for lv in rules_mod.LEVELS
            if rules_mod.LEVEL_RANK[lv] >= rules_mod.LEVEL_RANK[cfg.explain_level]
        ]
        todo = InspectionResult.objects.filter(
            period=period, level__in=levels, fiscal_year__isnull=False, factors=[]
        )
        if model.sha256 != run.model_sha256:
            todo = todo.none()  # scored with another model: explained on demand with the current one
        last, k = 0, 0
        while True:
            t0 = time.perf_counter()
            part = list(
                todo.filter(company_id__gt=last)
                .order_by("company_id")
                .values_list("id", "company_id", "fiscal_year", "probability")[:chunk_size]
            )
            timing.read += time.perf_counter() - t0
            if not part:
                break
            last = part[-1][1]
            done += _explain_chunk(
                run=run, token=token, part=part, model=model, acting_user=acting_user, timing=timing
            )
            k += 1
            if after_chunk is not None:
                after_chunk(k)
        with transaction.atomic():
            locked = InspectionRun.objects.select_for_update().get(pk=run.pk)
            if locked.claimed_by != token:
                raise Conflict("The inspection was taken over by another worker", code="claim_lost")
            locked.explained_at = timezone.now()
            locked.claimed_by = ""
            locked.save(update_fields=["explained_at", "claimed_by"])
            audit_record(
                actor=acting_user,
                action="inspection.explained",
                obj=locked,
                changes={"explained_at": {"before": None, "after": locked.explained_at}, "results": done},
            )
    except BaseException as exc:
        InspectionRun.objects.filter(pk=run.pk, claimed_by=token).update(
            claimed_by="", error=f"{type(exc).__name__}: {exc}"[:2000], heartbeat_at=timezone.now()
        )
        raise
    return done


def _explain_chunk(
    *,
    run: InspectionRun,
    token: str,
    part: list[tuple[int, int, int | None, float | None]],
    model: engine.LoadedModel,
    acting_user: Any,
    timing: engine.Timing,
) -> int:
    t0 = time.perf_counter()
    company_ids = [c for _id, c, _fy, _p in part]
    statements = engine.read_statements(company_ids)
    timing.read += time.perf_counter() - t0
    t0 = time.perf_counter()
    found: dict[int, tuple[int, float, list[dict[str, Any]]]] = {}
    ids = sorted(set(company_ids))
    start, size = 0, EXPLAIN_SLICE_FIRST
    while start < len(ids):
        piece_ids = ids[start : start + size]
        started = time.perf_counter()
        piece = statements[statements["company_id"].isin(piece_ids)]
        now, words = engine.explain_latest(statements=piece, model=model)
        # Next slice sized to take about EXPLAIN_SLICE_SECONDS at the rate just seen (the model's size and the
        # machine's load decide it), so the claim is renewed well within NIC1000_INSPECTION_STALE_SECONDS.
        rate = len(piece_ids) / max(time.perf_counter() - started, 1e-3)
        start += len(piece_ids)
        size = int(min(max(rate * EXPLAIN_SLICE_SECONDS, 10), 2000))
        for c, fy, p, w in zip(
            now["company_id"].tolist(),
            now["fiscal_year"].tolist(),
            now["probability"].tolist(),
            words,
            strict=True,
        ):
            found[int(c)] = (int(fy), float(p), w)
        _heartbeat(run, token)
    timing.explain += time.perf_counter() - t0
    t0 = time.perf_counter()
    updates: list[tuple[str, int]] = []
    for result_id, company_id, fiscal_year, probability in part:
        got = found.get(company_id)
        if got is None or not got[2] or probability is None:
            continue
        fy, p, w = got
        # The figures changed since the inspection (statements corrected): the page explains it on demand.
        if fy != fiscal_year or not np.isfinite(p) or abs(p - probability) > 1e-9:
            continue
        updates.append((json.dumps(w), result_id))
    with transaction.atomic():
        alive = InspectionRun.objects.select_for_update().filter(pk=run.pk, claimed_by=token).exists()
        if not alive:
            raise Conflict("The inspection was taken over by another worker", code="claim_lost")
        if updates:
            connection = transaction.get_connection()
            qn = connection.ops.quote_name
            cast = "::jsonb" if connection.vendor == "postgresql" else ""
            table = qn(InspectionResult._meta.db_table)
            sql = f"UPDATE {table} SET {qn('factors')} = %s{cast} WHERE {qn('id')} = %s"
            with connection.cursor() as cursor:
                cursor.executemany(sql, updates)
            audit_record(
                actor=acting_user,
                action="inspection.explain",
                obj=run,
                changes={"results_explained": [rid for _w, rid in updates]},
            )
        InspectionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    timing.write += time.perf_counter() - t0
    return len(updates)


def _support_group_users() -> Any:
    from nic1000.accounts.models import User

    return User.objects.filter(role=Role.SUPPORT_GROUP, is_active=True)


# ---------------------------------------------------------------- chasing missing statements


def statements_chase(*, fiscal_year: int, acting_user: Any = None) -> int:
    """Notify the representatives of active companies without statements for `fiscal_year` (in-app).
    Deduplicated per company and fiscal year: chasing again does not repeat the message. Returns companies."""
    from nic1000.accounts.models import User
    from nic1000.designations.selectors import active_memberships

    active = active_memberships().values_list("company_id", flat=True)
    have = FinancialStatement.objects.filter(fiscal_year=fiscal_year).values_list("company_id", flat=True)
    missing = list(Company.objects.filter(pk__in=active).exclude(pk__in=have).values_list("pk", flat=True))
    reps: dict[int, list[Any]] = {}
    for user in User.objects.filter(role=Role.COMPANY, is_active=True, company_id__in=missing):
        reps.setdefault(int(user.company_id or 0), []).append(user)
    for company_id, users in reps.items():
        notify(
            recipients=users,
            kind="statement_missing",
            title=f"Please submit your financial statements for fiscal year {fiscal_year}",
            body=f"재무제표 제출 요청: {fiscal_year} 사업연도 재무제표를 제출해 주세요.",
            link="/monitoring/statements/",
            dedupe_key=f"statement-missing:{company_id}:{fiscal_year}",
        )
    return len(missing)


# ---------------------------------------------------------------- support cases


def _group_only(user: Any) -> None:
    if getattr(user, "role", None) not in (Role.SUPPORT_GROUP, Role.PROGRAM_OFFICE):
        raise Forbidden("Only the support group and the programme office handle support cases")


@transaction.atomic
def case_open(
    *, company: Company, level: str, acting_user: Any, summary: str = "", due_on: dt.date | None = None
) -> SupportCase:
    """Open a case by hand (inspections open theirs in bulk). One active case per company."""
    _group_only(acting_user)
    if level not in LEVEL_ORDER:
        raise ValidationFailed(f"Unknown level {level!r}", code="bad_level")
    if SupportCase.objects.filter(company=company, state__in=ACTIVE_STATES).exists():
        raise Conflict("This company already has an open support case", code="case_exists")
    from nic1000.designations.selectors import membership_active_for

    case = SupportCase.objects.create(
        company=company,
        membership=membership_active_for(company_id=company.pk),
        level=level,
        state=CASE_WORKFLOW.initial,
        due_on=due_on or timezone.localdate() + dt.timedelta(days=rules_mod.current_config().case_due_days),
        summary=summary,
        opened_at=timezone.now(),
    )
    audit_record(actor=acting_user, action="support_case.open", obj=case, changes=created(snapshot(case)))
    return case


@transaction.atomic
def case_assign(*, case: SupportCase, owner: Any, due_on: dt.date | None, acting_user: Any) -> SupportCase:
    _group_only(acting_user)
    if owner is not None and getattr(owner, "role", None) not in (Role.SUPPORT_GROUP, Role.PROGRAM_OFFICE):
        raise ValidationFailed(
            "The owner must be a member of the support group",
            [ErrorDetail(message="support group only", field="owner")],
            code="bad_owner",
        )
    if case.state == "closed":
        raise Conflict("The case is closed", code="case_closed")
    before = snapshot(case, ["owner_id", "due_on"])
    case.owner = owner
    case.due_on = due_on
    case.save(update_fields=["owner", "due_on"])
    audit_record(
        actor=acting_user,
        action="support_case.assign",
        obj=case,
        changes=diff(before, snapshot(case, before)),
    )
    return case


@transaction.atomic
def case_action_add(
    *,
    case: SupportCase,
    kind: str,
    note: str,
    acting_user: Any,
    institution: Institution | None = None,
) -> CaseAction:
    _group_only(acting_user)
    if kind not in CaseAction.Kind.values:
        raise ValidationFailed(f"Unknown action {kind!r}", [ErrorDetail(message="unknown", field="kind")])
    if not note.strip():
        raise ValidationFailed("Describe the action", [ErrorDetail(message="required", field="note")])
    if case.state == "closed":
        raise Conflict("The case is closed", code="case_closed")
    action = CaseAction.objects.create(
        case=case, kind=kind, note=note.strip(), institution=institution, at=timezone.now(), by=acting_user
    )
    audit_record(
        actor=acting_user,
        action="support_case.action",
        obj=case,
        changes=created(
            {
                "action_id": action.pk,
                "kind": kind,
                "note": action.note,
                "institution_id": getattr(institution, "pk", None),
            }
        ),
    )
    return action


def case_transition(*, case: SupportCase, transition: str, reason: str, acting_user: Any) -> SupportCase:
    try:
        CASE_WORKFLOW.transition(transition)
    except KeyError as exc:
        raise NotFound(f"Unknown transition {transition!r}") from exc
    try:
        with transaction.atomic():
            workflow_transition(
                obj=case,
                workflow=CASE_WORKFLOW,
                transition=transition,
                acting_user=acting_user,
                reason=reason,
            )
    except IntegrityError as exc:
        raise Conflict("The company already has another active case", code="case_exists") from exc
    return case


# ---------------------------------------------------------------- surveys


def _own_company(user: Any, company: Company) -> None:
    if getattr(user, "role", None) != Role.COMPANY or user.company_id != company.pk:
        raise Forbidden("A company fills in its own surveys only")


def half_of(day: dt.date | None = None) -> str:
    day = day or timezone.localdate()
    return f"{day.year}H{1 if day.month <= 6 else 2}"


@transaction.atomic
def monthly_survey_submit(
    *, company: Company, period: str, values: Mapping[str, Any], acting_user: Any
) -> MonthlySurvey:
    """Submit (or correct, until reviewed) the monthly status survey of the user's own company."""
    _own_company(acting_user, company)
    period_validate(period)
    fields = ["support_status", "financing_need", "financing_plan", "needs_help"]
    if values.get("support_status") not in MonthlySurvey.SupportStatus.values:
        raise ValidationFailed(
            "Choose a support status", [ErrorDetail(message="required", field="support_status")]
        )
    if int(values.get("financing_need") or 0) < 0:
        raise ValidationFailed(
            "The amount cannot be negative", [ErrorDetail(message="negative", field="financing_need")]
        )
    survey = MonthlySurvey.objects.select_for_update().filter(company=company, period=period).first()
    if survey is not None and survey.reviewed_at is not None:
        raise Conflict("This month's survey was already reviewed", code="survey_reviewed")
    before = snapshot(survey, fields) if survey else {}
    if survey is None:
        survey = MonthlySurvey(company=company, period=period)
    for name in fields:
        setattr(survey, name, values.get(name) if name != "financing_need" else int(values.get(name) or 0))
    survey.submitted_by = acting_user
    survey.submitted_at = timezone.now()
    survey.full_clean()
    survey.save()
    audit_record(
        actor=acting_user,
        action="monthly_survey.submit",
        obj=survey,
        changes=diff(before, snapshot(survey, fields)),
    )
    return survey


DIFFICULTIES = {
    "funding": ("Access to funding", "자금 조달"),
    "interest": ("Interest and fees", "금리·수수료 부담"),
    "collateral": ("Collateral or guarantees", "담보·보증"),
    "sales": ("Sales and markets", "판로·매출"),
    "hiring": ("Hiring", "인력 채용"),
    "regulation": ("Regulation", "규제"),
    "other": ("Other", "기타"),
}


@transaction.atomic
def difficulty_survey_submit(
    *, company: Company, half: str, values: Mapping[str, Any], acting_user: Any
) -> DifficultySurvey:
    """Submit (or correct, until reviewed) the six-monthly difficulty survey of the user's own company."""
    _own_company(acting_user, company)
    fields = ["satisfaction", "difficulties", "improvements"]
    problems = []
    try:
        sat = int(values.get("satisfaction") or 0)
    except (TypeError, ValueError):
        sat = 0
    if not 1 <= sat <= 5:
        problems.append(ErrorDetail(message="1-5", field="satisfaction"))
    diffs = list(values.get("difficulties") or [])
    if any(d not in DIFFICULTIES for d in diffs):
        problems.append(ErrorDetail(message="unknown difficulty", field="difficulties"))
    if problems:
        raise ValidationFailed("The survey has problems", problems)
    survey = DifficultySurvey.objects.select_for_update().filter(company=company, half=half).first()
    if survey is not None and survey.reviewed_at is not None:
        raise Conflict("This half-year's survey was already reviewed", code="survey_reviewed")
    before = snapshot(survey, fields) if survey else {}
    if survey is None:
        survey = DifficultySurvey(company=company, half=half)
    survey.satisfaction = sat
    survey.difficulties = sorted(set(diffs))
    survey.improvements = str(values.get("improvements") or "")
    survey.submitted_by = acting_user
    survey.submitted_at = timezone.now()
    survey.save()
    audit_record(
        actor=acting_user,
        action="difficulty_survey.submit",
        obj=survey,
        changes=diff(before, snapshot(survey, fields)),
    )
    return survey


@transaction.atomic
def survey_review(*, survey: MonthlySurvey | DifficultySurvey, note: str, acting_user: Any) -> Any:
    """The support group marks a survey reviewed, with a note."""
    _group_only(acting_user)
    before = snapshot(survey, ["reviewed_at", "review_note"])
    survey.reviewed_by = acting_user
    survey.reviewed_at = timezone.now()
    survey.review_note = note
    survey.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        actor=acting_user,
        action=f"{survey._meta.model_name}.review",
        obj=survey,
        changes=diff(before, snapshot(survey, ["reviewed_at", "review_note"])),
    )
    return survey


# ---------------------------------------------------------------- removal at re-evaluation


@transaction.atomic
def membership_remove(*, membership: Membership, reason: str, note: str, acting_user: Any) -> Membership:
    """Remove a company from the programme at the half-yearly re-evaluation (programme office only).

    Sets the rounds Membership to removed with the reason; the `Removal` row counts a vacancy for the next
    round (`selectors.vacancies_for_next_round`). Open support cases stay open for the group to close."""
    if getattr(acting_user, "role", None) != Role.PROGRAM_OFFICE:
        raise Forbidden("Only the programme office removes companies")
    locked = designation_remove(
        membership=membership, reason=reason, note=note, on=timezone.localdate(), acting_user=acting_user
    )
    removal = Removal.objects.create(
        membership=locked,
        body_id=locked.body_id,
        reason=reason,
        note=note.strip(),
        removed_at=timezone.now(),
        removed_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    audit_record(
        actor=acting_user,
        action="removal.create",
        obj=removal,
        changes=created({"reason": reason, "body_id": locked.body_id}),
    )
    return locked
