"""The round report for the selection committee: what was nominated, how it was scored, how reliable the
scores were, what the quotas did, what the committee decided and whom it selected.

Figures come from the stored candidacies, reviews and selection runs. The decision-quality figures
(reliability per body, evaluators' effects, disagreement flags, the agenda near the cut-off, weight sensitivity)
are the ones stored with the latest feasible selection run, read through `rounds.selectors.selection_quality`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from nic1000.core.errors import NotFound
from nic1000.core.identifiers import brn_format
from nic1000.reports import charts
from nic1000.reports.pdf import render_pdf
from nic1000.rounds import selectors as rounds_selectors
from nic1000.rounds.models import (
    Candidacy,
    CommitteeDecision,
    PublishedSelection,
    Quota,
    Review,
    ReviewScore,
    Round,
    RoundSettings,
    SelectionRun,
)

TEMPLATE = "reports/round.html"
# Candidacies shown either side of the cut-off, and the band (points of 100) that counts as "near".
NEAR_CUTOFF_EACH_SIDE = 8
NEAR_CUTOFF_BAND = 3.0
LENIENCY_ROWS = 20


def round_by_number(*, number: int) -> Round:
    """The round with this number in the current (latest) programme (the command line's `report round 3`)."""
    rnd = (
        Round.objects.filter(number=number)
        .select_related("program")
        .order_by("-program__starts_on", "-program_id")
        .first()
    )
    if rnd is None:
        raise NotFound(_("No round number %(n)s.") % {"n": number}, code="round_not_found")
    return rnd


@dataclass(frozen=True)
class GroupCount:
    key: str
    label: str
    candidacies: int
    eligible: int
    selected: int


@dataclass(frozen=True)
class Distribution:
    key: str
    label: str
    n: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None


@dataclass(frozen=True)
class BodyReliability:
    body: str
    alpha: float | None
    candidacies: int  # with two reviews or more
    meaning: str


@dataclass(frozen=True)
class EvaluatorLeniency:
    evaluator: str
    reviews: int
    offset: float | None  # points of 100; positive = scores above the consensus (shrunk toward 0)
    applied: bool
    low: float | None  # 95% interval
    high: float | None


@dataclass(frozen=True)
class SensitivityRow:
    criterion: str
    delta: float  # percentage points
    enter: str
    leave: str
    infeasible: str


@dataclass(frozen=True)
class CandidacyRow:
    rank: int | None
    company: str
    brn: str
    body: str
    sector: str
    score: float | None
    spread: float | None
    selected: bool | None
    forced: str
    note: str


@dataclass(frozen=True)
class QuotaRow:
    name: str
    family: str
    key: str
    min_count: int | None
    max_count: int | None
    selected: int
    binding: str  # "" | "min" | "max" | "both"


@dataclass
class QualityFigures:
    reliability_overall: float | None
    reliability_meaning: str
    reliability: list[BodyReliability]
    leniency: list[EvaluatorLeniency]
    leniency_setting: str
    disagreements: list[CandidacyRow]  # note: the flag's reason in words
    cutoff_score: float | None
    near_cutoff: list[CandidacyRow]  # the agenda: probability of selection 10–90% (note)
    sensitivity: list[SensitivityRow]
    draws_note: str


@dataclass
class RoundReport:
    round: Round
    settings: RoundSettings | None
    generated_at: Any
    counts: dict[str, int]
    by_body: list[GroupCount]
    by_sector: list[GroupCount]
    by_body_chart: str
    criteria: list[Distribution]
    criteria_chart: str
    bodies: list[Distribution]
    bodies_chart: str
    histogram: list[charts.Bin]
    histogram_chart: str
    quality: QualityFigures
    quotas: list[QuotaRow]
    run: SelectionRun | None
    decision: CommitteeDecision | None
    forced: list[CandidacyRow]
    overrides: list[CandidacyRow]
    selected: list[CandidacyRow]
    published: bool


def _row(c: Candidacy, note: str = "") -> CandidacyRow:
    return CandidacyRow(
        rank=c.rank,
        company=c.company.name_ko,
        brn=brn_format(c.company.brn),
        body=c.lead_body.code,
        sector=c.sector,
        score=c.score,
        spread=c.spread,
        selected=c.selected,
        forced=c.get_forced_display() if c.forced else "",
        note=note,
    )


def _distribution(key: str, label: str, values: Sequence[float]) -> Distribution:
    b = charts.box(label, values)
    if b is None:
        return Distribution(key, label, 0, None, None, None, None, None, None)
    return Distribution(key, label, b.n, statistics.fmean(values), b.median, b.q1, b.q3, b.minimum, b.maximum)


def _groups(cands: list[Candidacy], key: Any, label: Any) -> list[GroupCount]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    labels: dict[str, str] = {}
    for c in cands:
        k = key(c)
        labels[k] = label(c)
        counts[k][0] += 1
        counts[k][1] += int(c.eligible)
        counts[k][2] += int(bool(c.selected))
    return [GroupCount(k, labels[k], *counts[k]) for k in sorted(counts, key=lambda k: (-counts[k][0], k))]


def _quality_figures(rnd: Round, cands: list[Candidacy]) -> QualityFigures:
    """The decision-quality figures stored with the latest feasible selection run (`rounds.selectors.
    selection_quality`: one definition for the results page and this report); before a run, none."""
    chosen = [c.score for c in cands if c.selected and not c.forced and c.score is not None]
    cutoff = min(chosen) if chosen else None
    sq = rounds_selectors.selection_quality(round=rnd)
    if sq is None:
        return QualityFigures(None, "", [], [], "", [], cutoff, [], [], "")
    effects = rounds_selectors.evaluator_effects(round=rnd)
    leniency = sorted(
        (
            EvaluatorLeniency(e.evaluator, e.n_reviews, e.effect, e.applied, e.low, e.high)
            for e in effects
            if e.effect is not None
        ),
        key=lambda x: (-abs(x.offset or 0.0), x.evaluator),
    )[:LENIENCY_ROWS]
    return QualityFigures(
        reliability_overall=sq.alpha.alpha,
        reliability_meaning=sq.alpha.meaning,
        reliability=[BodyReliability(a.label, a.alpha, a.units, a.meaning) for a in sq.alpha_by_body],
        leniency=leniency,
        leniency_setting=sq.leniency,
        disagreements=[_row(f.candidacy, note=f.explanation) for f in sq.flags],
        cutoff_score=cutoff,
        near_cutoff=[_row(c, note=f"{(c.selection_probability or 0) * 100:.1f}%") for c in sq.agenda],
        sensitivity=[
            SensitivityRow(
                criterion=x.criterion,
                delta=x.delta,
                enter=", ".join(c.company.name_ko for c in x.enter),
                leave=", ".join(c.company.name_ko for c in x.leave),
                infeasible=", ".join(x.infeasible),
            )
            for x in sq.sensitivity
        ],
        draws_note=_("%(draws)s resamples of the reviews, each re-solved under the quotas")
        % {"draws": sq.draws},
    )


def _quotas(rnd: Round, cands: list[Candidacy]) -> list[QuotaRow]:
    selected = [c for c in cands if c.selected]
    rows = []
    for q in Quota.objects.filter(round=rnd).order_by("family", "key"):
        if q.family == Quota.Family.TOTAL:
            n = len(selected)
        elif q.family == Quota.Family.BODY:
            n = sum(1 for c in selected if c.lead_body.code == q.key)
        else:
            n = sum(1 for c in selected if c.sector == q.key)
        at_min = q.min_count is not None and n == q.min_count and bool(selected)
        at_max = q.max_count is not None and n == q.max_count
        binding = "both" if at_min and at_max else "min" if at_min else "max" if at_max else ""
        rows.append(QuotaRow(q.name, q.get_family_display(), q.key, q.min_count, q.max_count, n, binding))
    return rows


def _criteria(rnd: Round) -> list[Distribution]:
    values: dict[str, list[float]] = defaultdict(list)
    labels: dict[str, str] = {}
    rows = ReviewScore.objects.filter(
        review__assignment__round=rnd, review__assignment__active=True, review__state=Review.State.SUBMITTED
    ).values_list("criterion__key", "criterion__name_ko", "score", "criterion__order")
    order: dict[str, int] = {}
    for key, name, score, position in rows:
        values[key].append(float(score))
        labels.setdefault(key, name)
        order.setdefault(key, position)
    return [_distribution(k, labels[k], values[k]) for k in sorted(values, key=lambda k: (order[k], k))]


def _box_chart(
    dists: list[Distribution], title: str, low: float, high: float, values: dict[str, list[float]]
) -> str:
    boxes = [b for d in dists if (b := charts.box(d.label, values.get(d.key, []))) is not None]
    return _svg(charts.box_plots(boxes, title=title, low=low, high=high))


def _svg(markup: str) -> SafeString:
    return mark_safe(markup)  # the chart helpers escape every label they print


def round_report(*, round: Round) -> RoundReport:
    rnd = round
    settings = RoundSettings.objects.filter(round=rnd).first()
    cands = list(
        Candidacy.objects.filter(round=rnd)
        .select_related("company", "lead_body")
        .order_by(F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "id")
    )
    by_body = _groups(cands, lambda c: c.lead_body.code, lambda c: c.lead_body.name_ko)
    by_sector = _groups(cands, lambda c: c.sector or "-", lambda c: c.sector or _("No sector"))
    criteria = _criteria(rnd)
    crit_values: dict[str, list[float]] = defaultdict(list)
    for key, score in ReviewScore.objects.filter(
        review__assignment__round=rnd, review__assignment__active=True, review__state=Review.State.SUBMITTED
    ).values_list("criterion__key", "score"):
        crit_values[key].append(float(score))
    body_values: dict[str, list[float]] = defaultdict(list)
    for c in cands:
        if c.score is not None:
            body_values[c.lead_body.code].append(c.score)
    bodies = [_distribution(b, b, body_values[b]) for b in sorted(body_values)]
    all_scores = [s for v in body_values.values() for s in v]
    top = max(100.0, max(all_scores, default=0.0))
    hist = charts.bins(all_scores, low=0.0, high=top, n=20)
    s_min, s_max = (settings.score_min, settings.score_max) if settings else (1, 5)
    run = rnd.selection_runs.order_by("-run_at", "-id").first()
    decision = CommitteeDecision.objects.filter(round=rnd).select_related("decided_by").first()
    published = PublishedSelection.objects.filter(round=rnd).exists()
    selected = [_row(c) for c in cands if c.selected]
    counts = {
        "candidacies": len(cands),
        "eligible": sum(1 for c in cands if c.eligible),
        "scored": sum(1 for c in cands if c.score is not None),
        "selected": len(selected),
        "bodies": len(by_body),
        "reviews": Review.objects.filter(
            assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED
        ).count(),
        "evaluators": Review.objects.filter(
            assignment__round=rnd, assignment__active=True, state=Review.State.SUBMITTED
        )
        .values("assignment__evaluator_id")
        .distinct()
        .count(),
        "disagreements": sum(1 for c in cands if c.disagreement),
    }
    return RoundReport(
        round=rnd,
        settings=settings,
        generated_at=timezone.localtime(),
        counts=counts,
        by_body=by_body,
        by_sector=by_sector,
        by_body_chart=_svg(
            charts.bar_chart(
                [(g.key, g.candidacies) for g in by_body], title=_("Candidacies by nominating body")
            )
        ),
        criteria=criteria,
        criteria_chart=_box_chart(criteria, _("Scores per criterion"), s_min, s_max, crit_values),
        bodies=bodies,
        bodies_chart=_box_chart(bodies, _("Candidacy scores per body"), 0.0, top, body_values),
        histogram=hist,
        histogram_chart=_svg(charts.histogram(hist, title=_("Distribution of candidacy scores"))),
        quality=_quality_figures(rnd, cands),
        quotas=_quotas(rnd, cands),
        run=run,
        decision=decision,
        forced=[_row(c, c.force_reason) for c in cands if c.forced],
        overrides=[_row(c, c.eligibility_override_reason) for c in cands if c.eligibility_override_reason],
        selected=selected,
        published=published,
    )


def round_report_pdf(*, round: Round) -> bytes:
    return render_pdf(TEMPLATE, {"report": round_report(round=round)})


def round_report_filename(rnd: Round) -> str:
    return f"round-{rnd.number}-report.pdf"
