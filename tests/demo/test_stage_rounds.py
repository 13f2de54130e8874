"""The rounds stage replays the programme's five rounds at their dates, sizes and bodies."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from nic1000.demo import history
from nic1000.designations.models import Membership
from nic1000.rounds.models import Candidacy, EligibilityRule, Publication, PublishedSelection, Round


def test_the_plans_are_the_programme_as_held() -> None:
    assert [p.total for p in history.PLANS] == [32, 247, 321, 235, 208]
    assert history.DESIGNATED_IN_ALL == 1043
    assert dict(history.PLANS[1].selected) == {"MOTIE": 78, "MSS": 65, "MSIT": 40, "MOHW": 34, "MOF": 30}
    assert set(history.PLANS[0].bodies) == {"MOTIE", "MSS"}
    round3 = history.PLANS[2]
    assert set(round3.bodies) == {"MSS", "MOTIE", "MSIT", "MOHW", "MOF", "MOLIT", "MCST", "ME", "KIPO"}
    assert sum(n for _k, n in round3.sector_minimums) == 92
    assert set(history.PLANS[3].bodies) - set(round3.bodies) == {"DAPA"}
    assert [p.eligibility_rules for p in history.PLANS] == [False, False, False, True, True]
    months = [(p.published_on.year, p.published_on.month) for p in history.PLANS]
    assert months == [(2020, 7), (2020, 11), (2021, 5), (2021, 12), (2022, 10)]
    # The bodies' totals by October 2022 as reported.
    totals: Counter[str] = Counter()
    for p in history.PLANS:
        totals.update(dict(p.selected))
    assert {k: totals[k] for k in ("MOTIE", "MSS", "MSIT", "MOF", "MOHW", "MOLIT")} == {
        "MOTIE": 253, "MSS": 207, "MSIT": 167, "MOF": 69, "MOHW": 69, "MOLIT": 68,
    }  # fmt: skip


def test_rounds_scale_down_with_the_registry() -> None:
    assert history.scale_for(companies=history.DEFAULT_COMPANIES, fast=False) == 1.0
    assert history.scale_for(companies=9000, fast=False) == 1.0
    for p in history.PLANS:
        assert history.scaled_targets(p, 1.0) == dict(p.selected)
    for companies in (100, 300, 1000, 2000, 4499):
        for fast in (False, True):
            scale = history.scale_for(companies=companies, fast=fast)
            assert 0 < scale < 1
            for p in history.PLANS:
                targets = history.scaled_targets(p, scale)
                assert set(targets) == set(p.bodies)
                assert sum(targets.values()) == max(history.MIN_PLACES, round(p.total * scale))
                assert all(targets[c] <= n for c, n in p.selected)


def test_evaluator_loads_are_feasible_at_every_size() -> None:
    for candidacies in range(2, 700, 7):
        for pool in (history.evaluators_needed(candidacies), 150, 200):
            if pool < history.evaluators_needed(candidacies):
                continue
            load_min, load_max = history.load_bounds(candidacies=candidacies, evaluators=pool)
            reviews = history.REVIEWS_PER_CANDIDACY * candidacies
            # Every evaluator can reach the minimum and together they can do every review with a fifth to
            # spare for evaluators who declare a conflict.
            assert pool * load_min <= reviews // 2
            assert pool * load_max >= reviews * 6 // 5


@pytest.mark.django_db
def test_demo_stage_holds_the_five_rounds(reference_data) -> None:  # type: ignore[no-untyped-def]
    from nic1000.audit.models import AuditEntry
    from nic1000.demo.management.commands.demo import run_demo

    summary, _ctx = run_demo(
        seed=7, companies=300, fast=True, out=lambda line: None, stages=("registry", "rounds")
    )
    scale = history.scale_for(companies=300, fast=True)
    rounds = list(Round.objects.order_by("number"))
    assert summary["rounds"] == 5 == len(rounds) == Publication.objects.count()
    assert [r.state for r in rounds] == ["closed"] * 4 + ["published"]
    assert summary["candidacies"] == Candidacy.objects.count()
    for rnd, plan in zip(rounds, history.PLANS, strict=True):
        # Held at its real date: published on the day of the plan, nominations a few weeks before.
        assert timezone.localdate(rnd.publication.published_at) == plan.published_on
        assert {m.selected_on for m in rnd.memberships.all()} == {plan.published_on}
        nominated_by = set(
            Candidacy.objects.filter(round=rnd).values_list("nominations__body__code", flat=True)
        )
        assert nominated_by <= set(plan.bodies)
        assert rnd.publication.selected_count == sum(history.scaled_targets(plan, scale).values())
        rules = set(EligibilityRule.objects.filter(round=rnd, body=None).values_list("active", flat=True))
        assert rules == {plan.eligibility_rules}
    # Distinct companies ever designated: one membership each (nobody designated twice), all published.
    memberships = Membership.objects.count()
    assert summary["designated"] == memberships == summary["selected"] == PublishedSelection.objects.count()
    assert Membership.objects.values("company_id").distinct().count() == memberships
    assert summary["removals"] == Membership.objects.filter(status="removed").count()
    # decision quality of the latest round (issue 16): alpha, flags on at most a tenth, agenda, leniency preview
    last = Candidacy.objects.filter(round=rounds[-1]).count()
    assert 0.0 < summary["alpha"] < 1.0
    assert summary["disagreement_flags"] <= 0.10 * last
    assert summary["uncertain_at_cutoff"] >= 0 and summary["leniency_changes"] >= 0
    # The audit trail keeps the wall clock.
    published = AuditEntry.objects.filter(action__startswith="round.publish").latest("seq")
    assert timezone.now() - published.at < dt.timedelta(hours=1)
    assert summary["evaluators"] >= history.MIN_EVALUATORS


@pytest.mark.django_db
def test_a_small_registry_gets_rounds_it_can_fill(reference_data) -> None:  # type: ignore[no-untyped-def]
    from nic1000.demo.management.commands.demo import run_demo

    summary, _ctx = run_demo(
        seed=3, companies=200, fast=False, out=lambda line: None, stages=("registry", "rounds")
    )
    scale = history.scale_for(companies=200, fast=False)
    expected = [sum(history.scaled_targets(p, scale).values()) for p in history.PLANS]
    published = list(Publication.objects.order_by("round__number").values_list("selected_count", flat=True))
    assert published == expected
    assert summary["selected"] == sum(expected) == summary["designated"]
    # Each round's bodies got their (scaled) places, as far as they had scored eligible candidacies.
    for plan in history.PLANS:
        by_body = Counter(
            Membership.objects.filter(round__number=plan.number).values_list("body__code", flat=True)
        )
        offered = Counter(
            Candidacy.objects.filter(
                round__number=plan.number, eligible=True, score__isnull=False
            ).values_list("lead_body__code", flat=True)
        )
        assert set(by_body) <= set(plan.bodies)
        for code, n in history.scaled_targets(plan, scale).items():
            assert by_body[code] >= min(n, offered[code]), (plan.number, code)
