"""Demo stage: the programme's five selection rounds (`demo.history.PLANS`), each held through the services at
its real date on a simulated clock.

Each round (`_hold_round`, called once per round, oldest first): the earlier round is closed; a few members are
removed at a re-evaluation (their places are vacancies the round may refill); nominations by the round's own
bodies (about 1.5–2 candidacies per place, some by two bodies; a company designated earlier is not nominated
again, one not selected may be); the evaluator pool grows to what the round needs; the optimal assignment (with
detected and declared conflicts); reviews by evaluators with a lasting leniency and noise; aggregation;
selection under the round's quotas (its bodies' real counts, round 3's BIG3 minimums); a committee override;
the decision; publication. At the default registry size the rounds select 32, 247, 321, 235 and 208 companies
(1,043 designated); a smaller registry gets them scaled down (`demo.history`).
"""

from __future__ import annotations

import datetime as dt
import math
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet
from django.utils import timezone

from nic1000.accounts.models import User
from nic1000.core.roles import Role
from nic1000.demo import history
from nic1000.demo.clock import SimulatedClock, simulated_clock
from nic1000.demo.context import DemoContext
from nic1000.demo.names import SECTORS
from nic1000.demo.stages import committees
from nic1000.demo.stages import designations as designations_stage
from nic1000.designations.models import Membership
from nic1000.designations.selectors import active_memberships
from nic1000.monitoring.selectors import vacancies_by_body_for_next_round
from nic1000.registry.models import Body, Company
from nic1000.rounds import refills
from nic1000.rounds import selectors as rounds_selectors
from nic1000.rounds.models import (
    Assignment,
    BonusItem,
    Candidacy,
    Criterion,
    EligibilityRule,
    EvaluatorProfile,
    Program,
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


MIN_COMPANIES = 100  # below, too few companies of each field for five rounds


def _officers(ctx: DemoContext) -> dict[str, User]:
    return {u.body.code: u for u in ctx.users.get(Role.MINISTRY_OFFICER, []) if u.body is not None}


@dataclass
class _History:
    """What the rounds share: the programme, the last round held, the evaluator pool and its leniencies."""

    scale: float
    program: Program | None = None
    previous: Round | None = None
    profiles: list[EvaluatorProfile] = field(default_factory=list)
    leniency: dict[int, float] = field(default_factory=dict)  # evaluator profile id → lasting leniency


def _evaluator_pool(ctx: DemoContext, rng: np.random.Generator, hist: _History, n: int) -> None:
    """Grow the pool to `n` evaluators (users made as needed; the earlier profiles stay as they are)."""
    users = list(ctx.users.get(Role.EVALUATOR, []))
    for i in range(len(users) + 1, n + 1):
        users.append(
            ctx.create_user(
                username=f"evaluator{i:03d}", role=Role.EVALUATOR, display_name=f"평가위원 {i:03d}"
            )
        )
    sectors = list(SECTOR_FIELDS)
    for i in range(len(hist.profiles), n):
        main = sectors[i % len(sectors)] if i < len(sectors) * 3 else sectors[int(rng.integers(len(sectors)))]
        second = sectors[int(rng.integers(len(sectors)))]
        sections = ",".join(sorted(set(SECTOR_FIELDS[main][0].split(",")) | {SECTOR_FIELDS[second][0][0]}))
        keywords = SECTOR_FIELDS[main][1] + ", " + SECTOR_FIELDS[second][1].split(", ")[0]
        profile = evaluator_services.evaluator_profile_save(
            user=users[i],
            acting_user=ctx.office,
            affiliation=AFFILIATIONS[int(rng.integers(len(AFFILIATIONS)))],
            ksic_sections=sections,
            keywords=keywords,
            expertise=f"{SECTOR_FIELDS[main][2]} 분야 {int(rng.integers(8, 30))}년 경력; {SECTOR_FIELDS[second][2]}",
        )
        hist.profiles.append(profile)
        hist.leniency[profile.pk] = float(rng.normal(0.0, 0.35))


class _Lap:
    """Seconds since the previous progress line (where the stage spends its time)."""

    def __init__(self) -> None:
        self.t = time.perf_counter()

    def __call__(self) -> str:
        previous, self.t = self.t, time.perf_counter()
        return f" ({self.t - previous:.1f} s)"


def run(ctx: DemoContext) -> dict[str, float]:
    """The five rounds, oldest first, each on a simulated clock from the day its nominations opened."""
    hist = _History(scale=history.scale_for(companies=ctx.companies, fast=ctx.fast))
    totals: Counter[str] = Counter()
    tz = timezone.get_current_timezone()
    for plan in history.PLANS:
        start = dt.datetime.combine(plan.opens_at, dt.time(10, 0), tzinfo=tz)
        with simulated_clock(start) as clock:
            totals.update(_hold_round(ctx, hist, plan, clock))
    return {
        "rounds": totals["rounds"],
        "candidacies": totals["candidacies"],
        "nominations": totals["nominations"],
        "evaluators": len(hist.profiles),
        "assignments": totals["assignments"],
        "reviews": totals["reviews"],
        "selected": totals["selected"],
        "designated": Membership.objects.values("company_id").distinct().count(),
        "removals": totals["removals"],
        "calls": totals["calls"],
        "call_applications": totals["call_applications"],
        **(_quality_summary(ctx, hist.previous) if hist.previous is not None else {}),
    }


def _hold_round(
    ctx: DemoContext, hist: _History, plan: history.RoundPlan, clock: SimulatedClock
) -> dict[str, int]:
    """One round from the closing of the one before to its publication; returns its counts."""
    lap = _Lap()
    rng = ctx.rng_for(f"rounds-{plan.number}")
    removed = 0
    if hist.previous is not None:  # a month before, the re-evaluation; as this round opens, the last closes
        removed = _reevaluate(ctx, rng, clock)
        setup_services.round_transition(round=hist.previous, transition="close", acting_user=ctx.office)
    targets = history.scaled_targets(plan, hist.scale)
    chosen = _choose_candidates(ctx, rng, plan, targets)
    n_candidacies = sum(len(ids) for ids in chosen.values())
    _evaluator_pool(ctx, rng, hist, max(len(hist.profiles), history.evaluators_needed(n_candidacies)))
    committee = plan.number == committees.COMMITTEE_ROUND and committees.COMMITTEE_BODY in plan.bodies
    # A round with a body's own committee asks no minimum load: the committee and the central panel each cover
    # only their part of the candidacies (a small registry's committee has few to share).
    rnd = _open_round(ctx, hist, plan, n_candidacies, min_load=not committee)
    officers = _officers(ctx)
    if committee:
        n_body = len(chosen[committees.COMMITTEE_BODY])
        added = committees.committee_setup(
            ctx, ctx.rng_for("committee"), rnd, officers[committees.COMMITTEE_BODY], n_body
        )
        ctx.out(f"  {committees.COMMITTEE_BODY} evaluates with its own committee: {added} members")
    call_counts: dict[str, int] = {}
    if plan is history.PLANS[-1] and committees.CALL_BODY in plan.bodies:
        call_counts, taken = committees.call_round(
            ctx, rnd, officers[committees.CALL_BODY], chosen[committees.CALL_BODY]
        )
        chosen[committees.CALL_BODY] = [c for c in chosen[committees.CALL_BODY] if c not in taken]
        ctx.out(f"  public call: {call_counts['call_applications']} applications")
    ctx.out(
        f"  round {rnd.number} ({plan.published_on:%Y-%m}): {sum(targets.values())} places, "
        f"{len(plan.bodies)} bodies, {removed} removed before it{lap()}"
    )
    companies, nominations = _nominate(ctx, rng, rnd, plan, chosen)
    nominations += max(0, call_counts.get("call_applications", 0) - 1)  # the call's accepted applications
    ctx.out(f"  nominations: {nominations} ({n_candidacies} candidacies){lap()}")
    clock.advance(days=14, hours=8)  # nominations have closed
    if committee:  # the committee assigns its own members before the evaluation starts
        pairs = committees.committee_assign(ctx, rnd, officers[committees.COMMITTEE_BODY])
        ctx.out(f"  {committees.COMMITTEE_BODY}'s committee assigned: {pairs} pairs")
    _assign(ctx, rng, rnd, hist, companies)
    ctx.out(f"  assignment done{lap()}")
    replaced = _declare_conflicts(ctx, rnd)
    ctx.out(f"  evaluation started: 2 conflicts declared, {replaced} evaluators replaced{lap()}")
    clock.advance(days=10)
    reviews, drafted = _review(ctx, rng, rnd, hist.leniency)
    ctx.out(f"  reviews: {reviews} submitted of {drafted}{lap()}")
    clock.advance(days=7)  # past the scoring deadline
    setup_services.round_transition(round=rnd, transition="start_selection", acting_user=ctx.office)
    if committee:
        body = committees.COMMITTEE_BODY
        n = committees.committee_decide(ctx, rnd, officers[body], targets.get(body, 0))
        ctx.out(f"  {body}'s committee recommended {n}")
    publication = _select_and_publish(ctx, rnd, plan, targets, hist.scale, clock)
    ctx.out(f"  selection: {publication.selected_count} selected; published{lap()}")
    hist.previous = rnd
    return {
        "rounds": 1,
        "candidacies": Candidacy.objects.filter(round=rnd).count(),
        "nominations": nominations,
        "assignments": Assignment.objects.filter(round=rnd, active=True).count(),
        "reviews": Review.objects.filter(assignment__round=rnd, state=Review.State.SUBMITTED).count(),
        "selected": publication.selected_count,
        "removals": removed,
        **call_counts,
    }


def _quality_summary(ctx: DemoContext, rnd: Round) -> dict[str, float]:
    """How sure the round's selection is (issue 16; the latest round), from the figures stored with its selection run."""
    q = rounds_selectors.selection_quality(round=rnd)
    if q is None:
        return {}
    ctx.out(
        f"  quality: alpha {q.alpha.alpha}, {q.disagreement_flags} disagreement flags, "
        f"{q.uncertain_at_cutoff} uncertain at the cut-off, leniency adjustment would change "
        f"{q.leniency_changes} selections"
    )
    figures: dict[str, float] = {
        "disagreement_flags": q.disagreement_flags,
        "uncertain_at_cutoff": q.uncertain_at_cutoff,
        "leniency_changes": q.leniency_changes,
    }
    if q.alpha.alpha is not None:  # too few reviews: no alpha rather than a guess
        figures["alpha"] = float(q.alpha.alpha)
    return figures


REMOVAL_REASONS = (
    (Membership.RemovalReason.MASS_PRODUCTION_FAILED, "재평가: 핵심 기술 양산 실패"),
    (Membership.RemovalReason.WEAK_MARKETABILITY, "재평가: 시장성 미흡, 매출 감소 지속"),
    (Membership.RemovalReason.GOING_CONCERN, "재평가: 계속기업 가치 훼손"),
)


def _reevaluate(ctx: DemoContext, rng: np.random.Generator, clock: SimulatedClock) -> int:
    """A month before the round, about one member in a hundred is removed at the half-yearly re-evaluation
    (`demo.stages.designations.reevaluate`; the places they free are the next round's vacancies)."""
    active = list(active_memberships().order_by("id"))
    if len(active) < 20:
        return 0
    start = clock.now()
    clock.set(start - dt.timedelta(days=30))
    picks = sorted(int(i) for i in rng.choice(len(active), size=len(active) // 100, replace=False))
    remove = [(active[i], *REMOVAL_REASONS[int(rng.integers(len(REMOVAL_REASONS)))]) for i in picks]
    picked = set(picks)
    designations_stage.reevaluate(
        ctx,
        day=timezone.localdate(),
        officers=_officers(ctx),
        remove=[(m, str(reason), note) for m, reason, note in remove],
        others=[m for i, m in enumerate(active) if i not in picked],
    )
    clock.set(start)
    return len(picks)


def _choose_candidates(
    ctx: DemoContext, rng: np.random.Generator, plan: history.RoundPlan, targets: dict[str, int]
) -> dict[str, list[int]]:
    """Each body's candidates (1.5–2 per place): companies of its field founded a year before the round and
    never designated; a body short of them nominates from the rest of the registry."""
    ever = set(Membership.objects.values_list("company_id", flat=True))
    cutoff = plan.opens_at - dt.timedelta(days=365)
    old_enough = set(Company.objects.filter(founded_on__lte=cutoff).values_list("id", flat=True))
    free = {cid for cid in ctx.body_of if cid in old_enough and cid not in ever}
    chosen: dict[str, list[int]] = {}
    for code in plan.bodies:
        want = math.ceil(targets[code] * float(rng.uniform(*history.CANDIDACIES_PER_PLACE)))
        own = sorted(cid for cid in free if ctx.body_of[cid] == code)
        picked = rng.choice(own, size=min(want, len(own)), replace=False).tolist() if own else []
        free.difference_update(picked)
        if len(picked) < want and free:
            rest = sorted(free)
            more = rng.choice(rest, size=min(want - len(picked), len(rest)), replace=False).tolist()
            free.difference_update(more)
            picked += more
        chosen[code] = sorted(int(c) for c in picked)
    return chosen


def _open_round(
    ctx: DemoContext, hist: _History, plan: history.RoundPlan, n_candidacies: int, *, min_load: bool = True
) -> Round:
    """The round with the announced criteria (MOTIE's own bonus items where MOTIE takes part), its eligibility
    rules on from round 4; nominations open. The programme is created with the first round."""
    po = ctx.office
    if hist.program is None:
        hist.program = setup_services.program_create(
            name_ko="혁신기업 국가대표 1000",
            name_en="National Innovation Company 1000",
            starts_on=dt.date(2020, 7, 1),
            # Long enough that the designations of 2020-2022 still hold today, when the finance stage runs.
            designation_years=10,
            bodies=list(Body.objects.filter(active=True).exclude(kind=Body.Kind.FSC).order_by("sort_order")),
            acting_user=po,
        )
    now = timezone.now()
    load_min, load_max = history.load_bounds(candidacies=n_candidacies, evaluators=len(hist.profiles))
    load_min = load_min if min_load else 0
    rnd = setup_services.round_create(
        program=hist.program,
        number=plan.number,
        name=f"혁신기업 국가대표 1000 {plan.number}차 선정",
        nominations_close_at=now + dt.timedelta(days=14),
        scoring_deadline=now + dt.timedelta(days=30),
        reviews_per_candidacy=history.REVIEWS_PER_CANDIDACY,
        load_min=load_min,
        load_max=load_max,
        acting_user=po,
    )
    if "MOTIE" in plan.bodies:
        motie = Body.objects.get(code="MOTIE")
        for name, points in MOTIE_BONUS:
            setup_services.bonus_item_add(round=rnd, name=name, points=points, body=motie, acting_user=po)
    if not plan.eligibility_rules:
        for kind in EligibilityRule.Kind.values:
            setup_services.eligibility_rule_set(round=rnd, kind=kind, active=False, acting_user=po)
    setup_services.round_transition(round=rnd, transition="open_nominations", acting_user=po)
    return rnd


def _nominate(
    ctx: DemoContext,
    rng: np.random.Generator,
    rnd: Round,
    plan: history.RoundPlan,
    chosen: dict[str, list[int]],
) -> tuple[list[Company], int]:
    """Each body nominates its candidates; about 6% are nominated by a second body of the round as well.
    Returns the nominated companies and the number of nominations."""
    officers = _officers(ctx)
    companies = Company.objects.in_bulk([cid for ids in chosen.values() for cid in ids])
    nominations = 0
    for first in plan.bodies:
        for cid in chosen[first]:
            company = companies[cid]
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
                other = plan.bodies[int(rng.integers(len(plan.bodies)))]
                if other != first:
                    nomination_services.nomination_create(
                        round=rnd,
                        company=company,
                        reason="공동 추천",
                        sector=sector,
                        acting_user=officers[other],
                    )
                    nominations += 1
    return [companies[cid] for cid in sorted(companies)], nominations


def _assign(
    ctx: DemoContext, rng: np.random.Generator, rnd: Round, hist: _History, nominated: list[Company]
) -> None:
    """A few declared relationships (detected as conflicts), the optimal assignment; the evaluation starts."""
    profiles = hist.profiles
    declaring = profiles[:: max(1, len(profiles) // 10)]
    # Each declared relationship names a different company: a small round's few evaluators must still cover
    # every candidacy.
    picks = rng.choice(len(nominated), size=min(len(declaring), len(nominated)), replace=False)
    for e, pick in zip(declaring, picks, strict=False):
        company = nominated[int(pick)]
        kind = ("employment", "shareholding", "advisory")[int(rng.integers(3))]
        evaluator_services.evaluator_relationship_add(
            evaluator=e, company=company, kind=kind, acting_user=e.user
        )
    outcome = assignment_services.assignment_solve(round=rnd, acting_user=ctx.office)
    ctx.out(f"  assignment: {outcome.added} pairs, total affinity {outcome.total_affinity:.1f}")
    setup_services.round_transition(round=rnd, transition="start_evaluation", acting_user=ctx.office)


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
    ctx: DemoContext, rng: np.random.Generator, rnd: Round, leniency: dict[int, float]
) -> tuple[int, int]:
    """Each company has a latent quality, each evaluator a lasting leniency; scores are noisy. Each evaluator sends
    their scoring sheet at once (review_save_many: one transaction per evaluator). Returns (submitted,
    assignments)."""
    settings = RoundSettings.objects.get(round=rnd)
    criteria_by_body: dict[int | None, list[Criterion]] = defaultdict(list)
    for c in Criterion.objects.filter(round=rnd):
        criteria_by_body[c.body_id].append(c)
    bonus = list(BonusItem.objects.filter(round=rnd))
    quality = {  # a company's latent quality lasts: nominated again, it is judged much the same
        pk: float(np.random.default_rng([ctx.seed, zlib.crc32(brn.encode())]).normal(3.2, 0.65))
        for pk, brn in Candidacy.objects.filter(round=rnd).values_list("pk", "company__brn")
    }
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
        # A few stay as drafts (the office sees them as missing); a body's committee gets all its reviews in.
        submit = rng.random() < 0.97 or a.evaluator.body_id is not None
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


def _quota_rows(
    rnd: Round,
    plan: history.RoundPlan,
    targets: dict[str, int],
    scale: float,
    scored: QuerySet[Candidacy],
    sector_share: float = 0.75,
) -> list[setup_services.QuotaInput]:
    """The total; each body its real count (scaled), up to the vacancies its removed members left, and room
    elsewhere where a body has too few scored candidacies; round 3's BIG3 minimums (at most `sector_share` of
    what the sector offers)."""
    by_body = Counter(scored.values_list("lead_body__code", flat=True))
    by_sector = Counter(scored.values_list("sector", flat=True))
    # Never more places than four in five of the scored candidacies (a small registry's round).
    n_select = min(sum(targets.values()), len(scored) * 4 // 5)
    vacancies = vacancies_by_body_for_next_round()
    floors = {code: min(n, by_body.get(code, 0)) for code, n in targets.items()}
    while sum(floors.values()) > n_select:
        floors[max(floors, key=lambda c: (floors[c], c))] -= 1
    ceilings = {code: max(floors[code], n + vacancies.get(code, 0)) for code, n in targets.items()}
    while sum(min(by_body.get(c, 0), ceilings[c]) for c in plan.bodies) < n_select:
        ceilings = {c: n + 1 for c, n in ceilings.items()}  # bodies short of candidates: others take more
    # Each body's historical count includes the places it refills: its vacancies are given as places to refill
    # (the optimiser adds them to the body's and the total maximum), the rest are new places.
    own = refills.vacancies_for(round=rnd)
    refill = {c: min(own.get(c, 0), vacancies.get(c, 0)) for c in plan.bodies}
    base_max = {c: max(0, ceilings[c] - vacancies.get(c, 0) - refill[c]) for c in plan.bodies}
    base = n_select - sum(refill.values())
    rows = [setup_services.QuotaInput("total", "", base, base)]
    rows += [
        setup_services.QuotaInput("body", c, min(floors[c], base_max[c]), base_max[c], refill[c])
        for c in plan.bodies
    ]
    rows += [
        setup_services.QuotaInput("sector", key, min(n, int(by_sector.get(key, 0) * sector_share)), None)
        for key, n in history.scaled_sector_minimums(plan, scale).items()
    ]
    return rows


def _committee_override(ctx: DemoContext, rnd: Round, scored: QuerySet[Candidacy]) -> int:
    """The committee swaps one pair within a body (the body's count holds): the best one left out in, the last
    one selected out, neither in a sector with a minimum. Returns the overrides made (0 or 2)."""
    ranked = list(scored.select_related("lead_body").order_by("rank", "-score", "id"))
    for out in reversed([c for c in ranked if c.selected and not c.deciding_quota]):
        if out.sector in history.BIG3:
            continue
        inside = next(
            (
                c
                for c in ranked
                if not c.selected and c.lead_body_id == out.lead_body_id and c.sector not in history.BIG3
            ),
            None,
        )
        if inside is None:
            continue
        po = ctx.office
        selection_services.candidacy_force(
            candidacy=inside, forced="in", reason="위원회: 글로벌 수주 실적 추가 확인", acting_user=po
        )
        selection_services.candidacy_force(
            candidacy=out, forced="out", reason="위원회: 최근 경영권 분쟁", acting_user=po
        )
        return 2
    return 0


def _select_and_publish(
    ctx: DemoContext,
    rnd: Round,
    plan: history.RoundPlan,
    targets: dict[str, int],
    scale: float,
    clock: SimulatedClock,
) -> Publication:
    """Aggregation, quotas, selection, a committee override, re-optimisation, the decision, publication."""
    po = ctx.office
    summary = selection_services.scores_aggregate(round=rnd, acting_user=po)
    scored = Candidacy.objects.filter(round=rnd, eligible=True, score__isnull=False)
    setup_services.quotas_set(round=rnd, rows=_quota_rows(rnd, plan, targets, scale, scored), acting_user=po)
    run = selection_services.selection_run(round=rnd, acting_user=po)
    if not run.feasible:  # the sector minimums cannot hold with the bodies' counts: the office lowers them
        rows = _quota_rows(rnd, plan, targets, scale, scored, sector_share=0.5)
        setup_services.quotas_set(round=rnd, rows=rows, acting_user=po)
        run = selection_services.selection_run_or_raise(round=rnd, acting_user=po)
    overrides = _committee_override(ctx, rnd, scored)
    if overrides:
        run = selection_services.selection_run_or_raise(round=rnd, acting_user=po)
    note = (
        f"선정위원회 의결: 최적화 결과와 위원회 조정 {overrides}건을 확정함"
        if overrides
        else "선정위원회 의결: 최적화 결과를 확정함"
    )
    selection_services.committee_decision_record(round=rnd, note=note, acting_user=po)
    ctx.out(
        f"  selection: {run.selected_count} selected (flagged disagreement {summary['flagged']}, "
        f"alpha {summary['alpha']})"
    )
    clock.advance(days=4)  # the committee's decision, then publication
    return publication_services.round_publish(round=rnd, acting_user=po)
