"""The decision-quality figures stored with a selection run: reliability per body, evaluator calibration (raw or
adjusted; the preview of what switching changes), flags, probabilities of selection, weight sensitivity; and
the pages that read them."""

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nic1000.rounds.models import (
    Candidacy,
    Criterion,
    EvaluatorEffect,
    Review,
    ReviewScore,
    RoundSettings,
    SelectionQuality,
)
from nic1000.rounds.selectors import alpha_meaning, evaluator_effects, selection_quality
from nic1000.rounds.services.selection import scores_aggregate, selection_run
from nic1000.rounds.services.setup import QuotaInput, quotas_set
from tests.rounds.factories import make_assignment, make_candidacy, make_evaluator, make_round

pytestmark = pytest.mark.django_db

LENIENT = 0  # the first evaluator scores one point higher than the others


def _review(a, scores: list[int]) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    r = Review.objects.create(
        assignment=a, state=Review.State.SUBMITTED, total=0, updated_at=now, submitted_at=now, comment="ok"
    )
    crits = list(Criterion.objects.filter(round=a.round, body__isnull=True).order_by("order", "id"))
    for crit, s in zip(crits, scores, strict=False):
        ReviewScore.objects.create(review=r, criterion=crit, score=s)


@pytest.fixture
def big(personas):  # type: ignore[no-untyped-def]
    """24 candidacies (MSS and MOTIE), each reviewed by 3 of 6 evaluators; evaluator 0 is lenient (+1)."""
    rnd = make_round(acting_user=personas.program_office, state="selecting")
    rng = np.random.default_rng(7)
    evs = [make_evaluator(f"q{i}") for i in range(6)]
    cands = []
    n_crit = Criterion.objects.filter(round=rnd, body__isnull=True).count()
    for i in range(24):
        c = make_candidacy(rnd, bodies=("MSS" if i % 2 else "MOTIE",))
        quality = rng.normal(3.0, 0.8)
        panel = [(i + k) % 6 for k in range(3)]
        for e in panel:
            lean = 1.0 if e == LENIENT else 0.0
            scores = [int(np.clip(round(quality + lean + rng.normal(0, 0.5)), 1, 5)) for _ in range(n_crit)]
            _review(make_assignment(c, evs[e]), scores)
        cands.append(c)
    quotas_set(
        round=rnd,
        rows=[QuotaInput("total", "", 10, 10), QuotaInput("body", "MOTIE", 3, None)],
        acting_user=personas.program_office,
    )
    return rnd, cands, evs


def _adjusted(rnd) -> None:  # type: ignore[no-untyped-def]
    RoundSettings.objects.filter(round=rnd).update(leniency=RoundSettings.Leniency.ADJUSTED)


def test_the_calibration_setting_changes_the_scores(personas, big) -> None:
    rnd, cands, _evs = big
    po = personas.program_office
    raw = scores_aggregate(round=rnd, acting_user=po)
    raw_scores = dict(Candidacy.objects.filter(round=rnd).values_list("pk", "score"))
    _adjusted(rnd)
    adj = scores_aggregate(round=rnd, acting_user=po)
    adj_scores = dict(Candidacy.objects.filter(round=rnd).values_list("pk", "score"))
    assert raw["leniency"] == "raw" and adj["leniency"] == "adjusted"
    # a panel with the lenient evaluator loses points once the leniency is taken off
    with_lenient = [c.pk for i, c in enumerate(cands) if LENIENT in [(i + k) % 6 for k in range(3)]]
    others = [c.pk for c in cands if c.pk not in with_lenient]
    down = np.mean([adj_scores[p] - raw_scores[p] for p in with_lenient])
    up = np.mean([adj_scores[p] - raw_scores[p] for p in others])
    assert down < -1.5 and up > 0.5


def test_a_run_stores_its_quality_figures(personas, big) -> None:
    rnd, _cands, evs = big
    po = personas.program_office
    scores_aggregate(round=rnd, acting_user=po)
    run = selection_run(round=rnd, acting_user=po)
    assert run.feasible
    q = SelectionQuality.objects.get(run=run)
    assert q.leniency == "raw" and q.draws == 200
    assert q.alpha is not None and -1.0 <= q.alpha <= 1.0 and q.alpha_units == 24
    assert {b["body"] for b in q.alpha_by_body} == {"MSS", "MOTIE"}
    assert all(b["alpha"] is not None and b["units"] == 12 for b in q.alpha_by_body)
    # probabilities on every candidacy, selected ones mostly likely
    probs = dict(Candidacy.objects.filter(round=rnd).values_list("pk", "selection_probability"))
    assert all(p is not None and 0.0 <= p <= 1.0 for p in probs.values())
    selected = set(Candidacy.objects.filter(round=rnd, selected=True).values_list("pk", flat=True))
    assert np.mean([probs[p] for p in selected]) > np.mean([probs[p] for p in probs if p not in selected])
    assert q.uncertain_count == sum(1 for p in probs.values() if 0.1 <= p <= 0.9)
    # five criteria, each moved up and down
    n_crit = Criterion.objects.filter(round=rnd, body__isnull=True).count()
    assert len(q.sensitivity) == 2 * n_crit
    for s in q.sensitivity:
        assert len(s["enter"]) == len(s["leave"])  # the total is exact: whoever enters, someone leaves
        assert set(s["enter"]) <= set(probs) and not set(s["enter"]) & selected
    # the evaluator effects: the lenient one highest, positive, with a standard error; not applied (raw)
    effects = {e.evaluator_id: e for e in EvaluatorEffect.objects.filter(quality=q)}
    assert set(effects) == {e.pk for e in evs}
    top = max(effects.values(), key=lambda e: e.effect or -1e9)
    assert top.evaluator_id == evs[LENIENT].pk and top.effect > 5 and top.se > 0
    assert not any(e.applied for e in effects.values())
    # the preview of switching: the adjusted selection compared with this one
    assert len(q.leniency_enter) == len(q.leniency_leave)


def test_adjusted_run_applies_the_effects_and_previews_raw(personas, big) -> None:
    rnd, _cands, evs = big
    po = personas.program_office
    _adjusted(rnd)
    scores_aggregate(round=rnd, acting_user=po)
    run = selection_run(round=rnd, acting_user=po)
    q = SelectionQuality.objects.get(run=run)
    assert q.leniency == "adjusted" and q.effects_available
    assert EvaluatorEffect.objects.get(quality=q, evaluator=evs[LENIENT]).applied
    figures = selection_quality(round=rnd)
    assert figures is not None and figures.leniency_changes == len(q.leniency_enter) * 2


def test_too_few_reviews_say_so(personas) -> None:
    """Six candidacies with two reviews each: no alpha, no evaluator effects — said, not guessed."""
    rnd = make_round(acting_user=personas.program_office, state="selecting")
    e1, e2 = make_evaluator("t1"), make_evaluator("t2")
    for i in range(6):
        c = make_candidacy(rnd)
        _review(make_assignment(c, e1), [3 + i % 2] * 5)
        _review(make_assignment(c, e2), [2 + i % 3] * 5)
    _adjusted(rnd)
    po = personas.program_office
    summary = scores_aggregate(round=rnd, acting_user=po)
    assert summary["leniency"] == "raw"  # asked for adjusted, but nothing to adjust with
    quotas_set(round=rnd, rows=[QuotaInput("total", "", 3, 3)], acting_user=po)
    run = selection_run(round=rnd, acting_user=po)
    q = SelectionQuality.objects.get(run=run)
    assert q.alpha is None and "too few reviews" in q.alpha_note
    assert not q.effects_available and "at least 10" in q.effects_note
    assert not EvaluatorEffect.objects.filter(quality=q, effect__isnull=False).exists()
    figures = selection_quality(round=rnd)
    assert figures is not None and figures.alpha.band == "not_computed"


def test_alpha_in_words() -> None:
    assert alpha_meaning(0.85, 50)[0] == "reliable"
    assert alpha_meaning(0.7, 50)[0] == "tentative"
    assert alpha_meaning(0.648, 50)[0] == "low"
    assert alpha_meaning(None, 3)[0] == "not_computed"


def test_results_page_shows_the_quality_sections(personas, big) -> None:
    rnd, _cands, _evs = big
    po = personas.program_office
    scores_aggregate(round=rnd, acting_user=po)
    selection_run(round=rnd, acting_user=po)
    client = Client()
    client.force_login(po)
    html = client.get(reverse("rounds:results", args=[rnd.pk])).content.decode()
    for testid in ("reliability", "alpha-by-body", "agenda", "flags", "sensitivity"):
        assert f'data-testid="{testid}"' in html
    assert reverse("rounds:evaluator_effects", args=[rnd.pk]) in html
    page = client.get(reverse("rounds:evaluator_effects", args=[rnd.pk])).content.decode()
    assert 'data-testid="effects"' in page and 'data-testid="leniency-preview"' in page
    assert len(evaluator_effects(round=rnd)) == 6


def test_evaluators_and_auditors_never_see_the_effects(personas, big) -> None:
    rnd, _cands, _evs = big
    url = reverse("rounds:evaluator_effects", args=[rnd.pk])
    for user in (personas.evaluator, personas.auditor):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code in (403, 404)
