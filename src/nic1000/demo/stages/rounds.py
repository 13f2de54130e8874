"""Demo stage: a whole selection round (round 3, nine bodies) through the services.

Nominations by the nine round-3 bodies (about 600 candidacies, some by two bodies), about 150 evaluators
with realistic leniency and noise, the optimal assignment (with detected and declared conflicts), reviews,
aggregation, selection of 321 under quotas (per body, BIG3 sectors), a committee override, publication.
Those are the figures for a registry of 2,000 companies or more; a smaller registry gets a round scaled to
it (`round_size`).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.core.roles import Role
from nic1000.demo.clock import SimulatedClock, simulated_clock
from nic1000.demo.context import DemoContext
from nic1000.demo.names import SECTORS
from nic1000.registry.models import Body, Company
from nic1000.rounds.models import (
    Assignment,
    BonusItem,
    Candidacy,
    Criterion,
    EvaluatorProfile,
    Publication,
    Review,
    Round,
    RoundSettings,
)
from nic1000.rounds.services import assignment as assignment_services
from nic1000.rounds.services import evaluators as evaluator_services
from nic1000.rounds.services import nominations as nomination_services
from nic1000.rounds.services import publication as publication_services
from nic1000.rounds.services import reviews as review_services
from nic1000.rounds.services import selection as selection_services
from nic1000.rounds.services import setup as setup_services

# Nomination reasons name the sector as people write it (the key is for quotas).
_SECTOR_KO = {s.key: s.label_ko for s in SECTORS}

ROUND3_BODIES = ("MSS", "MOTIE", "MSIT", "MOHW", "MOF", "MOLIT", "MCST", "ME", "KIPO")
MOTIE_BONUS = (
    ("사업재편 승인기업", 3),
    ("소재·부품·장비 으뜸기업", 5),
    ("규제샌드박스 승인", 2),
    ("세계일류상품 생산기업", 3),
    ("정부 R&D 우수성과", 2),
)
AFFILIATIONS = (
    "KAIST", "서울대학교", "포스텍", "연세대학교", "고려대학교", "한국전자통신연구원", "한국생산기술연구원",
    "한국과학기술연구원", "한국기계연구원", "한국생명공학연구원", "성균관대학교", "한양대학교",
    "기술보증기금 기술평가센터", "한국산업기술평가관리원", "정보통신기획평가원", "특허법인 한빛",
)  # fmt: skip
SECTOR_FIELDS = {
    "semiconductor": ("C", "반도체, 시스템반도체, NPU, 전력반도체, 패키징", "반도체 소자 설계와 공정"),
    "future_car": ("C", "미래차, 자율주행, 전기차, 배터리, 라이다", "자동차 전장과 자율주행"),
    "biohealth": ("C,M", "바이오, 신약, 의료기기, 진단, 항체", "바이오의약품과 의료기기 인허가"),
    "ict_software": ("J", "소프트웨어, AI, 클라우드, 플랫폼, 보안", "인공지능과 클라우드 서비스"),
    "materials_parts": ("C", "소재, 부품, 장비, 정밀화학, 세라믹", "소재·부품·장비 국산화"),
    "environment_energy": ("C,D,E", "환경, 에너지, 수소, 태양광, 재활용", "친환경 에너지 설비"),
    "content": ("J,R", "콘텐츠, 게임, 영상, 웹툰, 메타버스", "디지털 콘텐츠 산업"),
    "oceans": ("A,C", "해양, 수산, 조선, 양식, 해양바이오", "해양수산 기술"),
    "machinery": ("C,M", "기계, 로봇, 자동화, 정밀가공, 스마트팩토리", "로봇과 스마트 제조"),
    "defence": ("C", "국방, 항공, 우주, 위성, 드론", "항공우주와 방산"),
    "smart_city": ("F,J,M", "스마트시티, 건설, IoT, 디지털트윈", "스마트 인프라"),
}


@dataclass(frozen=True)
class RoundSize:
    candidacies: int
    evaluators: int
    selected: int
    load_min: int  # reviews per evaluator
    load_max: int


# Round 3 as held (about 600 nominated of a registry of 2,000), and the small round of tests and --fast runs.
FULL = RoundSize(candidacies=600, evaluators=150, selected=321, load_min=4, load_max=16)
FAST = RoundSize(candidacies=60, evaluators=12, selected=30, load_min=1, load_max=18)
NOMINATED_PER_TEN_COMPANIES = 3
MIN_COMPANIES = 100  # below, too few places for every body's floor and the BIG3 minimums
REVIEWS_PER_CANDIDACY = 3
MIN_EVALUATORS = REVIEWS_PER_CANDIDACY + 3  # room to replace evaluators who declare a conflict


def round_size(*, companies: int, nominable: int, fast: bool) -> RoundSize:
    """The round a registry of `companies` can hold (`nominable` of them have a round-3 body): the full round
    shrunk in proportion to the candidacies, evaluators keeping its mean load, and a minimum load that a
    small pool can still meet (at most half the mean)."""
    full = FAST if fast else FULL
    n = max(0, min(full.candidacies, nominable, companies * NOMINATED_PER_TEN_COMPANIES // 10))
    evaluators = max(MIN_EVALUATORS, -(-full.evaluators * n // full.candidacies))
    reviews = REVIEWS_PER_CANDIDACY * n
    return RoundSize(
        candidacies=n,
        evaluators=evaluators,
        selected=full.selected * n // full.candidacies,
        load_min=min(full.load_min, reviews // evaluators // 2),
        load_max=max(full.load_max, -(-reviews // evaluators)),
    )


def _officers(ctx: DemoContext) -> dict[str, User]:
    return {u.body.code: u for u in ctx.users.get(Role.MINISTRY_OFFICER, []) if u.body is not None}


def _evaluator_pool(ctx: DemoContext, rng: np.random.Generator, n: int) -> list[EvaluatorProfile]:
    users = list(ctx.users.get(Role.EVALUATOR, []))
    for i in range(len(users) + 1, n + 1):
        users.append(
            ctx.create_user(
                username=f"evaluator{i:03d}", role=Role.EVALUATOR, display_name=f"평가위원 {i:03d}"
            )
        )
    sectors = list(SECTOR_FIELDS)
    profiles = []
    for i, user in enumerate(users[:n]):
        main = sectors[i % len(sectors)] if i < len(sectors) * 3 else sectors[int(rng.integers(len(sectors)))]
        second = sectors[int(rng.integers(len(sectors)))]
        sections = ",".join(sorted(set(SECTOR_FIELDS[main][0].split(",")) | {SECTOR_FIELDS[second][0][0]}))
        keywords = SECTOR_FIELDS[main][1] + ", " + SECTOR_FIELDS[second][1].split(", ")[0]
        profiles.append(
            evaluator_services.evaluator_profile_save(
                user=user,
                acting_user=ctx.office,
                affiliation=AFFILIATIONS[int(rng.integers(len(AFFILIATIONS)))],
                ksic_sections=sections,
                keywords=keywords,
                expertise=f"{SECTOR_FIELDS[main][2]} 분야 {int(rng.integers(8, 30))}년 경력; {SECTOR_FIELDS[second][2]}",
            )
        )
    return profiles


class _Lap:
    """Seconds since the previous progress line (where the stage spends its time)."""

    def __init__(self) -> None:
        self.t = time.perf_counter()

    def __call__(self) -> str:
        previous, self.t = self.t, time.perf_counter()
        return f" ({self.t - previous:.1f} s)"


# The round is replayed as held last winter (nominations, two weeks later the evaluation, publication after
# the scoring deadline), so the finance and monitoring stages have months of history after it.
ROUND_HELD_DAYS_AGO = 300


def run(ctx: DemoContext) -> dict[str, int]:
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    with simulated_clock(start - dt.timedelta(days=ROUND_HELD_DAYS_AGO)) as clock:
        return _hold_round(ctx, clock)


def _hold_round(ctx: DemoContext, clock: SimulatedClock) -> dict[str, int]:
    lap = _Lap()
    rng = ctx.rng_for("rounds")
    nominable = sum(code in ROUND3_BODIES for code in ctx.body_of.values())
    size = round_size(companies=ctx.companies, nominable=nominable, fast=ctx.fast)
    rnd = _open_round(ctx, size)
    ctx.out(f"  round {rnd.number}: nominating ({len(ROUND3_BODIES)} bodies){lap()}")
    chosen, companies, nominations = _nominate(ctx, rng, rnd, size)
    ctx.out(f"  nominations: {nominations} ({len(chosen)} candidacies){lap()}")
    clock.advance(days=14, hours=8)  # nominations have closed
    profiles = _assign(ctx, rng, rnd, size, [companies[cid] for cid in chosen])
    ctx.out(f"  assignment done{lap()}")
    replaced = _declare_conflicts(ctx, rnd)
    ctx.out(f"  evaluation started: 2 conflicts declared, {replaced} evaluators replaced{lap()}")
    clock.advance(days=10)
    reviews, drafted = _review(ctx, rng, rnd, profiles)
    ctx.out(f"  reviews: {reviews} submitted of {drafted}{lap()}")
    clock.advance(days=7)  # past the scoring deadline
    setup_services.round_transition(round=rnd, transition="start_selection", acting_user=ctx.office)
    publication = _select_and_publish(ctx, rnd, size, clock)
    ctx.out(f"  selection: {publication.selected_count} selected; published{lap()}")
    return {
        "rounds": 1,
        "candidacies": Candidacy.objects.filter(round=rnd).count(),
        "nominations": nominations,
        "evaluators": len(profiles),
        "assignments": Assignment.objects.filter(round=rnd, active=True).count(),
        "reviews": Review.objects.filter(assignment__round=rnd, state=Review.State.SUBMITTED).count(),
        "selected": publication.selected_count,
    }


def _open_round(ctx: DemoContext, size: RoundSize) -> Round:
    """The programme and round 3 with the announced criteria, MOTIE's own bonus items; nominations open."""
    po = ctx.office
    bodies = [Body.objects.get(code=c) for c in ROUND3_BODIES]
    now = timezone.now()
    program = setup_services.program_create(
        name_ko="혁신기업 국가대표 1000",
        name_en="National Innovation Company 1000",
        starts_on=dt.date(2020, 7, 1),
        bodies=bodies,
        acting_user=po,
    )
    rnd = setup_services.round_create(
        program=program,
        number=3,
        name="혁신기업 국가대표 1000 3차 선정",
        nominations_close_at=now + dt.timedelta(days=14),
        scoring_deadline=now + dt.timedelta(days=30),
        reviews_per_candidacy=REVIEWS_PER_CANDIDACY,
        load_min=size.load_min,
        load_max=size.load_max,
        acting_user=po,
    )
    for name, points in MOTIE_BONUS:
        setup_services.bonus_item_add(round=rnd, name=name, points=points, body=bodies[1], acting_user=po)
    setup_services.round_transition(round=rnd, transition="open_nominations", acting_user=po)
    return rnd


def _nominate(
    ctx: DemoContext, rng: np.random.Generator, rnd: Round, size: RoundSize
) -> tuple[list[int], dict[int, Company], int]:
    """Each chosen company nominated by its likely body; about 6% by a second body as well. Returns the chosen
    company ids, the companies and the number of nominations."""
    officers = _officers(ctx)
    pool = [cid for cid, code in sorted(ctx.body_of.items()) if code in ROUND3_BODIES]
    chosen = sorted(rng.choice(pool, size=min(size.candidacies, len(pool)), replace=False).tolist())
    companies = Company.objects.in_bulk(chosen)
    nominations = 0
    for cid in chosen:
        company = companies[cid]
        first = ctx.body_of[cid]
        sector = ctx.sector_of.get(cid, company.ksic_section)
        nomination_services.nomination_create(
            round=rnd,
            company=company,
            reason=f"{_SECTOR_KO.get(sector, sector)} 분야 혁신성과 성장성이 뛰어남",
            evidence="https://www.example.go.kr/evidence/" + company.brn,
            sector=sector,
            acting_user=officers[first],
        )
        nominations += 1
        if rng.random() < 0.06:
            other = ROUND3_BODIES[int(rng.integers(len(ROUND3_BODIES)))]
            if other != first:
                nomination_services.nomination_create(
                    round=rnd, company=company, reason="공동 추천", sector=sector, acting_user=officers[other]
                )
                nominations += 1
    return chosen, companies, nominations


def _assign(
    ctx: DemoContext, rng: np.random.Generator, rnd: Round, size: RoundSize, nominated: list[Company]
) -> list[EvaluatorProfile]:
    """The evaluator pool, a few declared relationships (detected as conflicts), the optimal assignment;
    the evaluation starts."""
    profiles = _evaluator_pool(ctx, rng, size.evaluators)
    for e in profiles[:: max(1, len(profiles) // 10)]:
        company = nominated[int(rng.integers(len(nominated)))]
        kind = ("employment", "shareholding", "advisory")[int(rng.integers(3))]
        evaluator_services.evaluator_relationship_add(
            evaluator=e, company=company, kind=kind, acting_user=e.user
        )
    outcome = assignment_services.assignment_solve(round=rnd, acting_user=ctx.office)
    ctx.out(f"  assignment: {outcome.added} pairs, total affinity {outcome.total_affinity:.1f}")
    setup_services.round_transition(round=rnd, transition="start_evaluation", acting_user=ctx.office)
    return profiles


def _declare_conflicts(ctx: DemoContext, rnd: Round) -> int:
    """Two evaluators declare a conflict before opening a file and are replaced; returns how many were."""
    replaced = 0
    for a in list(Assignment.objects.filter(round=rnd, active=True).select_related("evaluator__user")[:2]):
        _conflict, added = evaluator_services.conflict_declare(
            assignment=a, reason="이전 직장 (자문 이력)", acting_user=a.evaluator.user
        )
        replaced += added
    return replaced


def _review(
    ctx: DemoContext, rng: np.random.Generator, rnd: Round, profiles: list[EvaluatorProfile]
) -> tuple[int, int]:
    """Each company has a latent quality, each evaluator a leniency; scores are noisy. Each evaluator sends
    their scoring sheet at once (review_save_many: one transaction per evaluator). Returns (submitted,
    assignments)."""
    settings = RoundSettings.objects.get(round=rnd)
    criteria_by_body: dict[int | None, list[Criterion]] = defaultdict(list)
    for c in Criterion.objects.filter(round=rnd):
        criteria_by_body[c.body_id].append(c)
    bonus = list(BonusItem.objects.filter(round=rnd))
    quality = {c.pk: float(rng.normal(3.2, 0.65)) for c in Candidacy.objects.filter(round=rnd)}
    leniency = {e.pk: float(rng.normal(0.0, 0.35)) for e in profiles}
    submitted = 0
    active = list(
        Assignment.objects.filter(round=rnd, active=True)
        .select_related("evaluator__user", "candidacy", "round")
        .order_by("id")
    )
    sheets: dict[int, list[review_services.ReviewInput]] = defaultdict(list)
    evaluator_user = {a.evaluator_id: a.evaluator.user for a in active}
    for a in active:
        crits = criteria_by_body.get(a.candidacy.lead_body_id) or criteria_by_body[None]
        q = quality[a.candidacy_id] + leniency.get(a.evaluator_id, 0.0)
        scores = {
            c.pk: review_services.ScoreInput(
                score=int(np.clip(round(q + rng.normal(0, 0.6)), settings.score_min, settings.score_max)),
                comment="",
            )
            for c in crits
        }
        submit = rng.random() < 0.97  # a few stay as drafts: the office sees them as missing
        bonus_ids = [b.pk for b in bonus if b.body_id == a.candidacy.lead_body_id and rng.random() < 0.2]
        sheets[a.evaluator_id].append(
            review_services.ReviewInput(
                assignment=a,
                scores=scores,
                comment="기술 완성도와 시장성을 종합 검토함",
                bonus_item_ids=bonus_ids,
                submit=submit,
            )
        )
        submitted += int(submit)
    for evaluator_id, items in sorted(sheets.items()):
        review_services.review_save_many(items=items, acting_user=evaluator_user[evaluator_id])
    return submitted, len(active)


def _quota_rows(n_select: int, scored: QuerySet[Candidacy]) -> list[setup_services.QuotaInput]:
    """The total, every body a few places and none more than a third (or what it takes for the bodies to
    fill the total between them), and the BIG3 sectors' minimums."""
    by_body = Counter(scored.values_list("lead_body__code", flat=True))
    by_sector = Counter(scored.values_list("sector", flat=True))
    body_max = n_select // 3
    while body_max < n_select and sum(min(by_body.get(c, 0), body_max) for c in ROUND3_BODIES) < n_select:
        body_max += 1  # a small registry: one body nominated most of the round
    rows = [setup_services.QuotaInput("total", "", n_select, n_select)]
    for code in ROUND3_BODIES:
        floor = min(by_body.get(code, 0), max(1, n_select // 40))
        rows.append(setup_services.QuotaInput("body", code, floor, max(floor, body_max)))
    big3 = {"semiconductor": 0.09, "future_car": 0.07, "biohealth": 0.10}  # BIG3 minimums
    rows += [
        setup_services.QuotaInput("sector", key, min(by_sector.get(key, 0), int(n_select * share)), None)
        for key, share in big3.items()
    ]
    return rows


def _select_and_publish(ctx: DemoContext, rnd: Round, size: RoundSize, clock: SimulatedClock) -> Publication:
    """Aggregation, quotas, selection, a committee override, re-optimisation, the decision, publication."""
    po = ctx.office
    summary = selection_services.scores_aggregate(round=rnd, acting_user=po)
    scored = Candidacy.objects.filter(round=rnd, eligible=True, score__isnull=False)
    # Never more places than four in five of the scored candidacies (a small registry's round).
    n_select = min(size.selected, scored.count() * 4 // 5)
    setup_services.quotas_set(round=rnd, rows=_quota_rows(n_select, scored), acting_user=po)
    run = selection_services.selection_run_or_raise(round=rnd, acting_user=po)
    ranked = list(scored.order_by("rank", "-score"))
    outside = [c for c in ranked if not c.selected]
    inside = [c for c in ranked if c.selected and not c.deciding_quota]
    if outside and inside:
        selection_services.candidacy_force(
            candidacy=outside[0], forced="in", reason="위원회: 글로벌 수주 실적 추가 확인", acting_user=po
        )
        selection_services.candidacy_force(
            candidacy=inside[-1], forced="out", reason="위원회: 최근 경영권 분쟁", acting_user=po
        )
        run = selection_services.selection_run_or_raise(round=rnd, acting_user=po)
    selection_services.committee_decision_record(
        round=rnd, note="선정위원회 의결: 최적화 결과와 위원회 조정 2건을 확정함", acting_user=po
    )
    ctx.out(
        f"  selection: {run.selected_count} selected (flagged disagreement {summary['flagged']}, "
        f"alpha {summary['alpha']})"
    )
    clock.advance(days=4)  # the committee's decision, then publication
    return publication_services.round_publish(round=rnd, acting_user=po)
